#!/usr/bin/env python3
"""Independent JOSE operations for the iadvize-auth test suite, with python jwcrypto.

Run with the interpreter of the venv that setup.sh makes:
  target/interop/venv/bin/python tests/interop/jwcrypto_tool.py SUBCOMMAND ...

Subcommands (JSON out on stdout; an unusable request exits 1 with a message on stderr):
  thumbprint KEYFILE            {"thumbprint": RFC 7638 SHA-256 thumbprint, base64url}
  open --decrypt-key PEM --verify-key PEM [--no-verify]
                                reads tokens (one per line) on stdin; prints one JSON line per
                                token: {"jwe_header", "jws_header", "claims", "jws"} or
                                {"error": "..."} when jwcrypto refuses it
  make                          reads a JSON array of token specs on stdin, prints a JSON array
                                of compact tokens (see SPEC below)
  rfc7516 a1|a2                 {"token", "jwk", "plaintext"} from RFC 7516 Appendix A.1 / A.2,
                                after checking that jwcrypto decrypts the token to the plaintext

SPEC (every field optional except sign_key unless payload_raw is given):
  sign_key      path of the RSA private key that signs the JWS
  sign_alg      RS256 (default), RS384, RS512, PS256 ...; HS256 with hmac_secret
  hmac_secret   secret for HS* algorithms
  claims        the JWS payload, used byte for byte (a JSON text, or anything)
  jws_header    the JWS protected header, used byte for byte (default {"alg":"<sign_alg>"})
  encrypt_key   path of the recipient RSA key; absent or null: output the bare JWS
  alg, enc      JWE algorithms (default RSA-OAEP-256, A256GCM)
  cty           JWE cty (default "JWT"); null to leave it out
  jwe_header    the JWE protected header, used byte for byte (overrides alg/enc/cty)
  payload_raw   encrypt this string instead of a signed JWS
  payload_repeat
                repeat payload_raw this many times (large contents such as a compression
                bomb, with "zip":"DEF" in jwe_header, without sending them through stdin)
  tamper        ciphertext | tag | iv | encrypted_key: flip one bit of that part afterwards
  mgf1_sha1     true: wrap the content key with RSA-OAEP SHA-256 but MGF1-SHA-1 (Java's default
                OAEPWithSHA-256AndMGF1Padding), built from python cryptography primitives
  iv_len        GCM IV length in bytes (default 12), built from primitives
  tag_len       truncate the GCM tag to this many bytes, built from primitives
  truncate_iv   keep only this many bytes of the IV afterwards (any enc)
"""

import argparse
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jwcrypto import jwe, jwk, jws
from jwcrypto.common import base64url_decode, base64url_encode

JWE_ALGS = ["RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "A128GCM", "A192GCM", "A256GCM",
            "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"]
JWS_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "HS256", "HS384", "HS512"]
PARTS = {"encrypted_key": 1, "iv": 2, "ciphertext": 3, "tag": 4}


def load_key(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.lstrip().startswith(b"{"):
        return jwk.JWK.from_json(data)
    return jwk.JWK.from_pem(data)


def b64(data):
    return base64url_encode(data)


def sign(spec):
    alg = spec.get("sign_alg", "RS256")
    if alg.startswith("HS"):
        key = jwk.JWK(kty="oct", k=b64(spec["hmac_secret"].encode()))
    else:
        key = load_key(spec["sign_key"])
    payload = spec.get("claims", "{}").encode()
    header = spec.get("jws_header", json.dumps({"alg": alg}, separators=(",", ":")))
    # Built by hand around jwcrypto's signature so that header and payload bytes are exactly
    # those given (duplicate keys, escaped slashes, crit …).
    signing_input = (b64(header.encode()) + "." + b64(payload)).encode()
    # JWSCore only picks the signing engine; it parses its header, which may not be JSON here.
    signer = jws.JWSCore(alg, key, json.dumps({"alg": alg}), payload, algs=JWS_ALGS)
    signature = signer.engine.sign(key, signing_input)
    return signing_input.decode() + "." + b64(signature)


def encrypt(spec, plaintext):
    key = load_key(spec["encrypt_key"])
    if not key.has_private:
        public = key
    else:
        public = jwk.JWK()
        public.import_key(**key.export_public(as_dict=True))
    header = spec.get("jwe_header")
    if header is None:
        fields = {"alg": spec.get("alg", "RSA-OAEP-256"), "enc": spec.get("enc", "A256GCM")}
        if spec.get("cty", "JWT") is not None:
            fields["cty"] = spec.get("cty", "JWT")
        header = json.dumps(fields, separators=(",", ":"))
    token = jwe.JWE(plaintext.encode(), protected=header, algs=JWE_ALGS)
    token.add_recipient(public)
    return token.serialize(compact=True)


def tamper(token, part):
    parts = token.split(".")
    index = PARTS[part]
    raw = bytearray(base64url_decode(parts[index]))
    raw[len(raw) // 2] ^= 0x01
    parts[index] = b64(bytes(raw))
    return ".".join(parts)


def encrypt_by_hand(spec, plaintext):
    """RSA-OAEP-256 (or its MGF1-SHA-1 variant) + AES-GCM from primitives, for faults that
    JOSE libraries refuse to produce."""
    with open(spec["encrypt_key"], "rb") as f:
        data = f.read()
    if b"PRIVATE" in data:
        public = serialization.load_pem_private_key(data, None).public_key()
    else:
        public = serialization.load_pem_public_key(data)
    header = spec.get("jwe_header", '{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT"}')
    header_b64 = b64(header.encode())
    cek = os.urandom(32)
    mgf = hashes.SHA1() if spec.get("mgf1_sha1") else hashes.SHA256()
    wrapped = public.encrypt(
        cek, padding.OAEP(mgf=padding.MGF1(algorithm=mgf), algorithm=hashes.SHA256(), label=None)
    )
    iv = os.urandom(spec.get("iv_len", 12))
    sealed = AESGCM(cek).encrypt(iv, plaintext.encode(), header_b64.encode())
    ciphertext, tag = sealed[:-16], sealed[-16:]
    tag = tag[: spec.get("tag_len", 16)]
    return ".".join([header_b64, b64(wrapped), b64(iv), b64(ciphertext), b64(tag)])


def make(spec):
    if "payload_raw" in spec:
        inner = spec["payload_raw"] * spec.get("payload_repeat", 1)
    else:
        inner = sign(spec)
    if not spec.get("encrypt_key"):
        return inner
    if any(k in spec for k in ("mgf1_sha1", "iv_len", "tag_len")):
        return encrypt_by_hand(spec, inner)
    token = encrypt(spec, inner)
    if spec.get("tamper"):
        token = tamper(token, spec["tamper"])
    if "truncate_iv" in spec:
        parts = token.split(".")
        parts[PARTS["iv"]] = b64(base64url_decode(parts[PARTS["iv"]])[: spec["truncate_iv"]])
        token = ".".join(parts)
    return token


def open_one(token, decrypt_key, verify_key, verify):
    result = {"jwe_header": None}
    inner = token
    if token.count(".") == 4:
        outer = jwe.JWE(algs=JWE_ALGS)
        outer.deserialize(token, key=decrypt_key)
        result["jwe_header"] = json.loads(outer.objects["protected"])
        inner = outer.payload.decode()
    signed = jws.JWS()
    signed.deserialize(inner)
    if verify:
        signed.allowed_algs = JWS_ALGS
        signed.verify(verify_key)
        payload = signed.payload
    else:
        payload = base64url_decode(inner.split(".")[1])
    result["jws_header"] = json.loads(base64url_decode(inner.split(".")[0]))
    result["claims"] = json.loads(payload)
    result["jws"] = inner
    return result


def rfc7516(which):
    from jwcrypto import tests  # the RFC vectors ship in jwcrypto's own test module

    example = {"a1": tests.E_A1_ex, "a2": tests.E_A2_ex}[which]
    key = example["key"]
    token = example["vector"]
    plaintext = example["plaintext"]
    if isinstance(plaintext, str):
        plaintext = plaintext.encode()
    check = jwe.JWE(algs=JWE_ALGS)
    check.deserialize(token, key=key)
    if check.payload != plaintext:
        sys.exit("jwcrypto does not decrypt the RFC vector to its plaintext")
    return {
        "token": token,
        "jwk": json.loads(key.export(private_key=True)),
        "plaintext": plaintext.decode(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("thumbprint")
    p.add_argument("keyfile")
    p = sub.add_parser("open")
    p.add_argument("--decrypt-key")
    p.add_argument("--verify-key")
    p.add_argument("--no-verify", action="store_true")
    sub.add_parser("make")
    p = sub.add_parser("rfc7516")
    p.add_argument("which", choices=["a1", "a2"])
    args = parser.parse_args()

    if args.command == "thumbprint":
        print(json.dumps({"thumbprint": load_key(args.keyfile).thumbprint()}))
    elif args.command == "open":
        decrypt_key = load_key(args.decrypt_key) if args.decrypt_key else None
        verify_key = load_key(args.verify_key) if args.verify_key else None
        for line in sys.stdin:
            token = line.strip()
            if not token:
                continue
            try:
                result = open_one(token, decrypt_key, verify_key, not args.no_verify)
            except Exception as err:  # report jwcrypto's refusal for this token, go on
                result = {"error": f"{type(err).__name__}: {err}"}
            print(json.dumps(result))
    elif args.command == "make":
        specs = json.load(sys.stdin)
        print(json.dumps([make(spec) for spec in specs]))
    elif args.command == "rfc7516":
        print(json.dumps(rfc7516(args.which)))


if __name__ == "__main__":
    main()
