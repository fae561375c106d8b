//! How this process uses OpenSSL, set once before its first OpenSSL call.
//!
//! - OpenSSL's configuration file is not read. What the tool does with OpenSSL is fixed by
//!   iAdvize (RS256, RSA-OAEP-256, A256GCM, keys from files) and no setting in `openssl.cnf`
//!   applies to it; reading the file cost a one-token `mint` 1.7 M instructions.
//! - OpenSSL's random numbers (RSA blinding, and the random parts of what josekit makes) come
//!   from the operating system's generator, as every other random number of the tool does,
//!   instead of from OpenSSL's DRBG, which OpenSSL seeds from that same generator and whose
//!   set-up, the first use of OpenSSL's provider, cost it 5.7 M (docs/performance.md; the whole
//!   run now takes 19.3 M).
//! - OpenSSL registers no exit handler, as the `openssl` crate asks when it initialises
//!   OpenSSL first: `serve` may exit while abandoned work still signs on another thread.
//!
//! All three use OpenSSL 3's C interface directly: the `openssl` crate has no binding for them.

use std::ffi::{c_int, c_uchar, c_void};
use std::sync::Once;

/// OpenSSL's `RAND_METHOD` (openssl/rand.h).
#[repr(C)]
struct RandMethod {
    seed: Option<unsafe extern "C" fn(*const c_void, c_int) -> c_int>,
    bytes: Option<unsafe extern "C" fn(*mut c_uchar, c_int) -> c_int>,
    cleanup: Option<unsafe extern "C" fn()>,
    add: Option<unsafe extern "C" fn(*const c_void, c_int, f64) -> c_int>,
    pseudorand: Option<unsafe extern "C" fn(*mut c_uchar, c_int) -> c_int>,
    status: Option<unsafe extern "C" fn() -> c_int>,
}

/// `OPENSSL_INIT_NO_LOAD_CONFIG` (openssl/crypto.h).
const NO_LOAD_CONFIG: u64 = 0x80;
/// `OPENSSL_INIT_NO_ATEXIT` (openssl/crypto.h): OpenSSL frees its global state at exit only when
/// asked to (`OPENSSL_cleanup`), never from an exit handler, which would free it under another
/// thread still signing (`serve` exits without waiting for abandoned work). The first
/// initialisation decides; the `openssl` crate asks for the same.
const NO_ATEXIT: u64 = 0x0008_0000;

unsafe extern "C" {
    fn OPENSSL_init_crypto(opts: u64, settings: *const c_void) -> c_int;
    fn RAND_set_rand_method(method: *const RandMethod) -> c_int;
}

static OS_RANDOM: RandMethod = RandMethod {
    seed: None,
    bytes: Some(os_random),
    cleanup: None,
    add: None,
    pseudorand: Some(os_random),
    status: Some(os_random_ready),
};

/// Fills OpenSSL's buffer from the operating system: 1 on success, 0 on failure.
unsafe extern "C" fn os_random(buf: *mut c_uchar, num: c_int) -> c_int {
    let Ok(len) = usize::try_from(num) else {
        return 0;
    };
    if len == 0 {
        return 1;
    }
    if buf.is_null() {
        return 0;
    }
    // SAFETY: OpenSSL hands a buffer of `num` writable bytes, not otherwise used during the call.
    let out = unsafe { std::slice::from_raw_parts_mut(buf, len) };
    c_int::from(getrandom::fill(out).is_ok())
}

unsafe extern "C" fn os_random_ready() -> c_int {
    1
}

/// Sets OpenSSL up as above; to be called before anything else uses OpenSSL (later calls do
/// nothing). Without it OpenSSL reads its configuration and uses its own DRBG: tokens are the
/// same, the first one slower.
pub fn setup() {
    static DONE: Once = Once::new();
    DONE.call_once(|| {
        // SAFETY: plain calls into libcrypto; the method is a static that outlives the process's
        // use of OpenSSL, and its functions uphold OpenSSL's contract for them.
        unsafe {
            OPENSSL_init_crypto(NO_LOAD_CONFIG | NO_ATEXIT, std::ptr::null());
            RAND_set_rand_method(&OS_RANDOM);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" {
        fn RAND_get_rand_method() -> *const RandMethod;
    }

    #[test]
    fn openssl_draws_its_random_numbers_from_the_operating_system() {
        setup();
        // SAFETY: a plain call into libcrypto.
        let method = unsafe { RAND_get_rand_method() };
        assert!(std::ptr::eq(method, &OS_RANDOM));
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        openssl::rand::rand_bytes(&mut a).unwrap();
        openssl::rand::rand_bytes(&mut b).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, [0; 32]);
    }
}
