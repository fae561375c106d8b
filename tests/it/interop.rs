//! Our keys and tokens, judged by independent JOSE implementations: python jwcrypto and node
//! jose (pinned in tests/interop/, installed by tests/interop/setup.sh).

use crate::common::*;
use serde_json::{Value, json};

#[test]
fn keygen_thumbprint_matches_jwcrypto_and_node_jose() {
    let sb = Sandbox::new();
    let out = run(sb.cmd().args(["keygen", "--json"]));
    assert_exit(&out, 0);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let public = sb.join("iadvize-keys/public-key.pem");
    let private = sb.join("iadvize-keys/private-key.pem");
    for file in [&public, &private] {
        let theirs: Value =
            serde_json::from_str(&jwcrypto(&["thumbprint", file.to_str().unwrap()], "")).unwrap();
        assert_eq!(
            theirs["thumbprint"], report["jwk_thumbprint"],
            "jwcrypto, {file:?}"
        );
    }
    let theirs: Value =
        serde_json::from_str(&node_jose(&["thumbprint", public.to_str().unwrap()], "")).unwrap();
    assert_eq!(theirs["thumbprint"], report["jwk_thumbprint"], "node jose");
}

#[test]
fn builtin_key_thumbprint_matches_jwcrypto() {
    let sb = Sandbox::new();
    let pem = sb.write(
        "iadvize.pem",
        run(sb.cmd().args(["pubkey", "--iadvize"])).stdout,
    );
    let theirs: Value =
        serde_json::from_str(&jwcrypto(&["thumbprint", pem.to_str().unwrap()], "")).unwrap();
    assert_eq!(
        theirs["thumbprint"],
        "QspNamaz04P1Fh1DKF1IUvMLLiYJHmQhECR3ue0eJGU"
    );
}

#[test]
fn minted_tokens_open_with_jwcrypto_and_node_jose_exactly_as_expected() {
    let sb = rehearsal_sandbox();
    let out = run(sb.cmd().args([
        "mint",
        "--key",
        "brand-private.pem",
        "--iadvize-key",
        "standin-iadvize-public.pem",
        "--user-id",
        "customer-42",
        "--now",
        "1700000000",
        "--ttl",
        "90s",
        "--issuer",
        "https://brand.example",
        "--visitor-data",
        r#"{"firstName":"Jane","lastName":"Doe","email":"jane@example.com"}"#,
        "--claim",
        r#"https://iadvize.com/plan="gold""#,
    ]));
    assert_exit(&out, 0);
    let token = stdout(&out);
    let expected_claims = json!({
        "https://iadvize.com/userId": "customer-42",
        "iat": 1700000000,
        "exp": 1700000090,
        "iss": "https://brand.example",
        "https://iadvize.com/visitorData": {"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com"},
        "https://iadvize.com/plan": "gold"
    });
    for with in [Jose::Jwcrypto, Jose::NodeJose] {
        let opened = open_tokens(
            with,
            &token,
            &sb.join("standin-iadvize-private.pem"),
            &sb.join("brand-public.pem"),
        );
        assert_eq!(opened.len(), 1);
        let opened = &opened[0];
        assert!(opened.get("error").is_none(), "{with:?}: {opened}");
        assert_eq!(
            opened["jwe_header"],
            json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"}),
            "{with:?}"
        );
        assert_eq!(opened["jws_header"], json!({"alg": "RS256"}), "{with:?}");
        assert_eq!(opened["claims"], expected_claims, "{with:?}");
    }
}

#[test]
fn minted_token_does_not_open_with_another_key() {
    let sb = rehearsal_sandbox();
    sb.fixture("other-private.pem");
    sb.fixture("other-public.pem");
    let token = rehearsal_token(&sb, "c");
    let wrong_recipient = open_tokens(
        Jose::Jwcrypto,
        &token,
        &sb.join("other-private.pem"),
        &sb.join("brand-public.pem"),
    );
    assert!(
        wrong_recipient[0].get("error").is_some(),
        "{}",
        wrong_recipient[0]
    );
    let wrong_signer = open_tokens(
        Jose::Jwcrypto,
        &token,
        &sb.join("standin-iadvize-private.pem"),
        &sb.join("other-public.pem"),
    );
    assert!(
        wrong_signer[0].get("error").is_some(),
        "{}",
        wrong_signer[0]
    );
}

#[test]
fn a_batch_of_1000_opens_in_order_each_to_its_own_user_id() {
    let sb = rehearsal_sandbox();
    let ids: Vec<String> = (0..1000).map(|i| format!("user-{i:04}@brand")).collect();
    sb.write("ids.txt", ids.join("\n") + "\n");
    let out = rehearsal_mint(&sb, &["--user-ids", "ids.txt"]);
    assert_exit(&out, 0);
    let opened = open_tokens(
        Jose::Jwcrypto,
        &stdout(&out),
        &sb.join("standin-iadvize-private.pem"),
        &sb.join("brand-public.pem"),
    );
    assert_eq!(opened.len(), 1000);
    for (record, id) in opened.iter().zip(&ids) {
        assert_eq!(
            record["claims"]["https://iadvize.com/userId"],
            id.as_str(),
            "{record}"
        );
    }
}

#[test]
fn rfc7516_vectors_decrypt_with_their_published_keys() {
    let sb = Sandbox::new();
    for (which, alg) in [("a1", "RSA-OAEP"), ("a2", "RSA1_5")] {
        let vector: Value = serde_json::from_str(&jwcrypto(&["rfc7516", which], "")).unwrap();
        let key = sb.write(&format!("{which}.jwk"), vector["jwk"].to_string());
        set_mode(&key, 0o600);
        let out = run(sb
            .cmd()
            .arg("inspect")
            .arg(vector["token"].as_str().unwrap())
            .arg("--decrypt-key")
            .arg(&key)
            .arg("--json"));
        assert_exit(&out, 1);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let status = |id: &str| {
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
                .unwrap()
                .clone()
        };
        assert_eq!(status("jwe.decrypt")["status"], "pass", "{which}: {report}");
        assert_eq!(status("jwe.alg")["status"], "fail", "{which}");
        assert_eq!(report["jwe"]["header"]["alg"], alg);
        assert_eq!(
            report["decrypted_payload"], vector["plaintext"],
            "{which}: the plaintext is shown"
        );
        assert_eq!(
            status("jws.format")["status"],
            "fail",
            "{which}: not a signed token"
        );
        let human = run(sb
            .cmd()
            .arg("inspect")
            .arg(vector["token"].as_str().unwrap())
            .arg("--decrypt-key")
            .arg(&key));
        let text = stdout(&human);
        let first_words: String = vector["plaintext"]
            .as_str()
            .unwrap()
            .chars()
            .take(20)
            .collect();
        assert!(text.contains(&first_words), "{which}: {text}");
    }
}
