// What the web end-to-end test files share: a real `vitrine serve` that serves the web build
// (build/web beside the binary), Debian's Chromium through playwright-core, a page that records
// console errors and page errors, screenshots, and API calls made as a user. Each *.test.mjs
// file starts its own server and browser (run.sh runs the files one after another).
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { REPO_ROOT, startServer, vitrineBin } from "../client/js/harness.mjs";

export const OUT = process.env.VITRINE_WEB_TEST_OUT || mkdtempSync(path.join(tmpdir(), "vitrine-web-out-"));
mkdirSync(OUT, { recursive: true });

process.on("exit", () => {
	if (!process.env.VITRINE_WEB_TEST_OUT && process.env.VITRINE_KEEP === undefined && process.env.VITRINE_UPDATE_SCREENSHOTS !== "1") {
		rmSync(OUT, { recursive: true, force: true });
	}
});

/**
 * Starts a server (users alice and bob, see harness.mjs) and Chromium.
 * Returns { server, browser, api(method, path, body, contentType, token), commit(repo, summary,
 * files, type), newPage(viewport), signIn(page, token), close() }.
 */
export async function startWeb() {
	const server = await startServer();
	const index = await (await fetch(server.baseUrl + "/")).text();
	assert.match(index, /<div id="app">/,
		`the server at ${vitrineBin()} serves no web interface: build it (scripts/build.sh installs web/ as build/web beside the binary)`);
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
		headless: true,
		args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync"],
	});

	/** An API call as a user (alice's write token unless `token` says otherwise); the parsed JSON. */
	async function api(method, urlPath, body, contentType = "application/json", token = server.tokens.alice) {
		const res = await fetch(server.baseUrl + urlPath, {
			method,
			headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": contentType },
			body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
		});
		const text = await res.text();
		assert.ok(res.ok, `${method} ${urlPath}: ${res.status} ${text}`);
		return text ? JSON.parse(text) : null;
	}

	/** One commit through the commit API: files maps paths to string or Buffer contents. */
	async function commit(repo, summary, files, type = "model", token = server.tokens.alice) {
		const lines = [{ key: "header", value: { summary } }];
		for (const [p, content] of Object.entries(files)) {
			lines.push({ key: "file", value: { path: p, encoding: "base64", content: Buffer.from(content).toString("base64") } });
		}
		return api("POST", `/api/${type}s/${repo}/commit/main`, lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
			"application/x-ndjson", token);
	}

	/**
	 * A fresh browser context and page; `problems` collects page errors and console errors.
	 * `contextOptions` go to Playwright's browser.newContext (e.g. { bypassCSP: true }).
	 */
	async function newPage(viewport = { width: 1280, height: 900 }, contextOptions = {}) {
		const context = await browser.newContext({ viewport, acceptDownloads: true, ...contextOptions });
		const page = await context.newPage();
		const problems = [];
		page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
		page.on("console", (m) => {
			// A refused request (401/404 the page handles) is logged by Chromium as a console error
			// "Failed to load resource"; anything else (CSP violations, exceptions) is a problem.
			if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
		});
		return { context, page, problems };
	}

	/** Signs the page in with an access token through /login (alice's write token by default). */
	async function signIn(page, token = server.tokens.alice) {
		await page.goto(server.baseUrl + "/login");
		await page.getByLabel("Token (hf_…)").fill(token);
		await page.getByRole("button", { name: "Use this token" }).click();
		await page.getByText("Signed in as").waitFor();
	}

	async function close() {
		await browser?.close();
		await server?.stop();
		console.log(`# screenshots in ${OUT}`);
	}

	return { server, browser, api, commit, newPage, signIn, close };
}

/** A full-page screenshot into OUT as {name}.png. */
export function shot(page, name, options = {}) {
	return page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true, ...options });
}

/** Fails unless the page itself does not scroll sideways (tables may scroll in their wrappers). */
export async function assertNoSidewaysScroll(page, what = "the page") {
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
	assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px at ${page.viewportSize()?.width}px`);
}

/**
 * Declares the test that copies screenshots `names` (taken with shot()) into docs/screenshots/ as
 * web-{name}.png; it runs only with VITRINE_UPDATE_SCREENSHOTS=1. Call last in a test file.
 */
export function docsScreenshots(names) {
	test("screenshots for the docs", { skip: process.env.VITRINE_UPDATE_SCREENSHOTS !== "1" && "VITRINE_UPDATE_SCREENSHOTS is not 1" }, () => {
		const docs = path.join(REPO_ROOT, "docs", "screenshots");
		mkdirSync(docs, { recursive: true });
		for (const name of names) copyFileSync(path.join(OUT, `${name}.png`), path.join(docs, `web-${name}.png`));
	});
}
