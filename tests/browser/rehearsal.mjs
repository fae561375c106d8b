// Drives `iadvize-auth serve`'s rehearsal page and stand-in tag in headless Chromium (Debian's
// /usr/bin/chromium, through playwright-core, which downloads no browser), and prints what a
// person would see as one JSON object. tests/serve_browser.rs starts the server, runs this
// script and asserts on its output.
//
//   node tests/browser/rehearsal.mjs SCENARIO
//
// Environment: SERVE_URL (the server's base URL), INTEROP_DIR (where tests/interop/setup.sh
// installed playwright-core), SCREENSHOT (a PNG path, optional), BAD_TOKEN (for the failure
// scenario), BRAND_ORIGIN (http://127.0.0.2:PORT, a free port: the brand page's own server, an
// origin the server allows).
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const scenario = process.argv[2];
const base = process.env.SERVE_URL;
const interop = process.env.INTEROP_DIR;
const require = createRequire(path.join(interop, "node", "package.json"));
const { chromium } = require("playwright-core");

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SETTLED = ["authentication-success", "authentication-failure"];

const profile = mkdtempSync(path.join(os.tmpdir(), "iadvize-auth-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ARGS,
});
const page = context.pages()[0] || (await context.newPage());
const consoleLines = [];
page.on("console", (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
page.on("pageerror", (error) => consoleLines.push(`pageerror: ${error.message}`));

async function settled(previous) {
  await page.waitForFunction(
    ([settledStates, before]) =>
      settledStates.includes(document.body.dataset.status) &&
      document.getElementById("events").children.length > before,
    [SETTLED, previous],
    { timeout: 30000 }
  );
}

async function eventCount() {
  return page.evaluate(() => document.getElementById("events").children.length);
}

// What a person sees on the rehearsal page.
async function observe() {
  return page.evaluate(() => {
    const visible = (id) => {
      const element = document.getElementById(id);
      return !element.hidden && element.getBoundingClientRect().height > 0;
    };
    return {
      status: document.body.dataset.status,
      session: document.body.dataset.session,
      refreshes: Number(document.body.dataset.refreshes),
      statusText: document.getElementById("status").textContent,
      banner: visible("visitor-banner") ? document.getElementById("visitor-banner").textContent.trim() : null,
      advisorLock: visible("advisor-lock"),
      advisorName: document.getElementById("advisor-name").textContent,
      reason: visible("reason") ? document.getElementById("reason").textContent : null,
      diagnosis: visible("diagnosis") ? document.getElementById("diagnosis").innerText : null,
      activation: document.getElementById("activation").textContent,
      events: [...document.getElementById("events").children].map((li) => li.textContent),
    };
  });
}

async function rehearsal(query) {
  await page.goto(`${base}?${new URLSearchParams(query)}`);
  await settled(0);
  return observe();
}

const result = { scenario };
try {
  if (scenario === "login") {
    result.first = await rehearsal({ userId: "customer-8812", autorun: "1" });
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
    // Log in again without logging out.
    let before = await eventCount();
    await page.click("#login");
    await settled(before);
    result.twice = await observe();
    // Log out, then in again.
    await page.click("#logout");
    await page.waitForFunction(() => document.body.dataset.status === "logged-out");
    result.loggedOut = await observe();
    before = await eventCount();
    await page.click("#login");
    await settled(before);
    result.again = await observe();
  } else if (scenario === "bad-token") {
    // The brand's own backend, played by the test: it answers a token the test made.
    await page.route(`${base}brand-backend/token`, (route) =>
      route.fulfill({ contentType: "application/json", body: JSON.stringify({ token: process.env.BAD_TOKEN }) })
    );
    result.first = await rehearsal({
      userId: "customer-8812",
      endpoint: `${base}brand-backend/token`,
      retryDelay: "50",
      autorun: "1",
    });
  } else if (scenario === "boxed") {
    result.first = await rehearsal({ userId: "customer-8812", mode: "boxed", autorun: "1" });
    await page.click("#logout");
    await page.waitForFunction(() => document.body.dataset.status === "logged-out");
    const before = await eventCount();
    await page.click("#login");
    await settled(before);
    result.again = await observe();
  } else if (scenario === "refresh") {
    result.first = await rehearsal({ userId: "customer-8812", sessionLifetime: "1", autorun: "1" });
    await page.waitForFunction(() => Number(document.body.dataset.refreshes) >= 2, null, { timeout: 30000 });
    result.later = await observe();
  } else if (scenario === "brand-page") {
    // A page of the test's own, on another origin (its own loopback server, as a front-end
    // developer's), written as a brand writes its page for the real tag: only the script's
    // address differs.
    const origin = new URL(process.env.BRAND_ORIGIN);
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body>
<p id="out">waiting</p>
<script>
  window.iAdvizeInterface = window.iAdvizeInterface || [];
  window.iAdvizeInterface.config = { sid: "1234", standin: { retryDelay: 50 } };
  const results = {};
  const provider = async () => {
    const response = await fetch("${base}token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ userId: "shop-customer-42" }),
    });
    const { token } = await response.json();
    return { authenticationOption: { type: "SECURED_AUTHENTICATION", token } };
  };
  window.iAdvizeInterface.push(async (iAdvize) => {
    const first = iAdvize.activate(provider);
    // Called again before the first one resolved.
    results.ongoing = await iAdvize.activate(provider);
    results.first = await first;
    results.twice = await iAdvize.activate(provider);
    await iAdvize.logout();
    results.invalid = await iAdvize.activate(async () => ({ authenticationOption: { type: "SECURED" } }));
    results.afterLogout = await iAdvize.activate(provider);
    document.getElementById("out").textContent = JSON.stringify(results);
  });
</script>
<script async src="${base}standin.js"></script>
</body></html>`;
    const shop = http.createServer((request, response) => {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      response.end(html);
    });
    await new Promise((resolve) => shop.listen(Number(origin.port), origin.hostname, resolve));
    try {
      await page.goto(`${origin.origin}/shop`);
      await page.waitForFunction(() => document.getElementById("out").textContent !== "waiting", null, {
        timeout: 30000,
      });
      result.results = JSON.parse(await page.textContent("#out"));
    } finally {
      shop.close();
    }
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
} catch (error) {
  result.error = String(error && error.stack ? error.stack : error);
  try {
    result.seen = await observe();
  } catch (_) {
    // Not on the rehearsal page.
  }
}
result.console = consoleLines;
await context.close();
rmSync(profile, { recursive: true, force: true });
console.log(JSON.stringify(result));
