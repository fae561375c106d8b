#!/usr/bin/env python3
"""A matrix of tokens for differential tests, made without iadvize-auth.

Run with the interpreter of the venv that setup.sh makes (node jose is called for its cases,
from $INTEROP_DIR, default target/interop):
  target/interop/venv/bin/python tests/interop/matrix.py [--keys DIR] [--seal]

DIR (default tests/fixtures) holds brand-private.pem (signs), standin-iadvize-public.pem (the
recipient), other-private.pem / other-public.pem (an unrelated key) and ec-private.pem (a brand
whose key is EC). Prints one JSON line per case: {"name", "text_b64", "made_by",
"expect_check"}: text_b64 is the standard base64 of the
exact token text as a page would hand it over (noise included), made_by says what produced it,
expect_check is the inspect check id that should name the fault (null for a good token).

With --seal, reads lines of base64 (standard) texts on stdin instead, and prints for each the
compact JWE (jwcrypto, RSA-OAEP-256 + A256GCM, cty JWT) of that text to the stand-in recipient:
tests use it to put mutated inner tokens into an otherwise correct JWE.

Tokens a JOSE library emits are made with python jwcrypto or node jose. Faults no library
emits are crafted on bytes with python cryptography's primitives (AES-GCM, RSA-OAEP, RSA
PKCS#1 v1.5 signatures); edits of the finished text (noise, truncation) say so in made_by.
Times are fixed: tests judge them at NOW; exp is far in the future unless the case is about it.
"""

import argparse
import base64
import json
import os
import subprocess
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from jwcrypto import jwe, jwk, jws

NOW = 1700000000
FAR = 4102444800  # 2100-01-01
USER_ID = "https://iadvize.com/userId"
VISITOR_DATA = "https://iadvize.com/visitorData"
GOOD = {USER_ID: "customer-8812", "iss": "https://brand.example", "exp": FAR}
JWE_ALGS = ["RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "A128GCM", "A192GCM", "A256GCM",
            "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"]
JWE_HEADER = '{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT"}'
# iAdvize's published example payload, escaped slashes and all, with a far-off exp.
EXAMPLE_PAYLOAD = (
    '{"https:\\/\\/iadvize.com\\/userId":"test_documentation","https:\\/\\/iadvize.com\\/visitor'
    'Data":{"country":"France","firstName":"Jane","lastName":"Doe","zipCode":"44000","address":'
    '"9 rue Nina Simone","phoneNumber":"+33651229856","city":"Nantes","email":"jane.doe@email.c'
    'om"},"iss":"https:\\/\\/test.iadvize.com","exp":' + str(FAR) + "}"
)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_padded(data):
    return base64.urlsafe_b64encode(data).decode()


def b64std(data):
    return base64.b64encode(data).rstrip(b"=").decode()


def b64std_padded(data):
    return base64.b64encode(data).decode()


def compact(value):
    return json.dumps(value, separators=(",", ":"))


class Keys:
    def __init__(self, folder):
        def pem(name):
            with open(os.path.join(folder, name), "rb") as f:
                return f.read()

        self.folder = folder
        self.brand = serialization.load_pem_private_key(pem("brand-private.pem"), None)
        self.other = serialization.load_pem_private_key(pem("other-private.pem"), None)
        self.standin = serialization.load_pem_public_key(pem("standin-iadvize-public.pem"))
        self.other_public = serialization.load_pem_public_key(pem("other-public.pem"))
        self.brand_jwk = jwk.JWK.from_pem(pem("brand-private.pem"))
        self.other_jwk = jwk.JWK.from_pem(pem("other-private.pem"))
        self.standin_jwk = jwk.JWK.from_pem(pem("standin-iadvize-public.pem"))
        self.other_public_jwk = jwk.JWK.from_pem(pem("other-public.pem"))
        self.ec_jwk = jwk.JWK.from_pem(pem("ec-private.pem"))

    def path(self, name):
        return os.path.join(self.folder, name)


# --- made by jwcrypto -------------------------------------------------------------------------

def lib_jws(keys, payload, alg="RS256", key=None, header=None, serialize_compact=True):
    """A JWS over the payload's exact bytes (a dict is written as compact JSON)."""
    if isinstance(payload, dict):
        payload = compact(payload)
    if alg.startswith("HS"):
        key = jwk.JWK(kty="oct", k=b64url(b"a shared secret of the brand's own"))
    token = jws.JWS(payload.encode())
    token.add_signature(key or keys.brand_jwk, alg=alg, protected=header or compact({"alg": alg}))
    return token.serialize(compact=serialize_compact)


def lib_jwe(keys, plaintext, alg="RSA-OAEP-256", enc="A256GCM", cty="JWT", header=None,
            recipient=None, serialize_compact=True):
    if header is None:
        fields = {"alg": alg, "enc": enc}
        if cty is not None:
            fields["cty"] = cty
        header = compact(fields)
    token = jwe.JWE(plaintext.encode(), protected=header, algs=JWE_ALGS)
    token.add_recipient(recipient or keys.standin_jwk)
    return token.serialize(compact=serialize_compact)


def lib_token(keys, claims=None, **jwe_args):
    return lib_jwe(keys, lib_jws(keys, GOOD if claims is None else claims), **jwe_args)


# --- crafted with cryptography primitives ----------------------------------------------------

OAEP = {
    "RSA-OAEP-256": (hashes.SHA256, hashes.SHA256),
    "RSA-OAEP-384": (hashes.SHA384, hashes.SHA384),
    "mgf1-sha1": (hashes.SHA256, hashes.SHA1),  # Java's OAEPWithSHA-256AndMGF1Padding
}


def crafted_jwe(keys, plaintext, header=JWE_HEADER, wrap="RSA-OAEP-256", iv_len=12, tag_len=16,
                encode=b64url):
    """AES-256-GCM content, the key wrapped with RSA-OAEP; the header part, as encoded, is the
    additional authenticated data (RFC 7516 §5.1 step 14)."""
    header_part = encode(header.encode())
    cek = os.urandom(32)
    digest, mgf = OAEP[wrap]
    wrapped = keys.standin.encrypt(
        cek, padding.OAEP(mgf=padding.MGF1(algorithm=mgf()), algorithm=digest(), label=None))
    iv = os.urandom(iv_len)
    sealed = AESGCM(cek).encrypt(iv, plaintext.encode(), header_part.encode())
    ciphertext, tag = sealed[:-16], sealed[-16:][:tag_len]
    return ".".join([header_part, encode(wrapped), encode(iv), encode(ciphertext), encode(tag)])


def crafted_jws(keys, header, payload, encode=b64url):
    """RS256 over the parts as encoded (the JWS signing input)."""
    if isinstance(payload, dict):
        payload = compact(payload)
    signing_input = encode(header.encode()) + "." + encode(payload.encode())
    signature = keys.brand.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + encode(signature)


# --- edits of a finished token ---------------------------------------------------------------

def b64decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def replace_part(token, index, part):
    parts = token.split(".")
    parts[index] = part
    return ".".join(parts)


def flip_bit(token, index):
    raw = bytearray(b64decode(token.split(".")[index]))
    raw[len(raw) // 2] ^= 0x01
    return replace_part(token, index, b64url(bytes(raw)))


def reencode(token, encode):
    return ".".join(encode(b64decode(part)) for part in token.split("."))


def insert_in_part(token, index, text):
    parts = token.split(".")
    middle = len(parts[index]) // 2
    parts[index] = parts[index][:middle] + text + parts[index][middle:]
    return ".".join(parts)


def wrap_lines(text, width):
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


# --- made by node jose -----------------------------------------------------------------------

def node_jose_tokens(keys, claims_list, cty=True):
    here = os.path.dirname(os.path.abspath(__file__))
    args = ["node", os.path.join(here, "jose_tool.mjs"), "seal",
            "--sign-key", keys.path("brand-private.pem"),
            "--encrypt-key", keys.path("standin-iadvize-public.pem")]
    if not cty:
        args.append("--no-cty")
    lines = "".join(compact(c) + "\n" for c in claims_list)
    out = subprocess.run(args, input=lines, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"jose_tool.mjs seal failed: {out.stderr}")
    return out.stdout.split()


# --- the matrix ------------------------------------------------------------------------------

def claims(**changes):
    """GOOD with changes; a value of None removes the claim."""
    result = dict(GOOD)
    for name, value in changes.items():
        name = {"user_id": USER_ID, "visitor_data": VISITOR_DATA}.get(name, name)
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def cases(keys):
    J, C, N = "jwcrypto", "python cryptography (crafted)", "node jose"
    CS = "a JWS crafted with python cryptography, in a jwcrypto JWE"
    good = lib_token(keys)
    visitor = claims(visitor_data={"firstName": "Jane", "lastName": "Doe", "city": "Nantes",
                                   "email": "jane.doe@example.com"})
    long_header = '{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","x":"%s"}'

    def signed(header):
        """A JWE around a JWS of GOOD whose header bytes are exactly `header`."""
        return lib_jwe(keys, crafted_jws(keys, header, GOOD))

    def raw_claims(text):
        return lib_jwe(keys, lib_jws(keys, text))

    yield "good: jwcrypto", J, None, good
    yield "good: jwcrypto, no cty", J, None, lib_token(keys, cty=None)
    yield "good: jwcrypto, typ JWT in the JWS header", J, None, lib_jwe(
        keys, lib_jws(keys, GOOD, header='{"alg":"RS256","typ":"JWT"}'))
    yield "good: jwcrypto, with visitorData", J, None, lib_token(keys, visitor)
    yield "good: jwcrypto, iAdvize's example payload with escaped slashes", J, None, raw_claims(
        EXAMPLE_PAYLOAD)
    yield "good: jwcrypto, a 255-character user id", J, None, lib_token(
        keys, claims(user_id="u" * 255))
    node_good, node_visitor = node_jose_tokens(keys, [GOOD, visitor])
    yield "good: node jose", N, None, node_good
    yield "good: node jose, with visitorData", N, None, node_visitor
    yield "good: node jose, no cty", N, None, node_jose_tokens(keys, [GOOD], cty=False)[0]
    yield "good: crafted from primitives", C, None, crafted_jwe(
        keys, crafted_jws(keys, '{"alg":"RS256"}', GOOD))

    # The outer JWE's algorithms and header.
    yield "jwe alg RSA-OAEP", J, "jwe.alg", lib_token(keys, alg="RSA-OAEP")
    yield "jwe alg RSA1_5", J, "jwe.alg", lib_token(keys, alg="RSA1_5")
    yield "jwe alg literal RSA_OAEP_256", C, "jwe.alg", crafted_jwe(
        keys, lib_jws(keys, GOOD), header='{"alg":"RSA_OAEP_256","enc":"A256GCM","cty":"JWT"}')
    yield "jwe alg RSA-OAEP-384", C, "jwe.alg", crafted_jwe(
        keys, lib_jws(keys, GOOD), header='{"alg":"RSA-OAEP-384","enc":"A256GCM","cty":"JWT"}',
        wrap="RSA-OAEP-384")
    yield "jwe alg missing", C, "jwe.alg", crafted_jwe(
        keys, lib_jws(keys, GOOD), header='{"enc":"A256GCM","cty":"JWT"}')
    for enc in ["A128GCM", "A192GCM", "A256CBC-HS512", "A128CBC-HS256"]:
        yield f"jwe enc {enc}", J, "jwe.enc", lib_token(keys, enc=enc)
    yield "jwe cty text/plain", J, "jwe.cty", lib_token(keys, cty="text/plain")
    yield "jwe cty a number", J, "jwe.cty", lib_token(
        keys, header='{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":5}')
    yield "jwe crit header", J, "jwe.crit", lib_token(
        keys, header='{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","crit":["exp"],"exp":1}')
    yield "jwe zip DEF", J, "jwe.decrypt", lib_token(
        keys, header='{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","zip":"DEF"}')
    yield "jwe header member twice", C, "token.format", crafted_jwe(
        keys, lib_jws(keys, GOOD),
        header='{"alg":"RSA-OAEP-256","enc":"A128GCM","enc":"A256GCM","cty":"JWT"}')
    yield "jwe header over 20,000 characters", J, "jwe.header_size", lib_token(
        keys, header=long_header % ("a" * 20_001))
    yield "jwe header over 20,000 UTF-16 units", J, "jwe.header_size", lib_token(
        keys, header=long_header % ("\U0001f600" * 10_000))
    yield "jwe encrypted to the wrong recipient", J, "jwe.decrypt", lib_token(
        keys, recipient=keys.other_public_jwk)
    yield "jwe key wrapped with MGF1-SHA-1", C, "jwe.decrypt", crafted_jwe(
        keys, lib_jws(keys, GOOD), wrap="mgf1-sha1")
    for index, part in [(1, "encrypted key"), (2, "iv"), (3, "ciphertext"), (4, "tag")]:
        yield f"jwe {part} tampered (one bit)", J + ", one bit flipped", "jwe.decrypt", flip_bit(
            lib_token(keys), index)
    yield "jwe GCM IV of 16 bytes", C, "jwe.iv", crafted_jwe(keys, lib_jws(keys, GOOD), iv_len=16)
    yield "jwe GCM IV emptied", J + ", IV removed", "jwe.iv", replace_part(good, 2, "")
    cbc = lib_token(keys, enc="A128CBC-HS256")
    yield "jwe CBC IV of 12 bytes", J + ", IV cut to 12 bytes", "jwe.iv", replace_part(
        cbc, 2, b64url(b64decode(cbc.split(".")[2])[:12]))
    yield "jwe GCM tag truncated to 12 bytes", C, "jwe.tag", crafted_jwe(
        keys, lib_jws(keys, GOOD), tag_len=12)
    yield "jwe GCM tag truncated to 8 bytes", C, "jwe.tag", crafted_jwe(
        keys, lib_jws(keys, GOOD), tag_len=8)
    yield "jwe tag cut short by a copy (4 characters lost)", J + ", text cut", "jwe.tag", good[:-4]
    yield "jwe in JSON serialisation", J, "token.format", lib_jwe(
        keys, lib_jws(keys, GOOD), serialize_compact=False)
    yield "jwe double-encrypted", J, "jws.format", lib_jwe(keys, good)
    yield "jws of a JWE (encrypted, then signed)", J, "token.encrypted", lib_jws(keys, good)
    yield "jwe of claims not signed", J, "jws.format", lib_jwe(keys, compact(GOOD))
    yield "jwe of a BOM then the JWS", J, "jws.format", lib_jwe(
        keys, "\ufeff" + lib_jws(keys, GOOD))
    yield "jwe of a JWS in JSON serialisation", J, "jws.format", lib_jwe(
        keys, lib_jws(keys, GOOD, serialize_compact=False))

    # The inner JWS.
    for alg in ["RS384", "RS512", "PS256", "HS256"]:
        yield f"jws alg {alg}", J, "jws.alg", lib_jwe(keys, lib_jws(keys, GOOD, alg=alg))
    payload = b64url(compact(GOOD).encode())
    yield "jws alg none", CS, "jws.alg", lib_jwe(keys, b64url(b'{"alg":"none"}') + "." + payload + ".")
    yield "jws alg lowercase rs256", CS, "jws.alg", signed('{"alg":"rs256"}')
    yield "jws alg a number", CS, "jws.alg", signed('{"alg":256}')
    yield "jws signed by another key", J, "jws.signature", lib_jwe(
        keys, lib_jws(keys, GOOD, key=keys.other_jwk))
    yield "jws signature tampered (one bit)", J + ", one bit flipped", "jws.signature", lib_jwe(
        keys, flip_bit(lib_jws(keys, GOOD), 2))
    yield "jws crit b64 (RFC 7797), b64 true", CS, "jws.crit", signed(
        '{"alg":"RS256","crit":["b64"],"b64":true}')
    yield "jws crit with a parameter nobody knows", CS, "jws.crit", signed(
        '{"alg":"RS256","crit":["brand-policy"],"brand-policy":1}')
    yield "jws header member twice", CS, "jws.format", signed('{"alg":"RS512","alg":"RS256"}')
    yield "jws header over 20,000 characters", CS, "jws.format", signed(
        '{"alg":"RS256","x":"%s"}' % ("a" * 20_001))
    yield "jws header single-quoted (Gson reads it)", CS, "jws.format", signed("{'alg':'RS256'}")
    yield "plain JWS, not encrypted", J, "token.encrypted", lib_jws(keys, GOOD)
    yield "sign after encrypt (a JWS around the JWE)", J, "token.encrypted", lib_jws(keys, good)

    # The claims (signed with jwcrypto over these exact bytes, then encrypted).
    yield "user id missing", J, "claims.user_id", lib_token(keys, claims(user_id=None))
    yield "user id a number", J, "claims.user_id", lib_token(keys, claims(user_id=8812))
    yield "user id null", J, "claims.user_id", raw_claims(
        '{"https://iadvize.com/userId":null,"exp":%d}' % FAR)
    yield "user id empty", J, "claims.user_id", lib_token(keys, claims(user_id=""))
    yield "user id of 256 characters", J, "claims.user_id", lib_token(
        keys, claims(user_id="u" * 256))
    yield "user id unprefixed (userId)", J, "claims.user_id", lib_token(
        keys, claims(user_id=None, userId="customer-8812"))
    yield "user id as sub only", J, "claims.user_id", lib_token(
        keys, claims(user_id=None, sub="customer-8812"))
    yield "exp expired", J, "claims.exp", lib_token(keys, claims(exp=NOW - 3600))
    yield "exp in milliseconds", J, "claims.exp", lib_token(keys, claims(exp=(NOW + 60) * 1000))
    yield "exp a string", J, "claims.exp", lib_token(keys, claims(exp=str(FAR)))
    yield "exp fractional", J, "claims.exp", raw_claims(
        '{"https://iadvize.com/userId":"a","exp":%d.5}' % FAR)
    yield "exp missing", J, "claims.exp", lib_token(keys, claims(exp=None))
    yield "iat in the future", J, "claims.iat", lib_token(keys, claims(iat=NOW + 600))
    yield "iat a string", J, "claims.iat", lib_token(keys, claims(iat=str(NOW)))
    yield "nbf a string", J, "claims.nbf", lib_token(keys, claims(nbf=str(NOW)))
    yield "visitorData a string", J, "claims.visitor_data", lib_token(
        keys, claims(visitor_data="Jane Doe"))
    yield "visitorData with a number", J, "claims.visitor_data", lib_token(
        keys, claims(visitor_data={"zipCode": 44000}))
    yield "claims an array", J, "claims.json", raw_claims("[1,2,3]")
    yield "claims with a top-level name twice", J, "claims.json", raw_claims(
        '{"https://iadvize.com/userId":"a","https://iadvize.com/userId":"b","exp":%d}' % FAR)
    yield "claims with a name twice, the first null", J, "claims.json", raw_claims(
        '{"https://iadvize.com/userId":null,"https://iadvize.com/userId":"a","exp":%d}' % FAR)
    yield "claims with a visitorData field twice", J, "claims.json", raw_claims(
        '{"https://iadvize.com/userId":"a","exp":%d,'
        '"https://iadvize.com/visitorData":{"city":"A","city":"B"}}' % FAR)
    yield "claims with text after them", J, "claims.json", raw_claims(
        '{"https://iadvize.com/userId":"a","exp":%d} x' % FAR)
    yield "claims single-quoted (Gson reads them)", J, "claims.json", raw_claims(
        "{'https://iadvize.com/userId':'a','exp':%d}" % FAR)
    yield "claims iss a number", J, "claims.json", lib_token(keys, claims(iss=42))
    yield "claims aud with a number in its list", J, "claims.json", lib_token(
        keys, claims(aud=["a", 1]))

    # Header members as JOSE libraries of several languages write them: null where a value is
    # optional (one library writes "epk":null,"apu":null,"apv":null into every header), or of
    # another type. iAdvize's library takes null as absent for most members, and fails to parse
    # the header for epk, p2c (JWE) and b64 (JWS), and for any member of the wrong type.
    jwe_members = {
        "typ": "JOSE", "kid": "k-1", "zip": None, "skid": "s", "x5t": "AAAA",
        "x5t#S256": "AAAA", "apu": "AAAA", "apv": "AAAA", "p2s": "AAAA", "iv": "AAAA",
        "tag": "AAAA", "jku": "https://brand.example/keys", "x5u": "https://brand.example/c",
        "jwk": None, "epk": None, "x5c": None, "p2c": 1000, "cty": "JWT", "crit": None,
    }
    null_refused = {"epk", "p2c"}
    for name in jwe_members:
        header = '{"alg":"RSA-OAEP-256","enc":"A256GCM"' + (
            "" if name == "cty" else ',"cty":"JWT"') + ',"%s":%s}'
        expect = "token.format" if name in null_refused else (
            "jwe.cty" if name == "cty" else None)
        yield f"jwe header {name} null", C, expect, crafted_jwe(
            keys, lib_jws(keys, GOOD), header=header % (name, "null"))
        wrong = "[5]" if name in ("x5c", "crit") else ('"x"' if name in ("jwk", "epk", "p2c") else "5")
        expect = {"cty": "jwe.cty", "crit": "jwe.crit"}.get(name, "token.format")
        yield f"jwe header {name} of the wrong type", C, expect, crafted_jwe(
            keys, lib_jws(keys, GOOD), header=header % (name, wrong))
    yield "jwe header jwk without kty", C, "token.format", crafted_jwe(
        keys, lib_jws(keys, GOOD),
        header='{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","jwk":{}}')
    yield "jwe header jku not a URI", C, "token.format", crafted_jwe(
        keys, lib_jws(keys, GOOD),
        header='{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","jku":"not a uri"}')
    yield "jwe header with an authTag member", C, "token.format", crafted_jwe(
        keys, lib_jws(keys, GOOD),
        header='{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","authTag":"AAAA"}')
    yield "jwe header epk, apu, apv null", C, "token.format", crafted_jwe(
        keys, lib_jws(keys, GOOD),
        header='{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","epk":null,"apu":null,'
               '"apv":null}')
    for name, wrong in [("typ", "5"), ("kid", "5"), ("jwk", '"x"'), ("x5c", '"x"'),
                        ("cty", "true"), ("b64", '"x"')]:
        yield f"jws header {name} null", CS, "jws.format" if name == "b64" else None, signed(
            '{"alg":"RS256","%s":null}' % name)
        yield f"jws header {name} of the wrong type", CS, "jws.format", signed(
            '{"alg":"RS256","%s":%s}' % (name, wrong))
    yield "jws header crit null", CS, None, signed('{"alg":"RS256","crit":null}')

    # A brand whose signing key is EC (ES256): iAdvize verifies with the brand's RSA key.
    yield "jws signed ES256 with an EC key", J, "jws.alg", lib_jwe(
        keys, lib_jws(keys, GOOD, alg="ES256", key=keys.ec_jwk))

    # Base64 as a hand-rolled encoder writes it: the parts are encoded that way before the
    # tag and the signature are computed over them.
    for label, encode in [("'=' padding", b64url_padded), ("the +/ alphabet", b64std),
                          ("the +/ alphabet and '=' padding", b64std_padded)]:
        yield f"base64 with {label} throughout", C, "token.format", crafted_jwe(
            keys, crafted_jws(keys, '{"alg":"RS256"}', GOOD, encode=encode), encode=encode)
    yield "base64 padding added to a finished token", J + ", parts re-encoded", "token.format", \
        reencode(good, b64url_padded)

    # Noise in the text as the page would pass it on.
    edit = J + ", text edited"
    yield "noise: JSON.stringify quotes kept", edit, "token.format", json.dumps(good)
    yield "noise: a Bearer prefix", edit, "token.format", "Bearer " + good
    yield "noise: a line break inside the header part", edit, "token.format", insert_in_part(
        good, 0, "\n")
    yield "noise: a line break in the ciphertext part", edit, "token.format", insert_in_part(
        good, 3, "\n")
    yield "noise: a space in the encrypted key part", edit, "token.format", insert_in_part(
        good, 1, " ")
    yield "noise: wrapped at 76 columns", edit, "token.format", wrap_lines(good, 76)
    yield "noise: a trailing newline", edit, None, good + "\n"
    yield "noise: a trailing CRLF", edit, None, good + "\r\n"
    yield "noise: spaces around", edit, None, "  " + good + "  "
    yield "noise: a BOM before the token", edit, "token.format", "\ufeff" + good
    yield "noise: dots URL-encoded as %2E", edit, "token.format", good.replace(".", "%2E")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", default=os.path.join(here, "..", "fixtures"))
    parser.add_argument("--seal", action="store_true")
    args = parser.parse_args()
    keys = Keys(args.keys)
    if args.seal:
        for line in sys.stdin:
            print(lib_jwe(keys, base64.b64decode(line.strip()).decode()))
        return
    names = set()
    for name, made_by, expect_check, text in cases(keys):
        if name in names:
            sys.exit(f"two cases named {name!r}")
        names.add(name)
        print(json.dumps({
            "name": name,
            "text_b64": base64.b64encode(text.encode()).decode(),
            "made_by": made_by,
            "expect_check": expect_check,
        }))


if __name__ == "__main__":
    main()
