//! Key reading: every format `pubkey` accepts, on any bytes. Encrypted PKCS#8 inputs are tried
//! with a fixed passphrase so that they reach decryption.
#![no_main]

use iadvize_auth::keys::{KeyError, Passphrase, decode_key};
use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

fuzz_target!(|data: &[u8]| {
    let mut passphrase =
        || -> Result<Passphrase, KeyError> { Passphrase::new(Zeroizing::new(b"fuzz".to_vec())) };
    if let Ok(key) = decode_key(data, &mut passphrase) {
        let _ = key.public_info();
        let _ = key.private_pkcs8_der();
    }
});
