// Browsing a repository end to end: "Files and versions" (/tree/: folders, breadcrumbs, sizes,
// LFS/Xet badges, last commits, the revision selector, branches and tags), the file viewer's
// syntax highlighting (the text stays exact), the history (/commits/, with "Load more") and a
// commit's page (/commit/: unified diffs of text files, a deletion, a binary and an LFS change).
// A repository with folders, a Python file, an LFS file, two branches, a tag and several commits
// is made through the API (the LFS object through the batch API); Debian's Chromium reads it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import path from "node:path";
import { seededBuffer } from "../client/js/harness.mjs";
import { startWeb, shot, assertNoSidewaysScroll, docsScreenshots } from "./lib.mjs";

const REPO = "alice/browse";
const LONG = "alice/long-history";
const PY = 'import os\n\n\ndef train(steps: int = 10) -> str:\n    """Train <b>it</b>."""\n    # a comment with <script>x</script>\n    return f"done {steps}"  # trailing\n';
const NOTES_1 = "alpha\nbeta\ngamma\ndelta\n";
const NOTES_2 = "alpha\nBETA\ngamma\ndelta\nepsilon\n";
const WEIGHTS_1 = seededBuffer("browse-weights-1", 3000);
const WEIGHTS_2 = seededBuffer("browse-weights-2", 5000);
const sha256 = (b) => createHash("sha256").update(b).digest("hex");

let web, server, api, newPage;
let first, second, devHead;

/** One commit of NDJSON operation lines to `branch`; the commit id. */
async function commitOps(repo, branch, summary, ops) {
	const lines = [{ key: "header", value: { summary } }, ...ops];
	const res = await api("POST", `/api/models/${repo}/commit/${encodeURIComponent(branch)}`,
		lines.map((l) => JSON.stringify(l)).join("\n") + "\n", "application/x-ndjson");
	return res.commitOid;
}
const file = (path, content) => ({ key: "file", value: { path, encoding: "base64", content: Buffer.from(content).toString("base64") } });

/** Uploads `bytes` through the LFS batch API (basic transfer); the lfsFile operation for `path`. */
async function lfsFile(repo, path, bytes) {
	const oid = sha256(bytes);
	const batch = await api("POST", `/${repo}.git/info/lfs/objects/batch`,
		{ operation: "upload", transfers: ["basic"], objects: [{ oid, size: bytes.length }] }, "application/vnd.git-lfs+json");
	const upload = batch.objects[0].actions?.upload;
	if (upload) {
		const res = await fetch(upload.href, { method: "PUT", body: bytes, headers: upload.header ?? {} });
		assert.ok(res.ok, `LFS upload: ${res.status}`);
	}
	return { key: "lfsFile", value: { path, algo: "sha256", oid, size: bytes.length } };
}

/** No sideways scrolling of the page itself (tables scroll in their own wrapper). */
before(async () => {
	web = await startWeb();
	({ server, api, newPage } = web);
	await api("POST", "/api/repos/create", { name: "browse" });
	first = await commitOps(REPO, "main", "add the model", [
		file("README.md", "# Browse\n"),
		file("src/train.py", PY),
		file("src/utils/__init__.py", ""),
		file("configs/base.yaml", "lr: 0.1\n"),
		file("notes.txt", NOTES_1),
		file("old.txt", "to be removed\n"),
		file("img.bin", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2])),
		await lfsFile(REPO, "weights.bin", WEIGHTS_1),
	]);
	await api("POST", `/api/models/${REPO}/tag/main`, { tag: "v1.0" });
	await api("POST", `/api/models/${REPO}/branch/dev`, {});
	second = await commitOps(REPO, "main", "tune the model", [
		file("notes.txt", NOTES_2),
		{ key: "deletedFile", value: { path: "old.txt" } },
		file("added.txt", "new\n"),
		file("img.bin", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 9, 9, 9])),
		await lfsFile(REPO, "weights.bin", WEIGHTS_2),
	]);
	devHead = await commitOps(REPO, "dev", "work on dev", [file("dev-only.txt", "dev\n")]);
	await api("POST", "/api/repos/create", { name: "long-history" });
	for (let i = 1; i <= 31; i++) await commitOps(LONG, "main", `step ${i}`, [file("step.txt", `${i}\n`)]);
});

after(async () => {
	await web?.close();
});

test("files and versions: folders first, breadcrumbs, LFS badge and size, last commits, branches and tags, the revision selector", async () => {
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${REPO}`);
	await page.getByRole("region", { name: "Files" }).getByRole("link", { name: "Browse files" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/tree/main`);
	const table = page.locator("table.tree");
	await table.getByRole("link", { name: "weights.bin", exact: true }).waitFor();
	const names = await table.locator("tbody td.path > a").allInnerTexts();
	assert.deepEqual(names.map((n) => n.trim()), ["▸configs/", "▸src/", ".gitattributes", "README.md", "added.txt", "img.bin", "notes.txt", "weights.bin"],
		"folders first, then files, each by name; the deleted file is gone");
	const tabs = page.getByRole("navigation", { name: "Repository" });
	assert.equal(await tabs.getByRole("link", { name: "Files and versions", exact: true }).getAttribute("aria-current"), "page");

	// The LFS (or Xet, where the hub stores it so) file: badge, its size, not the pointer's.
	const tree = await api("GET", `/api/models/${REPO}/tree/main`);
	const entry = tree.find((e) => e.path === "weights.bin");
	const weights = table.getByRole("row").filter({ has: page.getByRole("link", { name: "weights.bin", exact: true }) });
	assert.equal((await weights.locator(".badge.storage").innerText()).trim(), entry.xetHash ? "Xet" : "LFS");
	assert.match(await weights.locator("td.num").innerText(), /^4\.9 KB$/);
	assert.equal(await weights.locator("td.num").getAttribute("title"), "5,000 bytes");
	assert.equal(await table.getByRole("row").filter({ has: page.getByRole("link", { name: "notes.txt", exact: true }) }).locator(".badge.storage").count(), 0);
	// Last commit per entry (from the expanded listing), linking to the commit's page.
	await weights.getByRole("link", { name: "tune the model", exact: true }).waitFor();
	assert.equal(await weights.getByRole("link", { name: "tune the model", exact: true }).getAttribute("href"), `/${REPO}/commit/${second}`);
	const readme = table.getByRole("row").filter({ has: page.getByRole("link", { name: "README.md", exact: true }) });
	await readme.getByRole("link", { name: "add the model", exact: true }).waitFor();
	// Download links.
	assert.equal(await weights.getByRole("link", { name: "Download weights.bin" }).getAttribute("href"), `/${REPO}/resolve/main/weights.bin`);

	// Branches and tags with their commits.
	const refs = page.getByRole("region", { name: "Branches and tags" });
	for (const [name, kind, target] of [["main", "branch", second], ["dev", "branch", devHead], ["v1.0", "tag", first]]) {
		const row = refs.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
		assert.match(await row.innerText(), new RegExp(`${kind}\\s+${target.slice(0, 7)}`));
		assert.equal(await row.locator("code").getAttribute("title"), target);
	}
	await shot(page, "tree");

	// Into a folder and back with the breadcrumbs.
	await table.getByRole("link", { name: "src/", exact: true }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/tree/main/src`);
	await table.getByRole("link", { name: "train.py", exact: true }).waitFor();
	await table.getByRole("link", { name: "utils/", exact: true }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/tree/main/src/utils`);
	const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
	assert.deepEqual((await crumbs.getByRole("listitem").allInnerTexts()).map((t) => t.trim()), [REPO, "src", "utils"]);
	assert.equal(await crumbs.locator('[aria-current="page"]').innerText(), "utils");
	await table.getByRole("link", { name: "__init__.py", exact: true }).waitFor();
	await crumbs.getByRole("link", { name: "src", exact: true }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/tree/main/src`);
	await crumbs.getByRole("link", { name: REPO }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/tree/main`);
	await table.getByRole("link", { name: "weights.bin", exact: true }).waitFor();

	// The revision selector, with the keyboard only: Tab to it, choose dev, Tab to Switch, Enter.
	const select = page.getByLabel("Revision");
	await select.locator("option", { hasText: "v1.0" }).waitFor({ state: "attached" });
	assert.deepEqual(await select.locator("optgroup").evaluateAll((gs) => gs.map((g) => g.label)), ["Branches", "Tags"]);
	await page.locator("main h1").focus();
	let onSelect = false;
	for (let i = 0; i < 30 && !onSelect; i++) {
		await page.keyboard.press("Tab");
		onSelect = await select.evaluate((el) => el === document.activeElement);
	}
	assert.ok(onSelect, "the revision selector is reachable with Tab");
	await select.selectOption("dev");
	await page.keyboard.press("Tab");
	assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Switch");
	await page.keyboard.press("Enter");
	await page.waitForURL(`${server.baseUrl}/${REPO}/tree/dev`);
	await table.getByRole("link", { name: "dev-only.txt", exact: true }).waitFor();
	assert.equal(await table.getByRole("link", { name: "added.txt", exact: true }).count(), 0, "dev does not have main's second commit");
	assert.equal(await page.getByLabel("Revision").inputValue(), "dev");
	// A tag, and a folder that a revision lacks.
	await page.goto(`${server.baseUrl}/${REPO}/tree/v1.0`);
	await table.getByRole("link", { name: "old.txt", exact: true }).waitFor();
	await page.goto(`${server.baseUrl}/${REPO}/tree/main/nope`);
	await page.getByRole("alert").getByText("There is no folder nope at main").waitFor();
	// A file's path under /tree/ offers the file viewer.
	await page.goto(`${server.baseUrl}/${REPO}/tree/main/src/train.py`);
	await page.getByRole("alert").getByRole("link", { name: "Open src/train.py as a file" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/blob/main/src/train.py`);
	await page.locator("pre.code .line").first().waitFor();
	await page.goto(`${server.baseUrl}/alice/missing/tree/main`);
	await page.getByRole("alert").getByText("does not exist").waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("the file viewer highlights Python and keeps its text exact; breadcrumbs lead to folders", async () => {
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${REPO}/tree/main/src`);
	await page.locator("table.tree").getByRole("link", { name: "train.py", exact: true }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/blob/main/src/train.py`);
	await page.locator("pre.code.highlighted .tok-keyword").first().waitFor();
	const keywords = await page.locator("pre.code .tok-keyword").allInnerTexts();
	for (const k of ["import", "def", "return"]) assert.ok(keywords.includes(k), `"${k}" is a keyword token (${keywords})`);
	assert.ok(await page.locator("pre.code .tok-comment").count() >= 1, "comments are tokens");
	assert.ok(await page.locator("pre.code .tok-string").count() >= 1, "strings are tokens");
	const lines = await page.locator("pre.code .line").evaluateAll((els) => els.map((el) => el.textContent));
	assert.deepEqual(lines, PY.split("\n").slice(0, -1), "the highlighted lines are the file's text exactly");
	assert.equal(await page.locator("pre.code script, pre.code b").count(), 0, "markup in the file stays text");
	assert.match(await page.locator(".file-facts").innerText(), /\(153 bytes\)/);
	assert.match(await page.locator(".file-facts").innerText(), /in git/);
	// A file in no known language is shown plain.
	await page.goto(`${server.baseUrl}/${REPO}/blob/main/notes.txt`);
	await page.locator("pre.code .line").first().waitFor();
	assert.equal(await page.locator("pre.code.highlighted").count(), 0);
	// The revision selector, and the folder in the breadcrumbs.
	await page.goto(`${server.baseUrl}/${REPO}/blob/main/src/train.py`);
	await page.getByLabel("Revision").selectOption("v1.0");
	await page.getByRole("button", { name: "Switch" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/blob/v1.0/src/train.py`);
	await page.locator("pre.code .line").first().waitFor();
	await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "src", exact: true }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/tree/v1.0/src`);
	await page.locator("table.tree").getByRole("link", { name: "train.py", exact: true }).waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("history: commits of a revision with authors and ids, Load more, each opening its commit", async () => {
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${REPO}`);
	await page.getByRole("region", { name: "History" }).getByRole("link", { name: "Full history" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/commits/main`);
	const list = page.locator("ol.commits.history");
	await list.getByRole("link", { name: "tune the model", exact: true }).waitFor();
	assert.deepEqual(await list.locator("a.commit-title").allInnerTexts(), ["tune the model", "add the model", "initial commit"]);
	const item = list.getByRole("listitem").first();
	assert.match(await item.innerText(), /alice/);
	assert.equal(await item.getByRole("link", { name: `Commit ${second.slice(0, 7)}` }).getAttribute("href"), `/${REPO}/commit/${second}`);
	assert.equal(await page.getByRole("button", { name: "Load more" }).count(), 0);
	await page.getByLabel("Revision").selectOption("dev");
	await page.getByRole("button", { name: "Switch" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/commits/dev`);
	await list.getByRole("link", { name: "work on dev", exact: true }).waitFor();
	assert.deepEqual(await list.locator("a.commit-title").allInnerTexts(), ["work on dev", "add the model", "initial commit"]);

	// 32 commits: 30, then the rest.
	await page.goto(`${server.baseUrl}/${LONG}/commits/main`);
	await list.getByRole("link", { name: "step 31", exact: true }).waitFor();
	assert.equal(await list.getByRole("listitem").count(), 30);
	await page.getByRole("button", { name: "Load more" }).click();
	await list.getByRole("link", { name: "initial commit", exact: true }).waitFor();
	assert.equal(await list.getByRole("listitem").count(), 32);
	assert.equal(await page.getByRole("button", { name: "Load more" }).count(), 0);

	await page.goto(`${server.baseUrl}/${REPO}/commits/main`);
	await list.getByRole("link", { name: "tune the model", exact: true }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/commit/${second}`);
	await page.getByRole("heading", { level: 2, name: "tune the model" }).waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("a commit's page: message, parent, unified diff of a text file, a deletion, a binary and an LFS change", async () => {
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${REPO}/commit/${second}`);
	await page.getByRole("heading", { level: 2, name: "tune the model" }).waitFor();
	const facts = page.locator(".file-facts");
	assert.match(await facts.innerText(), new RegExp(second));
	assert.equal(await facts.getByRole("link", { name: first.slice(0, 7) }).getAttribute("href"), `/${REPO}/commit/${first}`);
	assert.match(await page.locator(".diff-summary").innerText(), /5 files changed, 3 additions, 2 deletions/);

	// notes.txt: beta → BETA, epsilon added; line numbers on both sides.
	const notes = page.getByRole("region", { name: "modified notes.txt" });
	const rows = await notes.locator("table.diff tbody tr").evaluateAll((trs) =>
		trs.map((tr) => [tr.className.replace("diff-", ""), ...[...tr.children].map((td) => td.textContent)]));
	assert.deepEqual(rows, [
		["hunk", "", "", "@@ -1,4 +1,5 @@"],
		["ctx", "1", "1", " alpha"],
		["del", "2", "", "-beta"],
		["add", "", "2", "+BETA"],
		["ctx", "3", "3", " gamma"],
		["ctx", "4", "4", " delta"],
		["add", "", "5", "+epsilon"],
	]);
	const colours = await notes.locator("tr.diff-add td.code, tr.diff-del td.code").evaluateAll((tds) =>
		tds.map((td) => getComputedStyle(td).backgroundColor));
	assert.ok(colours.every((c) => c !== "rgba(0, 0, 0, 0)"), "added and removed lines are coloured");
	assert.notEqual(colours[0], colours[1], "added and removed lines differ in colour");

	const gone = page.getByRole("region", { name: "deleted old.txt" });
	assert.match(await gone.innerText(), /deleted/);
	assert.deepEqual(await gone.locator("tr.diff-del td.code").allInnerTexts(), ["-to be removed"]);
	assert.equal(await gone.getByRole("link", { name: "old.txt", exact: true }).getAttribute("href"), `/${REPO}/blob/${first}/old.txt`);
	const added = page.getByRole("region", { name: "added added.txt" });
	assert.deepEqual(await added.locator("tr.diff-add td.code").allInnerTexts(), ["+new"]);
	assert.match(await page.getByRole("region", { name: "modified img.bin" }).innerText(), /Binary file changed: 7 B \(7 bytes\) → 8 B \(8 bytes\)/);
	const lfs = await page.getByRole("region", { name: "modified weights.bin" }).innerText();
	assert.match(lfs, /Large file \((LFS|Xet)\) changed: 2\.9 KB \(3,000 bytes\) → 4\.9 KB \(5,000 bytes\)/);
	assert.match(lfs, new RegExp(`sha256 ${sha256(WEIGHTS_1).slice(0, 12)} → ${sha256(WEIGHTS_2).slice(0, 12)}`));
	await shot(page, "commit");

	// The first commit: every file added, the LFS file with its object.
	await page.goto(`${server.baseUrl}/${REPO}/commit/${first}`);
	const weights = page.getByRole("region", { name: "added weights.bin" });
	assert.match(await weights.innerText(), /Large file \((LFS|Xet)\) added: 2\.9 KB/);
	const py = page.getByRole("region", { name: "added src/train.py" });
	assert.equal(await py.locator("tr.diff-add").count(), PY.split("\n").length - 1);
	// A commit that does not exist.
	await page.goto(`${server.baseUrl}/${REPO}/commit/${"0".repeat(40)}`);
	await page.getByRole("alert").getByText("There is no commit").waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("a Markdown file is shown rendered by the hub (links from its folder, no script), and as code", async () => {
	const MD = "alice/browse-md";
	await api("POST", "/api/repos/create", { name: "browse-md" });
	const guide = "# User guide\n\nSee [the card](../README.md) and *emphasis*.\n\n<script>window.pwned = 1</script>\n";
	const head = await commitOps(MD, "main", "docs", [file("README.md", "# Card\n"), file("docs/guide.md", guide)]);
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${MD}/blob/main/docs/guide.md`);
	const rendered = page.getByTestId("rendered-markdown");
	await rendered.getByRole("heading", { name: "User guide" }).waitFor();
	assert.equal(await rendered.locator("em").textContent(), "emphasis");
	assert.equal(await page.getByRole("button", { name: "Rendered" }).getAttribute("aria-pressed"), "true");
	const link = rendered.getByRole("link", { name: "the card" });
	assert.equal(await link.getAttribute("href"), `/${MD}/blob/${head}/README.md`, "a relative link resolves from the file's folder, at the commit");
	assert.equal(await page.evaluate(() => window.pwned), undefined, "no script of the file ran");
	assert.equal(await rendered.locator("script").count(), 0);
	// The code view shows the text as committed.
	await page.getByRole("button", { name: "Code" }).click();
	await page.locator("pre.code .line", { hasText: "# User guide" }).waitFor();
	assert.equal(await page.getByTestId("rendered-markdown").count(), 0);
	const lines = await page.locator("pre.code .line").allTextContents();
	assert.equal(lines.join("\n") + "\n", guide, "the code view is the file's exact text");
	// Back to the rendered view; the link opens the README in the file viewer.
	await page.getByRole("button", { name: "Rendered" }).click();
	await link.click();
	await page.waitForURL(`${server.baseUrl}/${MD}/blob/${head}/README.md`);
	await page.getByTestId("rendered-markdown").getByRole("heading", { name: "Card" }).waitFor();
	assert.deepEqual(problems, [], "no console or page errors");
	await context.close();
});

test("a file's and a folder's own history: only the commits that changed them", async () => {
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${REPO}/blob/main/notes.txt`);
	await page.getByRole("link", { name: "History of this file" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/commits/main/notes.txt`);
	const commits = page.getByRole("region", { name: "History of notes.txt on main" });
	await commits.getByRole("link", { name: "tune the model" }).waitFor();
	assert.deepEqual(await commits.locator("a.commit-title").allTextContents(), ["tune the model", "add the model"]);
	await commits.getByText("The first commit of this history.").waitFor();
	// A folder's history, from its listing; and back to every commit.
	await page.goto(`${server.baseUrl}/${REPO}/tree/main/src`);
	await page.getByRole("link", { name: "History of src/" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/commits/main/src`);
	const folder = page.getByRole("region", { name: "History of src on main" });
	await folder.getByRole("link", { name: "add the model" }).waitFor();
	assert.deepEqual(await folder.locator("a.commit-title").allTextContents(), ["add the model"]);
	await page.getByRole("link", { name: "all commits" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/commits/main`);
	await page.getByRole("region", { name: "Commits on main" }).getByRole("link", { name: "tune the model" }).waitFor();
	assert.deepEqual(problems, [], "no console or page errors");
	await context.close();
});

test("a changed line marks what changed within it; a line replaced whole is not marked", async () => {
	const WORDS = "alice/browse-words";
	await api("POST", "/api/repos/create", { name: "browse-words" });
	await commitOps(WORDS, "main", "first", [file("params.yaml", "lr: 0.1\nname: alpha\nsteps: 3\n")]);
	const sha = await commitOps(WORDS, "main", "tune", [file("params.yaml", "lr: 0.25\nname: beta\nsteps: 3\n")]);
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${WORDS}/commit/${sha}`);
	const diff = page.getByRole("region", { name: "Diff of params.yaml" });
	await diff.waitFor();
	assert.deepEqual(await diff.locator("tr.diff-del td.code").allTextContents(), ["-lr: 0.1", "-name: alpha"], "the text is whole");
	assert.deepEqual(await diff.locator("tr.diff-add td.code").allTextContents(), ["+lr: 0.25", "+name: beta"]);
	assert.deepEqual(await diff.locator("tr.diff-del .changed").allTextContents(), ["1", "alpha"]);
	assert.deepEqual(await diff.locator("tr.diff-add .changed").allTextContents(), ["25", "beta"]);
	// notes.txt's "beta" → "BETA" (the whole line) has nothing marked.
	await page.goto(`${server.baseUrl}/${REPO}/commit/${second}`);
	const notes = page.getByRole("region", { name: "Diff of notes.txt" });
	await notes.waitFor();
	assert.equal(await notes.locator(".changed").count(), 0);
	assert.deepEqual(problems, []);
	await context.close();
});

test("two revisions compared: the files that differ with their diffs; other revisions chosen from the refs", async () => {
	const { context, page, problems } = await newPage();
	// From the branches table: main with dev.
	await page.goto(`${server.baseUrl}/${REPO}/tree/main`);
	await page.getByRole("link", { name: "Compare main with dev" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/compare/main..dev`);
	await page.getByRole("heading", { name: "Compare main with dev" }).waitFor();
	await page.getByRole("region", { name: "added dev-only.txt" }).waitFor();
	// The tag v1.0 with main: what "tune the model" changed.
	await page.getByLabel("Base").selectOption("v1.0");
	await page.getByLabel("Compared").selectOption("main");
	await page.getByRole("button", { name: "Compare", exact: true }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/compare/v1.0..main`);
	for (const name of ["modified notes.txt", "deleted old.txt", "added added.txt", "modified img.bin", "modified weights.bin"]) {
		await page.getByRole("region", { name, exact: true }).waitFor();
	}
	const notes = page.getByRole("region", { name: "Diff of notes.txt" });
	assert.deepEqual(await notes.locator("tr.diff-del td.code").allTextContents(), ["-beta"]);
	assert.deepEqual(await notes.locator("tr.diff-add td.code").allTextContents(), ["+BETA", "+epsilon"]);
	await page.getByText("5 files changed").waitFor();
	// Equal revisions, and one that does not exist.
	await page.goto(`${server.baseUrl}/${REPO}/compare/v1.0..${first}`);
	await page.getByText("The two revisions have the same files.").waitFor();
	await page.goto(`${server.baseUrl}/${REPO}/compare/nope..main`);
	await page.getByRole("alert").waitFor();
	assert.deepEqual(problems.filter((p) => !/404/.test(p)), [], "no console or page errors but the missing revision");
	await context.close();
});

test("the browsing pages at 390px: the page itself never scrolls sideways", async () => {
	const { context, page, problems } = await newPage({ width: 390, height: 844 });
	for (const url of [`/${REPO}/tree/main`, `/${REPO}/tree/main/src`, `/${REPO}/commits/main`, `/${REPO}/commit/${second}`, `/${REPO}/blob/main/src/train.py`]) {
		await page.goto(server.baseUrl + url);
		await page.locator("main h1").waitFor();
		await page.waitForLoadState("networkidle");
		await assertNoSidewaysScroll(page, url);
	}
	await shot(page, "commit-phone");
	assert.deepEqual(problems, []);
	await context.close();
});

docsScreenshots(["tree", "commit"]);
