// Accessibility: axe-core (pinned in package-lock.json) scans every main page of the web
// interface, as a visitor and signed in, in the light and the dark colour scheme, at desktop and
// phone width. The bar: no serious or critical violation (WCAG 2.1 A and AA rules plus
// axe's best practices). Minor and moderate findings are printed, not failed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { startWeb } from "./lib.mjs";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const MODEL = "alice/a11y-model";
const CHILD = "alice/a11y-child";

let web;
let server;
let commitSha = "";

before(async () => {
	web = await startWeb();
	server = web.server;
	await web.api("POST", "/api/repos/create", { name: "a11y-model" });
	const done = await web.commit(MODEL, "add model files", {
		"README.md": "---\nlicense: mit\npipeline_tag: text-generation\ntags: [demo]\n---\n# Accessible model\n\nA table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[a link](https://example.org) and `code`.\n",
		"src/train.py": "import sys\nprint('hello', sys.argv)\n",
		"config.json": '{"hidden_size": 8}\n',
	});
	commitSha = done.commitOid ?? done.commit_oid ?? "";
	await web.commit(MODEL, "tune the config", { "config.json": '{"hidden_size": 16}\n' });
	await web.api("POST", "/api/repos/create", { name: "a11y-child" });
	await web.commit(CHILD, "fine-tune", { "README.md": `---\nbase_model: ${MODEL}\n---\n# Child\n` });
	await web.api("POST", "/api/repos/create", { name: "a11y-data", type: "dataset" });
});

after(async () => {
	await web?.close();
});

/** Waits until the page has settled: no request in flight and no "Loading…" status left. */
async function settle(page) {
	await page.waitForLoadState("networkidle");
	await page.waitForFunction(() => ![...document.querySelectorAll('[role="status"]')].some((e) => /Loading|Searching/.test(e.textContent ?? "")),
		null, { timeout: 10000 }).catch(() => {});
}

/** axe's violations on the page now, as [{id, impact, help, nodes}]. */
async function scan(page) {
	await page.addScriptTag({ content: AXE_SOURCE });
	return page.evaluate(async () => {
		// eslint-disable-next-line no-undef
		const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
		return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
	});
}

function pages() {
	const visitor = ["/", "/models", "/datasets?search=a11y", `/${MODEL}`, `/${CHILD}`, `/${MODEL}/blob/main/src/train.py`,
		`/${MODEL}/tree/main`, `/${MODEL}/commits/main`, "/datasets/alice/a11y-data", "/alice", "/login", "/alice/no-such-repo",
		`/${MODEL}/blob/main/README.md`, `/${MODEL}/commits/main/config.json`];
	if (commitSha) visitor.push(`/${MODEL}/commit/${commitSha}`);
	const signedIn = ["/", `/${MODEL}`, "/new", "/settings/tokens", `/${MODEL}/settings`, `/${MODEL}/edit/main/README.md`,
		`/${MODEL}/tree/main/src`, `/${MODEL}/blob/main/src/train.py`];
	return { visitor, signedIn };
}

async function scanAll(label, options, signIn) {
	// axe is injected as a script tag, which the page's Content-Security-Policy refuses: the
	// scanning context bypasses the CSP (the other tests keep it, and check it holds).
	const { context, page, problems } = await web.newPage(options.viewport, { bypassCSP: true });
	await page.emulateMedia({ colorScheme: options.colorScheme });
	const list = pages();
	if (signIn) await web.signIn(page);
	const serious = [];
	for (const url of signIn ? list.signedIn : list.visitor) {
		await page.goto(server.baseUrl + url);
		await page.locator("main h1").first().waitFor();
		await settle(page);
		for (const v of await scan(page)) {
			const line = `${label} ${url}: [${v.impact}] ${v.id}: ${v.help} (${v.nodes.join(", ")})`;
			if (v.impact === "serious" || v.impact === "critical") serious.push(line);
			else console.log(`# ${line}`);
		}
	}
	assert.deepEqual(serious, [], "serious or critical accessibility violations");
	assert.deepEqual(problems, []);
	await context.close();
}

test("no serious accessibility violation on the main pages (visitor, light, desktop)", async () => {
	await scanAll("light", { viewport: { width: 1280, height: 900 }, colorScheme: "light" }, false);
});

test("no serious accessibility violation on the main pages (visitor, dark, phone)", async () => {
	await scanAll("dark/phone", { viewport: { width: 390, height: 844 }, colorScheme: "dark" }, false);
});

test("no serious accessibility violation on the pages of a signed-in user (light and dark)", async () => {
	await scanAll("signed-in", { viewport: { width: 1280, height: 900 }, colorScheme: "light" }, true);
	await scanAll("signed-in/dark", { viewport: { width: 1280, height: 900 }, colorScheme: "dark" }, true);
});
