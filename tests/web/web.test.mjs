// The web interface end to end: Debian's Chromium (headless, through playwright-core) against a
// real `vitrine serve` that serves the Vite build beside the binary. A model with a README, a
// file and a derived model is made through the API; the browser then finds it on the home
// page, opens it with the keyboard, reads its files, downloads one (bytes compared), reads its
// history, lineage and openness report, opens a file in the viewer (content, size, download),
// sees a force-push made with git flagged in the repository's log of refs, searches, signs in
// with a token and with a password, creates a repository from its page and uploads files into it
// (a drop and the file input; a 12 MiB file through LFS; downloads compared), and the page's
// JavaScript is weighed (gzip) against the 300 KB budget. Screenshots land in
// VITRINE_WEB_TEST_OUT (and docs/screenshots/ with VITRINE_UPDATE_SCREENSHOTS=1).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { seededBuffer, vitrineBin } from "../client/js/harness.mjs";
import { startWeb, shot, assertNoSidewaysScroll, docsScreenshots } from "./lib.mjs";

const JS_BUDGET = 300 * 1024;
const MODEL = "alice/web-model";
const CHILD = "alice/web-child";
const WEIGHTS = seededBuffer("web-weights", 3000);
const PASSWORD = "correct horse battery staple";
// A text file whose content must be shown as text, never as HTML.
const SCRIPT = 'import sys\n\n# <script>window.injected = 1</script> <b>not bold</b>\nprint("hello", sys.argv)\n';
const FORCED = "alice/web-forced";

let web;
let server;
let api;
let commit;
let newPage;

before(async () => {
	web = await startWeb();
	({ server, api, commit, newPage } = web);
	await api("POST", "/api/repos/create", { name: "web-model" });
	await commit(MODEL, "add model files", {
		"README.md": "---\nlicense: mit\ntags: [text-generation, demo]\n---\n# Vitrine web test model\n\nHello **world**.\n",
		"weights/model.bin": WEIGHTS,
		"src/train.py": SCRIPT,
	});
	await api("POST", "/api/repos/create", { name: "web-child" });
	await commit(CHILD, "fine-tune", {
		"README.md": `---\nlicense: apache-2.0\nbase_model: ${MODEL}\nbase_model_relation: finetune\n---\n# A fine-tune\n`,
	});
	await api("POST", "/api/repos/create", { name: "web-secret", private: true });
	await api("POST", "/api/repos/create", { name: "web-data", type: "dataset" });
	execFileSync(vitrineBin(), ["user", "set-password", "alice", "--data", server.dataDir], { input: PASSWORD + "\n" });
});

after(async () => {
	await web?.close();
});

test("home lists the new repositories; the keyboard opens one; files, download, history, lineage, openness", async () => {
	const { context, page, problems } = await newPage();
	await page.goto(server.baseUrl + "/");
	await page.getByRole("heading", { level: 1, name: "Open models and datasets" }).waitFor();
	const models = page.getByRole("region", { name: "Recently updated models" });
	await models.getByRole("link", { name: MODEL, exact: true }).waitFor();
	await page.getByRole("region", { name: "Recently updated datasets" }).getByRole("link", { name: "alice/web-data" }).waitFor();
	assert.equal(await page.getByText("web-secret").count(), 0, "an anonymous visitor sees no private repository");
	await shot(page, "home");

	// Keyboard only: Tab to the model's link, Enter.
	let focused = "";
	for (let i = 0; i < 40 && focused !== MODEL; i++) {
		await page.keyboard.press("Tab");
		focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
	}
	assert.equal(focused, MODEL, "the model's link is reachable with Tab");
	await page.keyboard.press("Enter");
	await page.waitForURL(`${server.baseUrl}/${MODEL}`);
	const h1 = page.getByRole("heading", { level: 1, name: MODEL });
	await h1.waitFor();
	assert.equal(await h1.evaluate((el) => el === document.activeElement), true, "focus moves to the new page's heading");
	assert.equal(await page.title(), `${MODEL} · Vitrine`);

	// Header: tags as chips.
	const tags = page.getByRole("list", { name: "Tags" });
	for (const tag of ["text-generation", "demo", "license:mit"]) await tags.getByText(tag, { exact: true }).waitFor();

	// Card (rendered by the hub, or the README's text where the hub has no card endpoint).
	await page.getByRole("region", { name: "Model card" }).getByText("Vitrine web test model").first().waitFor();

	// Files with sizes.
	const files = page.getByRole("region", { name: "Files" });
	const row = files.getByRole("row").filter({ hasText: "weights/model.bin" });
	await row.waitFor();
	assert.match(await row.innerText(), /2\.9 KB/);
	await files.getByRole("row").filter({ hasText: "README.md" }).waitFor();

	// Download: the link's bytes are the file's.
	const [download] = await Promise.all([
		page.waitForEvent("download"),
		files.getByRole("link", { name: "Download weights/model.bin" }).click(),
	]);
	assert.equal(download.suggestedFilename(), "model.bin");
	const saved = await download.path();
	assert.ok(readFileSync(saved).equals(WEIGHTS), "downloaded bytes equal the uploaded file");

	// History, newest first.
	const history = page.getByRole("region", { name: "History" });
	await history.getByText("add model files").waitFor();
	const titles = await history.locator(".commit-title").allInnerTexts();
	assert.deepEqual(titles, ["add model files", "initial commit"]);

	// Lineage: no parent, one derived model.
	const lineage = page.getByRole("region", { name: "Lineage" });
	await lineage.getByText("No parent is declared").waitFor();
	await lineage.getByRole("link", { name: CHILD }).waitFor();
	assert.match(await lineage.innerText(), /1 direct child: 1 finetune/);

	// Openness report.
	const openness = page.getByRole("region", { name: "Openness" });
	await openness.getByText("Openness report (Markdown)").click();
	await openness.getByText("Model Openness Framework components").waitFor();
	await shot(page, "repository");

	// The lineage link leads to the child, whose parent carries a badge.
	await lineage.getByRole("link", { name: CHILD }).click();
	await page.getByRole("heading", { level: 1, name: CHILD }).waitFor();
	const childLineage = page.getByRole("region", { name: "Lineage" });
	const parent = childLineage.getByRole("listitem").filter({ has: page.getByRole("link", { name: MODEL }) });
	await parent.waitFor();
	assert.match(await parent.innerText(), /finetune/i);
	assert.match(await parent.locator(".badge").innerText(), /^(verified|declared)$/);
	await shot(page, "repository-child");

	// Back goes back.
	await page.goBack();
	await page.getByRole("heading", { level: 1, name: MODEL }).waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("the file viewer: a file opens from the list with its size and content; download; a binary file", async () => {
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${MODEL}`);
	await page.getByRole("region", { name: "Files" }).getByRole("link", { name: "src/train.py", exact: true }).click();
	await page.waitForURL(`${server.baseUrl}/${MODEL}/blob/main/src/train.py`);
	const h1 = page.getByRole("heading", { level: 1, name: "train.py" });
	await h1.waitFor();
	assert.equal(await h1.evaluate((el) => el === document.activeElement), true, "focus moves to the file's heading");
	const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
	assert.deepEqual(await crumbs.getByRole("listitem").allInnerTexts(), [MODEL, "src"]);
	const facts = page.locator(".file-facts");
	await facts.waitFor();
	assert.match(await facts.innerText(), new RegExp(`\\(${SCRIPT.length} bytes\\)`));
	assert.match(await facts.innerText(), /in git/);
	const lines = page.locator("pre.code .line");
	await lines.first().waitFor();
	assert.deepEqual(await lines.allInnerTexts(), SCRIPT.split("\n").slice(0, -1).map((l) => l || ""));
	assert.equal(await page.locator("pre.code script, pre.code b").count(), 0, "the content is text, not HTML");
	assert.equal(await page.evaluate(() => window.injected), undefined);
	await shot(page, "file");
	const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download src/train.py" }).click()]);
	assert.equal(readFileSync(await download.path()).toString(), SCRIPT, "downloaded bytes equal the file");

	// A binary file: no content, its size and the download.
	await page.goto(`${server.baseUrl}/${MODEL}/blob/main/weights/model.bin`);
	await page.getByText(`Binary file, ${WEIGHTS.length.toLocaleString("en")} bytes.`).waitFor();
	assert.equal(await page.locator("pre.code").count(), 0);
	// A missing file says so; the breadcrumb leads back to the repository.
	await page.goto(`${server.baseUrl}/${MODEL}/blob/main/nope.txt`);
	await page.getByRole("alert").getByText(/There is no file nope.txt/).waitFor();
	await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: MODEL }).click();
	await page.getByRole("heading", { level: 1, name: MODEL }).waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("a force-push made with git is flagged in the repository's log of refs", async () => {
	await api("POST", "/api/repos/create", { name: "web-forced" });
	await commit(FORCED, "first version", { "notes.txt": "one\n" });
	const work = mkdtempSync(path.join(tmpdir(), "vitrine-web-git-"));
	try {
		const env = {
			...process.env, HOME: work, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "/bin/false",
			GIT_AUTHOR_NAME: "Alice", GIT_AUTHOR_EMAIL: "alice@vitrine.invalid",
			GIT_COMMITTER_NAME: "Alice", GIT_COMMITTER_EMAIL: "alice@vitrine.invalid",
		};
		const git = (...args) => execFileSync("git", args, { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] }).toString();
		const url = new URL(`${server.baseUrl}/${FORCED}`);
		url.username = "x";
		url.password = server.tokens.alice;
		git("clone", "-q", url.href, "c");
		writeFileSync(path.join(work, "c", "notes.txt"), "one, rewritten\n");
		git("-C", "c", "commit", "-q", "-a", "--amend", "-m", "first version, rewritten");
		git("-C", "c", "push", "-q", "--force", "origin", "main");
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
	// The log publishes a checkpoint at least every 2 s; the page shows what is published.
	let entries = [];
	for (let i = 0; i < 50 && !entries.some((e) => e.entry.forced); i++) {
		if (i) await new Promise((r) => setTimeout(r, 200));
		entries = (await (await fetch(`${server.baseUrl}/api/models/${FORCED}/tlog`)).json()).entries;
	}
	const forced = entries.find((e) => e.entry.forced);
	assert.ok(forced, `no forced entry in ${JSON.stringify(entries)}`);

	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${FORCED}`);
	const log = page.getByRole("region", { name: "History of refs" });
	const item = log.getByRole("listitem").filter({ hasText: "force-push: history rewritten" });
	await item.waitFor();
	assert.equal(await item.count(), 1, "one force-push");
	const text = await item.innerText();
	assert.match(text, /main/);
	assert.match(text, new RegExp(`${forced.entry.old.slice(0, 7)}\\s*→\\s*${forced.entry.new.slice(0, 7)}`));
	assert.match(text, /alice via git/);
	// The other changes: the API commits, not flagged.
	assert.ok((await log.getByRole("listitem").count()) >= 3, "creation, commits and the push are listed");
	assert.match(await log.getByRole("listitem").last().innerText(), /repository create/);
	// The entry's inclusion proof.
	const proof = item.getByRole("link", { name: `Inclusion proof of log entry ${forced.index}` });
	const href = await proof.getAttribute("href");
	assert.equal(href, `/api/tlog/proof/inclusion?index=${forced.index}`);
	const body = await (await fetch(server.baseUrl + href)).json();
	assert.equal(body.index, forced.index);
	assert.equal(body.leaf_hash, forced.leaf_hash);
	await shot(page, "repository-reflog");
	assert.deepEqual(problems, []);
	await context.close();
});

test("a repository page loads at most 300 KB of JavaScript (gzip) and fits a phone screen", async () => {
	const { context, page, problems } = await newPage({ width: 390, height: 844 });
	const scripts = [];
	page.on("response", (r) => {
		if (r.request().resourceType() === "script") scripts.push(r);
	});
	await page.goto(`${server.baseUrl}/${MODEL}`);
	await page.getByRole("region", { name: "Files" }).getByText("weights/model.bin").waitFor();
	await page.getByRole("region", { name: "History" }).getByText("add model files").waitFor();
	let total = 0;
	for (const r of scripts) total += gzipSync(await r.body()).length;
	console.log(`# repository page: ${scripts.length} script(s), ${(total / 1024).toFixed(1)} KB of JavaScript (gzip)`);
	assert.ok(scripts.length > 0, "the page loaded its script");
	assert.ok(total <= JS_BUDGET, `${total} bytes of JavaScript (gzip) > ${JS_BUDGET}`);
	await assertNoSidewaysScroll(page);
	await shot(page, "repository-phone");
	assert.deepEqual(problems, []);
	await context.close();
});

test("search; a page URL opened directly; an unknown page", async () => {
	const { context, page, problems } = await newPage();
	await page.goto(server.baseUrl + "/");
	await page.getByRole("searchbox", { name: "Search models and datasets" }).fill("web-child");
	await page.keyboard.press("Enter");
	await page.waitForURL(`${server.baseUrl}/?search=web-child`);
	const models = page.getByRole("region", { name: "Models" });
	await models.getByRole("link", { name: CHILD }).waitFor();
	assert.equal(await models.getByRole("link", { name: MODEL, exact: true }).count(), 0);
	await page.getByRole("region", { name: "Datasets" }).getByText("Nothing matches").waitFor();

	await page.goto(`${server.baseUrl}/datasets/alice/web-data`);
	await page.getByRole("heading", { level: 1, name: "alice/web-data" }).waitFor();
	await page.getByRole("region", { name: "Dataset card" }).waitFor();
	await page.goto(`${server.baseUrl}/alice/does-not-exist`);
	await page.getByRole("alert").getByText(/does not exist|sign in/).waitFor();
	await page.goto(`${server.baseUrl}/models`);
	await page.getByRole("heading", { level: 1, name: "Models" }).waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("sign in with a token, then with a password; private repositories appear; sign out", async () => {
	const { context, page, problems } = await newPage();
	await page.goto(server.baseUrl + "/login");
	await page.getByLabel("Token (hf_…)").fill(server.tokens.alice);
	await page.getByRole("button", { name: "Use this token" }).click();
	await page.getByText("Signed in as").waitFor();
	await page.getByRole("region", { name: "Recently updated models" }).getByRole("link", { name: "alice/web-secret" }).waitFor();
	await page.getByRole("button", { name: "Sign out" }).click();
	await page.getByRole("link", { name: "Sign in" }).waitFor();
	assert.equal(await page.evaluate(() => localStorage.getItem("vitrine.token")), null);

	await page.getByRole("link", { name: "Sign in" }).click();
	await page.getByLabel("User name").fill("alice");
	await page.getByLabel("Password").fill("wrong password");
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.getByRole("alert").waitFor();
	await page.getByLabel("Password").fill(PASSWORD);
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.getByText("Signed in as").waitFor();
	await page.getByRole("region", { name: "Recently updated models" }).getByRole("link", { name: "alice/web-secret" }).waitFor();
	await shot(page, "signed-in");
	// Signed in with the session cookie only: the upload panel is offered (publish.test.mjs
	// uploads through it).
	await page.goto(`${server.baseUrl}/${MODEL}`);
	await page.getByRole("region", { name: "Upload files" }).getByLabel("Choose files").waitFor();
	await page.getByRole("button", { name: "Sign out" }).click();
	await page.getByRole("link", { name: "Sign in" }).waitFor();
	await page.reload();
	await page.getByRole("link", { name: "Sign in" }).waitFor();
	assert.equal(await page.getByText("alice/web-secret").count(), 0, "signed out: the session is gone");
	assert.deepEqual(problems, []);
	await context.close();
});

test("publishing: a new repository from its page, files uploaded by drop and by the file input (LFS for the large one); 409", async () => {
	const NOTES = "Uploaded from the browser.\nSecond line.\n";
	const BIG = seededBuffer("web-upload-big", 12 * 1024 * 1024);
	const { context, page, problems } = await newPage();
	const scripts = [];
	page.on("response", (r) => {
		if (r.request().resourceType() === "script") scripts.push(r);
	});
	await page.goto(server.baseUrl + "/login");
	await page.getByLabel("Token (hf_…)").fill(server.tokens.alice);
	await page.getByRole("button", { name: "Use this token" }).click();
	await page.getByText("Signed in as").waitFor();

	// The header's link opens the form; the repository is made and its page opens.
	await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New repository" }).click();
	await page.getByRole("heading", { level: 1, name: "New repository" }).waitFor();
	await page.getByLabel("Name").fill("web-upload");
	await page.getByLabel("Model").check();
	await page.getByLabel(/Public: anyone/).check();
	await page.getByLabel(/License/).fill("mit");
	await page.getByRole("button", { name: "Create repository" }).click();
	await page.waitForURL(`${server.baseUrl}/alice/web-upload`);
	await page.getByRole("heading", { level: 1, name: "alice/web-upload" }).waitFor();
	const files = page.getByRole("region", { name: "Files" });
	await files.getByRole("row").filter({ hasText: "README.md" }).waitFor();

	// A small text file dropped on the zone (a drop event carrying a DataTransfer), the large one
	// through the file input; each gets a labelled progress bar.
	const upload = page.getByRole("region", { name: "Upload files" });
	await upload.locator(".drop-zone").evaluate((zone, text) => {
		const dt = new DataTransfer();
		dt.items.add(new File([text], "notes.txt", { type: "text/plain" }));
		zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
		zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
	}, NOTES);
	await upload.getByLabel("Choose files").setInputFiles({ name: "big.bin", mimeType: "application/octet-stream", buffer: BIG });
	await upload.getByRole("progressbar", { name: /^notes\.txt/ }).waitFor();
	await upload.getByRole("progressbar", { name: /^big\.bin \(12 MB\)/ }).waitFor();
	await upload.getByLabel("Commit message").fill("upload from the browser");
	await upload.getByRole("button", { name: "Upload" }).click();
	await upload.getByRole("status").getByText("Committed “upload from the browser”: 2 files.").waitFor({ timeout: 30000 });
	for (const name of ["notes.txt", "big.bin"]) {
		assert.equal(await upload.getByRole("progressbar", { name: new RegExp(`^${name.replace(".", "\\.")}`) }).evaluate((p) => p.value), 1);
	}
	await shot(page, "upload");
	// The upload library is loaded only now, in its own bundle(s).
	const sizes = [];
	for (const r of scripts) sizes.push(`${new URL(r.url()).pathname} ${(gzipSync(await r.body()).length / 1024).toFixed(1)} KB`);
	console.log(`# scripts (gzip) after an upload: ${sizes.join(", ")}`);
	assert.ok(scripts.length >= 2, "the upload library is a separate bundle");

	// The files, with their sizes; the large one is an LFS file; the commit is in the history.
	const big = files.getByRole("row").filter({ hasText: "big.bin" });
	await big.waitFor();
	assert.match(await big.innerText(), /12 MB/);
	assert.match(await big.innerText(), /large file/);
	const notes = files.getByRole("row").filter({ hasText: "notes.txt" });
	assert.match(await notes.innerText(), new RegExp(`${NOTES.length} B`));
	assert.doesNotMatch(await notes.innerText(), /large file/);
	await page.getByRole("region", { name: "History" }).getByText("upload from the browser").waitFor();
	const info = await (await fetch(`${server.baseUrl}/api/models/alice/web-upload/paths-info/main`, {
		method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ paths: ["big.bin"] }),
	})).json();
	assert.equal(info[0]?.lfs?.size, BIG.length, `big.bin is stored as an LFS file: ${JSON.stringify(info)}`);

	// Downloads: the bytes are the ones uploaded.
	for (const [name, bytes] of [["notes.txt", Buffer.from(NOTES)], ["big.bin", BIG]]) {
		const [download] = await Promise.all([page.waitForEvent("download"), files.getByRole("link", { name: `Download ${name}` }).click()]);
		assert.ok(readFileSync(await download.path()).equals(bytes), `downloaded ${name} equals the uploaded file`);
	}

	// The same name again (the page opened by its URL): the server's 409 is shown.
	await page.goto(server.baseUrl + "/new");
	await page.getByText("Signed in as").waitFor();
	await page.getByLabel("Name").fill("web-upload");
	await page.getByRole("button", { name: "Create repository" }).click();
	const alert = page.getByRole("alert");
	await alert.waitFor();
	assert.match(await alert.innerText(), /Could not create the repository: You already created this model repo: alice\/web-upload/);
	assert.equal(new URL(page.url()).pathname, "/new");
	assert.deepEqual(problems, []);
	await context.close();
});

docsScreenshots(["home", "repository", "file"]);
