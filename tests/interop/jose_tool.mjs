// Independent JOSE operations for the iadvize-auth test suite, with node `jose` (panva).
//
// Run with INTEROP_DIR pointing at the folder setup.sh installed into (default
// target/interop):   node tests/interop/jose_tool.mjs SUBCOMMAND ...
//
//   thumbprint PEMFILE                              {"thumbprint": RFC 7638, base64url}
//   open --decrypt-key PEM --verify-key PEM         tokens on stdin, one per line; one JSON
//                                                   line each: {"jwe_header", "jws_header",
//                                                   "claims", "jws"} or {"error": "..."}
//   seal --sign-key PEM --encrypt-key PEM [--no-cty]
//                                                   claims (JSON) on stdin, one per line; one
//                                                   token per line: RS256 JWS inside an
//                                                   RSA-OAEP-256 + A256GCM JWE (cty JWT)
// jose imports PKCS#8 private keys and SPKI public keys (PEM) only.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const interop = process.env.INTEROP_DIR || path.join(here, "..", "..", "target", "interop");
const jose = await import(
  pathToFileURL(path.join(interop, "node", "node_modules", "jose", "dist", "webapi", "index.js")).href
);

const KEY_MANAGEMENT = ["RSA-OAEP-256", "RSA-OAEP", "RSA1_5"];
const CONTENT = ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"];
const SIGNATURES = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

function pem(file) {
  return readFileSync(file, "utf8");
}

async function privateKey(file, alg) {
  return jose.importPKCS8(pem(file), alg, { extractable: true });
}

async function publicKey(file, alg) {
  const text = pem(file);
  if (text.includes("PRIVATE KEY")) {
    const priv = await privateKey(file, alg);
    const jwk = await jose.exportJWK(priv);
    return jose.importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, alg);
  }
  return jose.importSPKI(text, alg, { extractable: true });
}

function decodeJson(part) {
  return JSON.parse(new TextDecoder().decode(jose.base64url.decode(part)));
}

async function openOne(token, decryptFile, verifyFile) {
  const result = { jwe_header: null };
  let inner = token;
  if (token.split(".").length === 5) {
    const header = decodeJson(token.split(".")[0]);
    const key = await privateKey(decryptFile, header.alg);
    const { plaintext, protectedHeader } = await jose.compactDecrypt(token, key, {
      keyManagementAlgorithms: KEY_MANAGEMENT,
      contentEncryptionAlgorithms: CONTENT,
    });
    result.jwe_header = protectedHeader;
    inner = new TextDecoder().decode(plaintext);
  }
  const jwsHeader = decodeJson(inner.split(".")[0]);
  const key = await publicKey(verifyFile, jwsHeader.alg);
  const { payload, protectedHeader } = await jose.compactVerify(inner, key, { algorithms: SIGNATURES });
  result.jws_header = protectedHeader;
  result.claims = JSON.parse(new TextDecoder().decode(payload));
  result.jws = inner;
  return result;
}

function option(args, name) {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

const [command, ...args] = process.argv.slice(2);
if (command === "thumbprint") {
  const key = await publicKey(args[0], "RS256");
  const jwk = await jose.exportJWK(key);
  console.log(JSON.stringify({ thumbprint: await jose.calculateJwkThumbprint(jwk, "sha256") }));
} else if (command === "open") {
  const decryptFile = option(args, "--decrypt-key");
  const verifyFile = option(args, "--verify-key");
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const token = line.trim();
    if (!token) continue;
    try {
      console.log(JSON.stringify(await openOne(token, decryptFile, verifyFile)));
    } catch (err) {
      console.log(JSON.stringify({ error: `${err.code || err.name}: ${err.message}` }));
    }
  }
} else if (command === "seal") {
  const signKey = await privateKey(option(args, "--sign-key"), "RS256");
  const encryptKey = await publicKey(option(args, "--encrypt-key"), "RSA-OAEP-256");
  const header = { alg: "RSA-OAEP-256", enc: "A256GCM" };
  if (!args.includes("--no-cty")) header.cty = "JWT";
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const jws = await new jose.CompactSign(new TextEncoder().encode(line))
      .setProtectedHeader({ alg: "RS256" })
      .sign(signKey);
    const token = await new jose.CompactEncrypt(new TextEncoder().encode(jws))
      .setProtectedHeader(header)
      .encrypt(encryptKey);
    console.log(token);
  }
} else {
  console.error(
    "usage: jose_tool.mjs thumbprint PEM | open --decrypt-key PEM --verify-key PEM" +
      " | seal --sign-key PEM --encrypt-key PEM [--no-cty]",
  );
  process.exit(1);
}
