//! iAdvize's own Java library as the oracle: the real Gson with Nimbus's settings for the
//! claims parser (`json`), and the real Nimbus JOSE+JWT along iAdvize's path for the verdict
//! (`verdict`).

mod json;
mod verdict;
