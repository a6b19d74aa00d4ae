// The search page end to end (/models, /datasets): results follow the keystrokes without a
// submit, each filter (task, library, license, language, author) and sort narrows or orders what
// the hub answers, pages of 20 go forward and back, the URL carries the search (reload, back),
// private repositories never show to a visitor, and the form is usable with the keyboard at
// phone width.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWeb, shot, assertNoSidewaysScroll, docsScreenshots } from "./lib.mjs";

let web;
let server;

// 25 "llama" models by alice (text-generation, transformers, apache-2.0, en), 5 "bert" models by
// bob (fill-mask, mit, fr), one private alice model, 2 datasets.
const LLAMAS = Array.from({ length: 25 }, (_, i) => `llama-${String(i).padStart(2, "0")}`);
const BERTS = Array.from({ length: 5 }, (_, i) => `bert-${i}`);

function card(meta) {
	return `---\n${meta}\n---\n# A test repository\n`;
}

before(async () => {
	web = await startWeb();
	server = web.server;
	for (const name of LLAMAS) {
		await web.api("POST", "/api/repos/create", {
			name,
			files: [{ path: "README.md", content: card("license: apache-2.0\nlanguage: [en]\npipeline_tag: text-generation\nlibrary_name: transformers") }],
		});
	}
	for (const name of BERTS) {
		await web.api("POST", "/api/repos/create", {
			name,
			files: [{ path: "README.md", content: card("license: mit\nlanguage: [fr]\npipeline_tag: fill-mask\nlibrary_name: sentence-transformers") }],
		}, "application/json", server.tokens.bob);
	}
	await web.api("POST", "/api/repos/create", { name: "llama-secret", private: true });
	await web.api("POST", "/api/repos/create", {
		name: "corpus-en", type: "dataset",
		files: [{ path: "README.md", content: card("license: cc-by-4.0\nlanguage: [en]\ntask_categories: [text-generation]") }],
	});
	await web.api("POST", "/api/repos/create", {
		name: "corpus-fr", type: "dataset",
		files: [{ path: "README.md", content: card("license: cc-by-4.0\nlanguage: [fr]\ntask_categories: [translation]") }],
	});
});

after(async () => {
	await web?.close();
});

/** The ids listed and the query they answer (the list's data-query). */
async function results(page) {
	const list = page.locator(".results ul.cards");
	await list.waitFor({ state: "attached" });
	return {
		query: await list.getAttribute("data-query"),
		ids: await list.locator(".repo-link").allInnerTexts(),
	};
}

/** Waits until the list shows the answer to `query` (a page URL query string, "" for none). */
async function answered(page, query) {
	await page.locator(`.results ul.cards[data-query="${query}"]`).waitFor({ state: "attached" });
	return results(page);
}

test("results follow the keystrokes; each filter and sort narrows or orders the answer", async () => {
	const { context, page, problems } = await web.newPage();
	await page.goto(server.baseUrl + "/models");
	await page.getByRole("heading", { level: 1, name: "Models" }).waitFor();
	let r = await answered(page, "");
	assert.equal(r.ids.length, 20, "a first page of 20");
	assert.ok(!r.ids.includes("alice/llama-secret"), "a visitor never sees a private repository");

	// Typing, no submit: every keystroke's answer replaces the last, the URL follows.
	const box = page.getByRole("searchbox", { name: "Search models" });
	await box.pressSequentially("bert", { delay: 30 });
	r = await answered(page, "?search=bert");
	assert.deepEqual([...r.ids].sort(), BERTS.map((n) => `bob/${n}`));
	assert.equal(new URL(page.url()).search, "?search=bert");
	await box.fill("");
	await box.pressSequentially("llama-1", { delay: 30 });
	r = await answered(page, "?search=llama-1");
	assert.deepEqual([...r.ids].sort(), LLAMAS.filter((n) => n.startsWith("llama-1")).map((n) => `alice/${n}`));
	await box.fill("");
	await answered(page, "");

	// Task, library, license, language, author: each alone gives exactly its repositories.
	await page.getByLabel("Task").selectOption("fill-mask");
	r = await answered(page, "?task=fill-mask");
	assert.deepEqual([...r.ids].sort(), BERTS.map((n) => `bob/${n}`));
	await page.getByLabel("Task").selectOption("");
	await page.getByLabel("Library").selectOption("sentence-transformers");
	r = await answered(page, "?library=sentence-transformers");
	assert.equal(r.ids.length, 5);
	await page.getByLabel("Library").selectOption("");
	await page.getByLabel("License").fill("mit");
	r = await answered(page, "?license=mit");
	assert.equal(r.ids.length, 5);
	assert.ok(r.ids.every((id) => id.startsWith("bob/")));
	await page.getByLabel("License").fill("");
	await page.getByLabel("Language").fill("fr");
	r = await answered(page, "?language=fr");
	assert.equal(r.ids.length, 5);
	await page.getByLabel("Language").fill("");
	await page.getByLabel("Author").fill("bob");
	r = await answered(page, "?author=bob");
	assert.equal(r.ids.length, 5);
	// Two filters together: nothing is bob's and text-generation.
	await page.getByLabel("Task").selectOption("text-generation");
	await answered(page, "?task=text-generation&author=bob");
	await page.getByRole("status").getByText("Nothing matches this search.").waitFor();
	await page.getByRole("button", { name: "Clear filters" }).click();
	r = await answered(page, "");

	// Sort by name: ascending ids.
	await page.getByLabel("Sort by").selectOption("id");
	r = await answered(page, "?sort=id");
	assert.deepEqual(r.ids, [...r.ids].sort());
	assert.equal(r.ids[0], "alice/llama-00");
	await shot(page, "search");
	assert.deepEqual(problems, []);
	await context.close();
});

test("free tags: any tag filters, several must all match; a repository's tag chips open that search", async () => {
	const { context, page, problems } = await web.newPage();
	await page.goto(server.baseUrl + "/models");
	await answered(page, "");
	const tags = page.getByLabel("Tags");
	await tags.fill("sentence-transformers");
	let r = await answered(page, "?tag=sentence-transformers");
	assert.deepEqual([...r.ids].sort(), BERTS.map((n) => `bob/${n}`));
	await tags.fill("license:mit, fill-mask");
	r = await answered(page, "?tag=license%3Amit%2C+fill-mask");
	assert.equal(r.ids.length, 5, "both tags on each bert");
	await tags.fill("license:mit, text-generation");
	await answered(page, "?tag=license%3Amit%2C+text-generation");
	await page.getByRole("status").getByText("Nothing matches this search.").waitFor();

	// A chip on a repository's page is a link to the search for its tag.
	await page.goto(`${server.baseUrl}/bob/${BERTS[0]}`);
	await page.getByRole("list", { name: "Tags" }).getByRole("link", { name: "Models tagged license:mit" }).click();
	await page.waitForURL(`${server.baseUrl}/models?tag=license%3Amit`);
	r = await answered(page, "?tag=license%3Amit");
	assert.deepEqual([...r.ids].sort(), BERTS.map((n) => `bob/${n}`));
	assert.equal(await page.getByLabel("Tags").inputValue(), "license:mit");
	assert.deepEqual(problems, []);
	await context.close();
});

test("pages of 20: next, previous, a reload and the back button keep the search", async () => {
	const { context, page, problems } = await web.newPage();
	await page.goto(server.baseUrl + "/models?search=llama&sort=id");
	let r = await answered(page, "?search=llama&sort=id");
	assert.deepEqual(r.ids, LLAMAS.slice(0, 20).map((n) => `alice/${n}`));
	assert.equal(await page.getByRole("link", { name: "Previous page" }).count(), 0);
	await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Next page" }).click();
	r = await answered(page, "?search=llama&sort=id&p=2");
	assert.deepEqual(r.ids, LLAMAS.slice(20).map((n) => `alice/${n}`));
	await page.getByRole("status").getByText("Showing 21–25 of 25").waitFor();
	assert.equal(await page.getByRole("link", { name: "Next page" }).count(), 0);

	// The URL is the search: reload, then back to page 1 and forward again.
	await page.reload();
	r = await answered(page, "?search=llama&sort=id&p=2");
	assert.equal(r.ids.length, 5);
	assert.equal(await page.getByLabel("Sort by").inputValue(), "id");
	assert.equal(await page.getByRole("searchbox", { name: "Search models" }).inputValue(), "llama");
	await page.goBack();
	r = await answered(page, "?search=llama&sort=id");
	assert.equal(r.ids.length, 20);
	await page.getByRole("link", { name: "Previous page" }).waitFor({ state: "detached" });
	await page.goForward();
	await answered(page, "?search=llama&sort=id&p=2");

	// The private model appears for its owner.
	await web.signIn(page);
	await page.goto(server.baseUrl + "/models?search=secret");
	r = await answered(page, "?search=secret");
	assert.deepEqual(r.ids, ["alice/llama-secret"]);
	assert.deepEqual(problems, []);
	await context.close();
});

test("datasets: task and language filters; keyboard only at phone width", async () => {
	const { context, page, problems } = await web.newPage({ width: 390, height: 844 });
	await page.goto(server.baseUrl + "/datasets");
	let r = await answered(page, "");
	assert.deepEqual([...r.ids].sort(), ["alice/corpus-en", "alice/corpus-fr"]);
	// Tab from the search box to the task filter, choose with the keyboard.
	await page.getByRole("searchbox", { name: "Search datasets" }).focus();
	await page.keyboard.press("Tab");
	assert.equal(await page.evaluate(() => document.activeElement?.id), "f-task");
	await page.getByLabel("Task").selectOption("translation");
	r = await answered(page, "?task=translation");
	assert.deepEqual(r.ids, ["alice/corpus-fr"]);
	await page.getByLabel("Task").selectOption("");
	await page.getByLabel("Language").fill("en");
	r = await answered(page, "?language=en");
	assert.deepEqual(r.ids, ["alice/corpus-en"]);
	assert.equal(await page.getByLabel("Library").count(), 0, "datasets have no library filter");
	await assertNoSidewaysScroll(page);
	await page.getByRole("link", { name: "alice/corpus-en" }).press("Enter");
	await page.getByRole("heading", { level: 1, name: "alice/corpus-en" }).waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

docsScreenshots(["search"]);
