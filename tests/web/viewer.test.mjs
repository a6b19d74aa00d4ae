// The dataset viewer on a dataset's page: the hub processes a pushed CSV dataset in the
// background, and the page shows its first rows in a table with each column's name and type,
// with a selector for the splits; a Parquet dataset pages through its rows, shows its images
// inline and links to a row; a search box finds rows by their words. Debian's Chromium reads it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
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

// A real PNG of w×h pixels of one colour (signature, IHDR, IDAT, IEND with their CRCs).
function png(w, h, rgb) {
	const chunk = (type, data) => {
		const out = Buffer.alloc(12 + data.length);
		out.writeUInt32BE(data.length, 0);
		out.write(type, 4, "latin1");
		data.copy(out, 8);
		out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
		return out;
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	const raw = Buffer.alloc(h * (1 + 3 * w));
	for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(rgb, y * (1 + 3 * w) + 1 + 3 * x);
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
		chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

test("a Parquet dataset pages through its rows, shows its images inline, and links to a row", async () => {
	// 250 rows written by DuckDB, with the `datasets` Image feature in the file's metadata.
	const db = await DuckDBInstance.create(":memory:");
	const duck = await db.connect();
	const dir = mkdtempSync(path.join(tmpdir(), "vitrine-web-parquet-"));
	const file = path.join(dir, "train.parquet");
	const meta = JSON.stringify({ info: { features: { id: { dtype: "int64", _type: "Value" }, image: { _type: "Image" } } } });
	await duck.run(`COPY (SELECT i AS id, {'bytes': from_hex('${png(3, 2, [200, 30, 30]).toString("hex")}'), 'path': 'x.png'} AS image
		FROM range(250) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 64, KV_METADATA {huggingface: '${meta}'})`);
	await web.api("POST", "/api/repos/create", { name: "pictures", type: "dataset" });
	await web.commit("alice/pictures", "add the data", { "data/train.parquet": readFileSync(file) }, "dataset");
	rmSync(dir, { recursive: true, force: true });

	const { context, page, problems } = await web.newPage();
	await page.goto(`${web.server.baseUrl}/datasets/alice/pictures`);
	const preview = page.getByRole("region", { name: "First rows" });
	await preview.waitFor({ timeout: 30000 });
	const pager = page.getByRole("navigation", { name: "Rows" });
	await pager.getByText("Rows 1–100 of 250").waitFor();
	const img = preview.locator("tbody tr").first().locator("img");
	await img.waitFor();
	await page.waitForFunction((el) => el.complete && el.naturalWidth === 3, await img.elementHandle());
	assert.equal(await img.getAttribute("alt"), "image, row 0");
	await shot(page, "dataset-preview-images");

	await pager.getByRole("button", { name: "Next" }).click();
	await pager.getByText("Rows 101–200 of 250").waitFor();
	assert.equal(await preview.locator("tbody tr").first().locator("td").first().innerText(), "100");
	assert.equal(await pager.getByRole("button", { name: "Previous" }).isEnabled(), true);
	await pager.getByRole("button", { name: "Next" }).click();
	await pager.getByText("Rows 201–250 of 250").waitFor();
	assert.equal(await pager.getByRole("button", { name: "Next" }).isEnabled(), false);
	const link = await preview.locator("#row-230 a").getAttribute("href");
	assert.equal(link, "#row-230");

	// Each column's statistics as a small chart in its header (the job computes them after the
	// first rows), and a filter that pages through the matching rows.
	await page.reload();
	await pager.getByText("Rows 1–100 of 250").waitFor({ timeout: 30000 });
	await preview.getByRole("img", { name: "id: int statistics" }).waitFor({ timeout: 30000 });
	assert.equal(await preview.getByRole("img", { name: "id: int statistics" }).locator("rect").count(), 10);
	await page.getByLabel("Filter").fill(`"id" >= 240 or "id" = 7`);
	await page.getByRole("button", { name: "Apply" }).click();
	await pager.getByText("Rows 1–11 of 11 matching").waitFor();
	assert.deepEqual(await preview.locator("tbody tr td:first-child").allInnerTexts(),
		["7", "240", "241", "242", "243", "244", "245", "246", "247", "248", "249"]);
	await page.getByLabel("Filter").fill(`"id" = 1; drop table x`);
	await page.getByRole("button", { name: "Apply" }).click();
	await page.getByRole("alert").getByText(/invalid symbols/).waitFor();
	await page.getByRole("button", { name: "Clear" }).click();
	await pager.getByText("Rows 1–100 of 250").waitFor();

	// A row's permalink opens its page.
	const second = await context.newPage();
	await second.goto(`${web.server.baseUrl}/datasets/alice/pictures#row-230`);
	await second.getByRole("navigation", { name: "Rows" }).getByText("Rows 201–250 of 250").waitFor({ timeout: 30000 });
	assert.ok(await second.locator("#row-230").isVisible());
	assert.deepEqual(problems, []);
	await context.close();
});

test("the search box finds the rows holding a word, best first, in any script", async () => {
	// 150 rows: the first rows are cut, so the page pages through the split and offers search.
	let csv = "id,text\n";
	for (let i = 0; i < 150; i++) {
		const text = i === 42 ? "zebra zebra crossing" : i === 120 ? "a zebra among many other words here" : i === 7 ? "Привет мир" : `row number ${i}`;
		csv += `${i},${text}\n`;
	}
	await web.api("POST", "/api/repos/create", { name: "sentences", type: "dataset" });
	await web.commit("alice/sentences", "add the data", { "data/train.csv": csv }, "dataset");
	const { context, page, problems } = await web.newPage();
	await page.goto(`${web.server.baseUrl}/datasets/alice/sentences`);
	const preview = page.getByRole("region", { name: "First rows" });
	const pager = page.getByRole("navigation", { name: "Rows" });
	await pager.getByText("Rows 1–100 of 150").waitFor({ timeout: 60000 });
	const search = async (words, shown) => {
		// The index is built after the export and the statistics: until then the page says so.
		for (let i = 0; i < 100; i++) {
			await page.getByLabel("Search", { exact: true }).fill(words);
			await page.getByRole("button", { name: "Search", exact: true }).click();
			try {
				await pager.getByText(shown).waitFor({ timeout: 1000 });
				return;
			} catch {
				await page.getByRole("alert").getByText(/search index/).waitFor({ timeout: 1000 });
			}
		}
		throw new Error(`"${words}" never showed ${shown}`);
	};
	await search("Zebra", "Rows 1–2 of 2 matching");
	assert.deepEqual(await preview.locator("tbody tr td:first-child").allInnerTexts(), ["42", "120"]);
	await shot(page, "dataset-search");
	await search("мир", "Rows 1–1 of 1 matching");
	assert.deepEqual(await preview.locator("tbody tr td:nth-child(3)").allInnerTexts(), ["Привет мир"]);
	await page.getByRole("button", { name: "Clear search" }).click();
	await pager.getByText("Rows 1–100 of 150").waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});
