// Drives `iadvize-auth serve`'s rehearsal page and stand-in tag in headless Chromium (Debian's
// /usr/bin/chromium, through playwright-core, which downloads no browser), and prints what a
// person would see as one JSON object. tests/it/serve/browser.rs starts the server, runs this
// script and asserts on its output.
//
//   node tests/browser/rehearsal.mjs SCENARIO
//
// Environment: SERVE_URL (the server's base URL), INTEROP_DIR (where tests/interop/setup.sh
// installed playwright-core), SCREENSHOT (a PNG path, optional), BAD_TOKEN (for the failure
// scenario), BRAND_ORIGIN (http://127.0.0.2:PORT, a free port: the brand page's own server, an
// origin the server allows), FAULT (the fault to pick), PASTED (the text to paste in the
// inspector), DROPPED (the path of a file to drop on the inspector).
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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

// Whether the page is wider than the window (a sideways scroll bar).
async function overflows() {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

// What a person sees on the inspector page.
async function inspector() {
  return page.evaluate(() => ({
    state: document.body.dataset.state,
    summary: document.getElementById("summary").textContent,
    error: document.getElementById("error").hidden ? null : document.getElementById("error").textContent,
    hint: document.getElementById("hint").innerText,
    note: document.querySelector("header .note").innerText,
    tokens: [...document.querySelectorAll("#results article.token")].map((article) => ({
      answer: article.dataset.answer,
      verdict: article.querySelector(".verdict").innerText,
      sentence: article.querySelector(".sentence").textContent,
      places: [...article.querySelectorAll(".places li")].map((li) => li.textContent),
      notes: [...article.querySelectorAll(".key-note")].map((p) => p.textContent),
      fixes: [...article.querySelectorAll(".fix li")].map((li) => li.innerText),
      folded: [...article.querySelectorAll("details")].every((d) => !d.open),
      text: article.innerText,
    })),
  }));
}

async function inspected() {
  await page.waitForFunction(() => ["done", "error"].includes(document.body.dataset.state), null, {
    timeout: 30000,
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
  } else if (scenario === "fault") {
    // A tester picks a fault in the picker and logs in.
    await page.goto(`${base}?${new URLSearchParams({ userId: "customer-8812", retryDelay: "50" })}`);
    result.firstView = await page.evaluate(() => ({
      hint: document.getElementById("first-view").innerText,
      activationShown: !document.getElementById("activation").hidden,
    }));
    await page.waitForFunction(() => document.querySelectorAll("#fault option").length > 1);
    result.options = await page.evaluate(() =>
      [...document.querySelectorAll("#fault option")].map((o) => ({ value: o.value, disabled: o.disabled, title: o.title }))
    );
    await page.selectOption("#fault", process.env.FAULT);
    result.faultNote = await page.textContent("#fault-note");
    await page.click("#login");
    await settled(1);
    // iAdvize's script retries: the four verdicts of the stand-in arrive before the activation.
    result.first = await observe();
    result.notices = await page.evaluate(() =>
      document.getElementById("notices").hidden
        ? []
        : [...document.getElementById("notices").children].map((li) => li.textContent)
    );
    result.overflows = await overflows();
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  } else if (scenario === "inspect-paste") {
    await page.goto(`${base}inspect`);
    result.firstView = await inspector();
    await page.fill("#text", process.env.PASTED);
    await page.click("#inspect");
    await inspected();
    result.shown = await inspector();
    result.overflows = await overflows();
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  } else if (scenario === "inspect-drop") {
    await page.goto(`${base}inspect`);
    const text = readFileSync(process.env.DROPPED, "utf8");
    const name = path.basename(process.env.DROPPED);
    // What the browser does when a file is dragged from the desktop and let go on the page.
    await page.evaluate(
      ([content, fileName]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([content], fileName, { type: "application/json" }));
        for (const type of ["dragenter", "dragover", "drop"]) {
          document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }
      },
      [text, name]
    );
    await inspected();
    result.shown = await inspector();
    result.file = await page.textContent("#file");
    result.overflows = await overflows();
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
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
