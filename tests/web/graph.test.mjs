// The lineage graph, the model size box and the most downloaded repositories, end to end: a base
// model with a real safetensors file (F32, BF16 and I8 tensors) and an external base of its own,
// a fine-tune (verified through its training manifest) trained on a dataset, and a quantized
// child. The card page shows the parameters by dtype; the graph draws the nodes with their
// relations (solid when verified, dashed when declared) and its nodes open the repositories'
// pages by click and by Enter; home lists "Most downloaded models" in download order after
// files are downloaded; the page works at 390 px. Screenshot "lineage-graph".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { safetensors } from "../client/js/weights.mjs";
import { httpFrom } from "../client/js/harness.mjs";
import { startWeb, shot, assertNoSidewaysScroll, docsScreenshots } from "./lib.mjs";

const BASE = "alice/graph-base";
const FT = "alice/graph-ft";
const Q4 = "alice/graph-q4";
const DATA = "alice/graph-data";
const EXTERNAL = "elsewhere/foundation";
const TENSORS = [
	{ name: "embed.weight", dtype: "F32", shape: [128, 64] },
	{ name: "layers.0.mlp.weight", dtype: "BF16", shape: [64, 256] },
	{ name: "layers.0.attn.weight", dtype: "BF16", shape: [64, 64] },
	{ name: "layers.0.scales", dtype: "I8", shape: [300] },
];
const WEIGHTS = safetensors(TENSORS, { seed: "graph" });

let web;
let server;
let api;
let commit;
let newPage;

const front = (fields) => `---\n${Object.entries(fields).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n")}\n---\n`;
const en = (n) => n.toLocaleString("en-US");

before(async () => {
	web = await startWeb();
	({ server, api, commit, newPage } = web);
	await api("POST", "/api/repos/create", { name: "graph-data", type: "dataset" });
	await commit(DATA, "data", { "README.md": front({ license: "cc-by-4.0" }) + "# Graph data\n" }, "dataset");
	await api("POST", "/api/repos/create", { name: "graph-base" });
	const base = await commit(BASE, "weights", {
		"README.md": front({ license: "mit", base_model: EXTERNAL }) + "# Graph base\n",
		"config.json": '{"model_type": "demo"}\n',
		"model.safetensors": WEIGHTS.bytes,
	});
	await api("POST", "/api/repos/create", { name: "graph-ft" });
	await commit(FT, "fine-tune", {
		"README.md": front({ base_model: BASE, base_model_relation: "finetune", datasets: [DATA] }) + "# Graph fine-tune\n",
		"config.json": '{"model_type": "demo"}\n',
		"training/manifest.json": JSON.stringify({
			schema: "vitrine.training-manifest/1",
			base_models: [{ repo: BASE, revision: base.commitOid, relation: "finetune" }],
		}),
	});
	await api("POST", "/api/repos/create", { name: "graph-q4" });
	await commit(Q4, "quantize", {
		"README.md": front({ base_model: BASE, base_model_relation: "quantized" }) + "# Graph Q4\n",
		"config.json": '{"model_type": "demo"}\n',
	});
});

after(async () => {
	await web?.close();
});

// `times` downloads of the repository: one client's requests within five minutes are one download
// (docs/api.md "Download counts"), so each comes from another loopback address.
let nextAddress = 10;
async function download(id, times) {
	for (let i = 0; i < times; i++) {
		const res = await httpFrom(`127.0.0.${nextAddress++}`, server.baseUrl, `/${id}/resolve/main/config.json`);
		assert.equal(res.status, 200);
	}
}

test("the card page shows the model size by dtype", async () => {
	const info = await api("GET", `/api/models/${BASE}`);
	assert.deepEqual(info.safetensors, { parameters: WEIGHTS.parameters, total: WEIGHTS.total }, "model info must carry what the file holds");
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${BASE}`);
	const box = page.getByRole("region", { name: "Model size" });
	await box.waitFor();
	// 8192 F32 + 16384 + 4096 BF16 + 300 I8 = 28972 parameters.
	assert.equal(WEIGHTS.total, 28972);
	assert.match(await box.innerText(), /29K params\s*\(28,972\)/);
	const rows = await box.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
	assert.deepEqual(rows, [
		["BF16", en(20480), "70.7%"],
		["F32", en(8192), "28.3%"],
		["I8", en(300), "1.0%"],
	]);
	// A model without weight files has no box.
	await page.goto(`${server.baseUrl}/${Q4}`);
	await page.getByRole("region", { name: "Lineage" }).getByRole("group", { name: /Lineage graph/ }).waitFor();
	assert.equal(await page.getByRole("region", { name: "Model size" }).count(), 0);
	assert.deepEqual(problems, []);
	await context.close();
});

test("the lineage graph draws parents and children with their relations; its nodes open pages", async () => {
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/${BASE}`);
	const graph = page.getByRole("region", { name: "Lineage" }).getByRole("group", { name: `Lineage graph of ${BASE}: 3 related repositories` });
	await graph.waitFor();
	// The children are links; the external base is a node without a link.
	await graph.getByRole("link", { name: FT }).waitFor();
	await graph.getByRole("link", { name: Q4 }).waitFor();
	assert.equal(await graph.getByRole("link").count(), 2, "only the repositories of this hub are links");
	// A node's accessible name is the text it shows, the whole id in it.
	await graph.getByRole("link", { name: `model · ${FT}`, exact: true }).waitFor();
	assert.match(await graph.locator("g.node.external").textContent(), /not on this hub.*foundation/s);
	assert.match(await graph.locator("g.node.root").textContent(), /this model.*graph-base/s);
	const edges = await graph.locator("g.edge").evaluateAll((gs) => gs.map((g) => `${g.textContent.trim()} ${g.getAttribute("class")}`).sort());
	assert.deepEqual(edges, ["finetune edge verified", "finetune edge declared", "quantized edge declared"].sort());
	// The text says the same for those who do not see the drawing.
	assert.match(await page.getByRole("region", { name: "Lineage" }).innerText(), /2 direct children: (1 finetune, 1 quantized|1 quantized, 1 finetune)/);

	// A click on a node opens its page, whose graph has the base above and the dataset beside it.
	await graph.getByRole("link", { name: FT }).click();
	await page.waitForURL(`${server.baseUrl}/${FT}`);
	await page.getByRole("heading", { level: 1, name: FT }).waitFor();
	const ftGraph = page.getByRole("group", { name: `Lineage graph of ${FT}: 3 related repositories` });
	await ftGraph.waitFor();
	await ftGraph.getByRole("link", { name: DATA }).waitFor();
	const labels = (await ftGraph.locator("g.edge text").allTextContents()).sort();
	assert.deepEqual(labels, ["finetune", "finetune", "trained-on"]);
	await shot(page, "lineage-graph-ft");

	// Enter on a focused node opens its page too.
	const baseLink = ftGraph.getByRole("link", { name: BASE });
	await baseLink.focus();
	assert.equal(await baseLink.evaluate((a) => a === document.activeElement), true, "graph nodes take the focus");
	await page.keyboard.press("Enter");
	await page.waitForURL(`${server.baseUrl}/${BASE}`);
	await page.getByRole("heading", { level: 1, name: BASE }).waitFor();

	// The dataset's graph: the model trained on it below, and its children below that.
	await page.goto(`${server.baseUrl}/datasets/${DATA}`);
	const dataGraph = page.getByRole("group", { name: `Lineage graph of ${DATA}: 1 related repository` });
	await dataGraph.waitFor();
	await dataGraph.getByRole("link", { name: FT }).waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("home lists the most downloaded models in download order, with their counts", async () => {
	await download(Q4, 3);
	await download(FT, 2);
	await download(BASE, 1);
	const { context, page, problems } = await newPage();
	await page.goto(`${server.baseUrl}/`);
	const most = page.getByRole("region", { name: "Most downloaded models" });
	await most.getByRole("link", { name: Q4 }).waitFor();
	const cards = await most.locator("li.card").evaluateAll((lis) => lis.map((li) => [li.querySelector("a").textContent.trim(), li.querySelector(".downloads").textContent.trim()]));
	assert.deepEqual(cards, [
		[Q4, "3 downloads (30 days)"],
		[FT, "2 downloads (30 days)"],
		[BASE, "1 download (30 days)"],
	]);
	await page.getByRole("region", { name: "Most downloaded datasets" }).getByRole("link", { name: DATA }).waitFor();
	// "Recently updated" is still there, newest first.
	await page.getByRole("region", { name: "Recently updated models" }).getByRole("link", { name: Q4 }).waitFor();
	await shot(page, "home-downloads");
	assert.deepEqual(problems, []);
	await context.close();
});

test("at 390 px the graph fits and its nodes still open pages", async () => {
	const { context, page, problems } = await newPage({ width: 390, height: 844 });
	await page.goto(`${server.baseUrl}/${BASE}`);
	const graph = page.getByRole("group", { name: /^Lineage graph of/ });
	await graph.waitFor();
	await page.getByRole("region", { name: "Model size" }).waitFor();
	await assertNoSidewaysScroll(page);
	const box = await graph.boundingBox();
	assert.ok(box && box.width <= 390, `the graph is ${box?.width}px wide`);
	await graph.scrollIntoViewIfNeeded();
	await shot(page, "lineage-graph");
	await graph.getByRole("link", { name: Q4 }).click();
	await page.getByRole("heading", { level: 1, name: Q4 }).waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

docsScreenshots(["lineage-graph", "lineage-graph-ft"]);
