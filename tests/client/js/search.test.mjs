// Listing search through the real @huggingface/hub client: listModels and listDatasets with
// owner, query, task and tags, sorts, paging by Link (limit above one page), private models.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as hub from "@huggingface/hub";
import { startServer, uniqueName, collect } from "./harness.mjs";

let srv;
let hubUrl;
let alice;
let bob;
const prefix = uniqueName("srch");

before(async () => {
	srv = await startServer();
	hubUrl = srv.baseUrl;
	({ alice, bob } = srv.tokens);
	const card = (fields) => new Blob([`---\n${fields}\n---\n`]);
	const models = [
		["bert", "license: mit\npipeline_tag: fill-mask\ntags: [pytorch]\nlanguage: [en]", false],
		["gpt", "license: apache-2.0\npipeline_tag: text-generation\ntags: [pytorch]", false],
		["adapter", "base_model: alice/" + prefix + "-bert\nbase_model_relation: adapter", false],
		["hidden", "license: mit\npipeline_tag: fill-mask\ntags: [pytorch]", true],
	];
	for (const [name, fields, isPrivate] of models) {
		await hub.createRepo({
			hubUrl,
			accessToken: alice,
			repo: `alice/${prefix}-${name}`,
			private: isPrivate,
			files: [{ path: "README.md", content: card(fields) }],
		});
	}
	for (let i = 0; i < 3; i++) {
		await hub.createRepo({
			hubUrl,
			accessToken: alice,
			repo: { type: "dataset", name: `alice/${prefix}-data${i}` },
			files: [{ path: "README.md", content: card(`task_categories: [text-classification]\nlanguage: [${i ? "fr" : "en"}]`) }],
		});
	}
});

after(async () => {
	await srv?.stop();
});

const names = (entries) => entries.map((m) => m.name).sort();

test("listModels: owner, query, task and tags all apply", async () => {
	const search = { owner: "alice", query: prefix, task: "fill-mask", tags: ["pytorch", "license:mit"] };
	const models = await collect(hub.listModels({ hubUrl, search }));
	assert.deepEqual(names(models), [`alice/${prefix}-bert`]);
	assert.equal(models[0].task, "fill-mask");
	const pytorch = await collect(hub.listModels({ hubUrl, search: { query: prefix, tags: ["PyTorch"] } }));
	assert.deepEqual(names(pytorch), [`alice/${prefix}-bert`, `alice/${prefix}-gpt`]);
});

test("listModels: base_model lineage tags", async () => {
	for (const tag of [`base_model:alice/${prefix}-bert`, `base_model:adapter:alice/${prefix}-bert`]) {
		const models = await collect(hub.listModels({ hubUrl, search: { tags: [tag] } }));
		assert.deepEqual(names(models), [`alice/${prefix}-adapter`], tag);
	}
});

test("listModels: private models only with a token that can read them", async () => {
	const search = { query: prefix, tags: ["pytorch"] };
	const anonymous = await collect(hub.listModels({ hubUrl, search }));
	const asBob = await collect(hub.listModels({ hubUrl, search, accessToken: bob }));
	const asAlice = await collect(hub.listModels({ hubUrl, search, accessToken: alice }));
	assert.equal(anonymous.length, 2);
	assert.equal(asBob.length, 2);
	assert.deepEqual(names(asAlice), [`alice/${prefix}-bert`, `alice/${prefix}-gpt`, `alice/${prefix}-hidden`]);
	assert.ok(asAlice.find((m) => m.name.endsWith("-hidden")).private);
});

test("listModels: sort id and createdAt; an unknown sort is refused", async () => {
	const byId = await collect(hub.listModels({ hubUrl, search: { query: prefix }, sort: "id" }));
	assert.deepEqual(
		byId.map((m) => m.name),
		[`alice/${prefix}-adapter`, `alice/${prefix}-bert`, `alice/${prefix}-gpt`],
	);
	const newest = await collect(hub.listModels({ hubUrl, search: { query: prefix }, sort: "createdAt" }));
	assert.equal(newest[0].name, `alice/${prefix}-adapter`);
	await assert.rejects(collect(hub.listModels({ hubUrl, sort: "num_parameters" })), /Invalid sort parameter/);
});

test("listDatasets: tags and paging through Link", async () => {
	const datasets = await collect(
		hub.listDatasets({ hubUrl, search: { query: prefix, tags: ["task_categories:text-classification"] } }),
	);
	assert.equal(datasets.length, 3);
	const fr = await collect(hub.listDatasets({ hubUrl, search: { query: prefix, tags: ["language:fr"] } }));
	assert.deepEqual(names(fr), [`alice/${prefix}-data1`, `alice/${prefix}-data2`]);
	// The client follows Link: a page size of 1 still yields every dataset, then stops at limit.
	const pages = [];
	const fetchOnePerPage = (url, init) => {
		const u = new URL(url);
		u.searchParams.set("limit", "1");
		pages.push(u.toString());
		return fetch(u, init);
	};
	const all = await collect(hub.listDatasets({ hubUrl, search: { query: prefix }, fetch: fetchOnePerPage }));
	assert.equal(all.length, 3);
	assert.equal(pages.length, 3);
	assert.match(pages[1], /cursor=1/);
});
