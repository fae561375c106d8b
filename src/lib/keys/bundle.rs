//! PEM input holding more than one key. Which key of such a file is meant cannot be guessed
//! (OpenSSL reads the first, other tools the last), so a file whose key blocks hold different
//! keys is refused, naming each by its SHA-256 fingerprint; blocks that hold the same key (a
//! private key and its public half) are fine.

use super::key::{KeyError, LoadedKey, Passphrase};

/// The PEM labels of keys; other blocks (certificates, parameters) are left alone.
const KEY_LABELS: &[&str] = &[
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "RSA PRIVATE KEY",
    "RSA PUBLIC KEY",
    "PUBLIC KEY",
];
/// Key blocks read after the first: a file of more is refused after these, which bounds the
/// time (each may be encrypted).
const MOST_SHOWN: usize = 8;

/// A passphrase asked for once, then given again to each key of the same input.
pub(super) struct Remembered<'a> {
    ask: &'a mut dyn FnMut() -> Result<Passphrase, KeyError>,
    kept: Option<Passphrase>,
}

impl<'a> Remembered<'a> {
    pub(super) fn new(ask: &'a mut dyn FnMut() -> Result<Passphrase, KeyError>) -> Self {
        Remembered { ask, kept: None }
    }

    pub(super) fn get(&mut self) -> Result<Passphrase, KeyError> {
        let kept = match self.kept.take() {
            Some(kept) => kept,
            None => (self.ask)()?,
        };
        let copy = Passphrase::new(zeroize::Zeroizing::new(kept.expose().to_vec()));
        self.kept = Some(kept);
        copy
    }
}

/// Refuses `rest`, what follows the first key of a PEM input (`first`, whose block starts on
/// line `first_line`), when it holds key blocks with another key. `line_of` gives the line of a
/// slice of `rest`; `decode` reads one block.
pub(super) fn refuse_other_keys(
    rest: &[u8],
    first: &LoadedKey,
    first_line: usize,
    line_of: impl Fn(&[u8]) -> usize,
    mut decode: impl FnMut(&[u8]) -> Result<LoadedKey, KeyError>,
) -> Result<(), KeyError> {
    let blocks = key_blocks(rest);
    if blocks.is_empty() {
        return Ok(());
    }
    let fingerprint = first.public_info()?.sha256_fingerprint;
    let mut listed = vec![format!("line {first_line}: SHA-256 {fingerprint}")];
    let mut differ = false;
    for block in blocks.iter().take(MOST_SHOWN) {
        let line = line_of(block);
        match decode(block).and_then(|key| key.public_info()) {
            Ok(info) => {
                differ |= info.sha256_fingerprint != fingerprint;
                listed.push(format!("line {line}: SHA-256 {}", info.sha256_fingerprint));
            }
            Err(err) => {
                differ = true;
                listed.push(format!("line {line}: a key that cannot be read ({err})"));
            }
        }
    }
    if blocks.len() > MOST_SHOWN {
        differ = true;
        listed.push(format!("{} more, not read", blocks.len() - MOST_SHOWN));
    }
    if !differ {
        return Ok(());
    }
    Err(KeyError::SeveralKeys {
        count: blocks.len() + 1,
        listed: listed.join("; "),
    })
}

/// The key blocks of `text`, each from its BEGIN line to the end of its END line.
fn key_blocks(text: &[u8]) -> Vec<&[u8]> {
    let mut blocks = Vec::new();
    let mut at = 0;
    while let Some(start) = find(&text[at..], b"-----BEGIN ").map(|found| at + found) {
        let label_start = start + b"-----BEGIN ".len();
        let Some(label_length) = find(&text[label_start..], b"-----") else {
            break;
        };
        let label = &text[label_start..label_start + label_length];
        let end_marker = [b"-----END ", label, b"-----"].concat();
        let end = find(&text[label_start..], &end_marker)
            .map_or(text.len(), |found| label_start + found + end_marker.len());
        if KEY_LABELS.iter().any(|key| key.as_bytes() == label) {
            blocks.push(&text[start..end]);
        }
        at = end.max(label_start);
    }
    blocks
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_blocks_are_found_and_other_blocks_left_alone() {
        let text = b"-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----\n\
                     -----BEGIN PUBLIC KEY-----\nBB\n-----END PUBLIC KEY-----\n\
                     junk -----BEGIN RSA PRIVATE KEY-----\nCC\n";
        let blocks = key_blocks(text);
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].starts_with(b"-----BEGIN PUBLIC KEY-----\nBB\n"));
        assert!(blocks[0].ends_with(b"-----END PUBLIC KEY-----"));
        assert!(
            blocks[1].ends_with(b"CC\n"),
            "an unfinished block runs to the end"
        );
    }
}
