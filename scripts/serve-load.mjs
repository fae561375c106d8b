// Load client for `iadvize-auth serve`: N requests to POST /token from C concurrent clients
// (keep-alive connections), each for its own user id (load-1, load-2 …). Prints one JSON line
// {requests, ok, failed, seconds, tokens_per_second, first_error} and writes the tokens, one
// per line, to TOKENS_FILE. Used by tests/it/serve/mod.rs (every token checked) and scripts/bench-serve
// (the rate). Only for a server on this machine's loopback.
//
//   node scripts/serve-load.mjs URL N C TOKENS_FILE
import { writeFileSync } from "node:fs";
import http from "node:http";

const [url, count, concurrency, tokensFile] = process.argv.slice(2);
const base = new URL(url);
if (!["127.0.0.1", "localhost", "[::1]"].includes(base.hostname)) {
  console.error(`serve-load: ${url} is not a loopback address; this client loads only local servers`);
  process.exit(2);
}
const total = Number(count);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });

function mint(userId) {
  const body = JSON.stringify({ userId });
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL("/token", base),
      { method: "POST", agent, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () =>
          response.statusCode === 200
            ? resolve(JSON.parse(text).token)
            : reject(new Error(`${response.statusCode} ${text}`))
        );
      }
    );
    request.on("error", reject);
    request.setTimeout(30000, () => request.destroy(new Error("no answer within 30 s")));
    request.end(body);
  });
}

const tokens = new Array(total);
let next = 0;
let failed = 0;
let firstError = null;
async function client() {
  while (next < total) {
    const index = next++;
    try {
      tokens[index] = await mint(`load-${index + 1}`);
    } catch (error) {
      failed += 1;
      firstError ??= String(error.message);
    }
  }
}

const start = process.hrtime.bigint();
await Promise.all(Array.from({ length: Number(concurrency) }, client));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
agent.destroy();
writeFileSync(tokensFile, tokens.filter(Boolean).join("\n") + "\n");
const ok = total - failed;
console.log(
  JSON.stringify({
    requests: total,
    ok,
    failed,
    seconds: Number(seconds.toFixed(3)),
    tokens_per_second: Math.round(ok / seconds),
    first_error: firstError,
  })
);
process.exit(failed === 0 ? 0 : 1);
