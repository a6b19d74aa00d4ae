// Browser timings of the web interface for bench/web.sh (docs/benchmarks.md, "Web interface"):
// Debian's Chromium through playwright-core (tests/web/node_modules) against a running hub.
//   node bench/web_timing.mjs URL REPO RUNS
// 1. First load of a repository page, RUNS times, each in a fresh browser context (empty cache):
//    the JavaScript it loads (bytes, gzip) and the time from navigation start until the page is
//    interactive — the application has mounted, the card is rendered and no part of the page
//    still says "Loading" (files, history, lineage, openness are shown and can be clicked).
// 2. Search as you type on /models: a query typed one key at a time (a pause after each key),
//    RUNS times; per key, the time from the keydown to the results that answer it on screen
//    (the list's data-query), i.e. debounce + request + rendering.
// Prints one JSON object.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "tests", "web", "package.json"));
const { chromium } = require("playwright-core");

const [base, repo, runsArg] = process.argv.slice(2);
const RUNS = Number(runsArg || 10);
const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	headless: true,
	args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync"],
});

// Installed before any page script (init scripts are not subject to the page's CSP): records
// when the repository page first shows its card and its file list, and each change of the
// search results' data-query with the time of the last keydown.
const PROBE = () => {
	window.__vt = { ready: null, keys: [], answers: [] };
	const check = () => {
		if (window.__vt.ready === null && document.querySelector("main .markdown")
			&& ![...document.querySelectorAll("main [role='status']")].some((e) => /Loading/.test(e.textContent ?? ""))) {
			window.__vt.ready = performance.now();
		}
		const list = document.querySelector(".results ul.cards");
		const q = list?.getAttribute("data-query");
		const last = window.__vt.answers[window.__vt.answers.length - 1];
		if (q !== undefined && q !== null && (!last || last.q !== q)) window.__vt.answers.push({ q, t: performance.now() });
	};
	new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
	addEventListener("keydown", () => window.__vt.keys.push(performance.now()), true);
};

const loads = [];
let jsGzip = 0;
for (let i = 0; i < RUNS; i++) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	await page.addInitScript(PROBE);
	const scripts = [];
	page.on("response", (r) => {
		if (r.request().resourceType() === "script") scripts.push(r);
	});
	await page.goto(`${base}/${repo}`);
	try {
		await page.waitForFunction(() => window.__vt.ready !== null, null, { timeout: 30000 });
	} catch (e) {
		const statuses = await page.evaluate(() => [...document.querySelectorAll("main [role='status'], main .error")].map((x) => x.textContent));
		await page.screenshot({ path: "/tmp/vitrine-web-bench-failure.png", fullPage: true });
		throw new Error(`the repository page did not become interactive in 30 s; on screen: ${JSON.stringify(statuses)}`);
	}
	loads.push(await page.evaluate(() => window.__vt.ready));
	if (i === 0) for (const r of scripts) jsGzip += gzipSync(await r.body()).length;
	await context.close();
}

const QUERY = "llama";
const perKey = [];
for (let i = 0; i < RUNS; i++) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	await page.addInitScript(PROBE);
	await page.goto(`${base}/models`);
	await page.locator('.results ul.cards[data-query=""]').waitFor({ state: "attached" });
	const box = page.getByRole("searchbox", { name: "Search models" });
	await box.focus();
	for (let k = 1; k <= QUERY.length; k++) {
		await page.keyboard.press(QUERY[k - 1]);
		const want = `?search=${QUERY.slice(0, k)}`;
		await page.locator(`.results ul.cards[data-query="${want}"]`).waitFor({ state: "attached", timeout: 10000 });
		const ms = await page.evaluate((w) => {
			const key = window.__vt.keys[window.__vt.keys.length - 1];
			const answer = window.__vt.answers.find((a) => a.q === w && a.t >= key);
			return answer ? answer.t - key : null;
		}, want);
		if (ms !== null) perKey.push(ms);
		await page.waitForTimeout(150);  // a typist's pause between keys
	}
	await context.close();
}
await browser.close();

console.log(JSON.stringify({
	repositoryPage: { runs: loads.length, interactiveMsMedian: median(loads), interactiveMsMax: Math.max(...loads), jsGzipBytes: jsGzip },
	searchAsYouType: { keys: perKey.length, msMedian: median(perKey), msMax: Math.max(...perKey), msByKey: perKey.map(Math.round) },
}));
