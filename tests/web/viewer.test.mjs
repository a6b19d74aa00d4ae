// The dataset viewer on a dataset's page: the hub processes a pushed CSV dataset in the
// background, and the page shows its first rows in a table with each column's name and type,
// with a selector for the splits. Debian's Chromium reads it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWeb, shot, assertNoSidewaysScroll } from "./lib.mjs";

let web;

before(async () => {
	web = await startWeb();
	await web.api("POST", "/api/repos/create", { name: "reviews", type: "dataset" });
	await web.commit("alice/reviews", "add the data", {
		"data/train.csv": 'text,label\n"great, really",1\nawful,0\n',
		"data/test.csv": "text,label\nfine,1\n",
	}, "dataset");
});

after(async () => {
	await web?.close();
});

test("a dataset's page previews its first rows with types, and switches splits", async () => {
	const { context, page, problems } = await web.newPage();
	await page.goto(`${web.server.baseUrl}/datasets/alice/reviews`);
	const preview = page.getByRole("region", { name: "First rows" });
	await preview.waitFor({ timeout: 30000 });  // processed in the background after the push
	const headers = await preview.locator("thead th").allInnerTexts();
	assert.deepEqual(headers.map((h) => h.replace(/\s+/g, " ").trim()), ["#", "text string", "label int64"]);
	const cells = await preview.locator("tbody tr").first().locator("td").allInnerTexts();
	assert.deepEqual(cells, ["0", "great, really", "1"]);
	assert.equal(await preview.locator("tbody tr").count(), 2);
	await assertNoSidewaysScroll(page);
	await shot(page, "dataset-preview");

	await page.getByLabel("Split").selectOption({ label: "test" });
	await preview.locator("tbody tr td", { hasText: "fine" }).waitFor();
	assert.equal(await preview.locator("tbody tr").count(), 1);
	assert.deepEqual(problems, []);
	await context.close();
});
