// Lineage, weight files, the openness report and Croissant (docs/lineage.md) on a small hub
// scripted through the real @huggingface/hub client: datasets with two revisions, a base model,
// a fine-tune with a verified training manifest, a manifest that lies, card-only claims, an
// adapter, a merge, a GGUF quantization, a private fine-tune, an external base model and a
// repository of malformed weight files. Every expected value is derived from what the test
// wrote; the lineage routes are read with plain HTTP as anonymous, alice and bob.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as hub from "@huggingface/hub";
import { startServer, seededBuffer, sha256Hex, http } from "./harness.mjs";
import { assertBytesEqual, HEX40 } from "./assert-helpers.mjs";
import { safetensors, badSafetensors, gguf, badGguf, GGUF, GGML } from "./weights.mjs";

let srv;
let hubUrl;
let alice;
let bob;

// Commit ids and file contents of the scripted hub, filled by before().
const C = {};
const bytes = {};

const MODEL = (name) => ({ type: "model", name: `alice/${name}` });
const DATASET = (name) => ({ type: "dataset", name: `alice/${name}` });

/** Commits `files` ([[path, Buffer | string]]) to a repository; returns the commit id. */
async function put(repo, files, { branch, title = "add files" } = {}) {
	const res = await hub.uploadFiles({
		hubUrl,
		accessToken: alice,
		repo,
		files: files.map(([path, content]) => ({ path, content: new Blob([content]) })),
		useXet: false,
		commitTitle: title,
		...(branch ? { branch } : {}),
	});
	assert.match(res.commit.oid, HEX40, `commit to ${repo.name} must return a commit id`);
	return res.commit.oid;
}

async function create(repo, { priv = false } = {}) {
	await hub.createRepo({ hubUrl, accessToken: alice, repo, ...(priv ? { visibility: "private" } : {}) });
}

/** A README with YAML front matter from a plain object (values are JSON, which YAML accepts). */
function card(front, body = "") {
	const lines = Object.entries(front).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
	return `---\n${lines.join("\n")}\n---\n${body}`;
}

/** GET a Vitrine route as `token` (undefined: anonymous); asserts the status, returns the response. */
async function get(path, token, status = 200) {
	const r = await http(hubUrl, path, { token });
	assert.equal(r.status, status, `GET ${path} as ${token === alice ? "alice" : token === bob ? "bob" : "anonymous"}: ${r.status} ${r.body.toString("utf8").slice(0, 400)}`);
	return r;
}
const lineage = async (path, token) => (await get(`/api/vitrine/lineage/${path}`, token)).json;

const byId = (list) => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const ids = (list) => list.map((x) => x.id).sort();

// ---- the weights the test writes ----

const BASE_TENSORS = [
	{ name: "model.embed_tokens.weight", dtype: "F32", shape: [64, 16] },
	{ name: "model.layers.0.mlp.weight", dtype: "BF16", shape: [16, 48] },
	{ name: "model.layers.0.attn.weight", dtype: "BF16", shape: [16, 16] },
	{ name: "model.norm.weight", dtype: "F32", shape: [16] },
];
const FT_TENSORS = [
	{ name: "model.embed_tokens.weight", dtype: "BF16", shape: [64, 16] },
	{ name: "model.norm.weight", dtype: "F32", shape: [16] },
];

const GGUF_ARGS = () => ({
	kv: [
		["general.architecture", GGUF.STRING, "llama"],
		["general.name", GGUF.STRING, "Base 7B Q4_K_M"],
		["general.file_type", GGUF.UINT32, 15],
		["general.tags", GGUF.ARRAY, GGUF.STRING, ["text-generation", "quantized"]],
		["llama.context_length", GGUF.UINT32, 4096],
		["llama.block_count", GGUF.UINT32, 1],
		["general.base_model.count", GGUF.UINT32, 1],
		// name/organization that do not spell the id: the repo_url on this hub must name it.
		["general.base_model.0.name", GGUF.STRING, "Base 7B"],
		["general.base_model.0.organization", GGUF.STRING, "Alice"],
		["general.base_model.0.repo_url", GGUF.STRING, `${hubUrl}/alice/base-7b`],
		["general.quantization_version", GGUF.UINT64, 2],
	],
	tensors: [
		{ name: "token_embd.weight", dims: [256, 2], type: GGML.Q4_K },
		{ name: "output_norm.weight", dims: [32], type: GGML.F32 },
	],
	seed: "gguf-q4",
});

// ---- the scripted hub ----

const WEB_CARD = {
	license: ["odc-by", "cc-by-4.0"],
	pretty_name: "Web crawl",
	language: ["en"],
	task_categories: ["text-generation"],
	annotations_creators: ["no-annotation"],
	source_datasets: ["original"],
	data_biases: "English-centric: some regions are over-represented.",
	"rai:dataLimitations": "Not deduplicated against evaluation sets.",
	personal_sensitive_information: ["e-mail addresses removed", "phone numbers removed"],
	data_collection_timeframe: "2024-01/2024-06",
	configs: [{ config_name: "default", data_files: [{ split: "train", path: "data/train-*.parquet" }] }],
	dataset_info: {
		features: [
			{ name: "text", dtype: "string" },
			{ name: "score", dtype: "float32" },
		],
	},
};

function manifest({ datasetRevision, datasetSha }) {
	return JSON.stringify(
		{
			schema: "vitrine.training-manifest/1",
			base_models: [{ repo: "alice/base-7b", revision: C.base, files: [{ path: "model.safetensors", sha256: sha256Hex(bytes.base) }] }],
			datasets: [
				{
					repo: "alice/web",
					revision: datasetRevision,
					split: "train",
					tokens: 4000000000,
					weight: 1.0,
					stage: "stage1",
					files: [{ path: "data/train-00000.parquet", sha256: datasetSha }],
				},
			],
			evaluation: [{ dataset: "alice/evalset", revision: C.evalset, split: "test", metrics: { accuracy: 0.61 } }],
			code: {
				repo: "https://github.com/alice/trainer",
				commit: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
				license: "apache-2.0",
				config: "training/config.yaml",
				entrypoint: "train.py",
			},
			hyperparameters: { lr: 0.0003, batch_size: 1024, optimizer: "adamw" },
			hardware: { accelerator: "H100-80GB", count: 8, hours: 12, provider: "alice-cloud", energy_kwh: 90, co2_kg: 31 },
			stages: [{ name: "stage1", steps: 2000, tokens: 4000000000 }],
			checkpoints: [{ revision: "stage1-step1000-tokens4B" }, "stage1-step1500-tokens6B", { revision: "stage1-step2000-tokens8B" }],
			logs: ["training/metrics.jsonl"],
			data_information: {
				acquisition: ["public", "crawled"],
				crawler: { name: "alicebot", respects_robots_txt: true, period: "2024-01/2024-06", top_domains: ["example.org"] },
				synthetic_generators: [],
				tdm_opt_out: "robots.txt and ai.txt honoured at crawl time",
				illegal_content_removal: "hash lists and classifier filtering",
				processing: "dedup (exact + MinHash), language id, quality classifier",
				languages: ["en"],
				modalities: ["text"],
			},
		},
		null,
		2,
	);
}

before(async () => {
	srv = await startServer();
	hubUrl = srv.baseUrl;
	({ alice, bob } = srv.tokens);

	// Datasets. alice/web has two revisions whose training file differs.
	bytes.webR1 = seededBuffer("web-r1", 40 * 1024);
	bytes.webR2 = seededBuffer("web-r2", 48 * 1024);
	bytes.webReadme = card(WEB_CARD, "# Web crawl\n\nA small web crawl used to test lineage.\n\nMore text.\n");
	bytes.webNotes = "collected by alicebot\n";
	await create(DATASET("web"));
	C.webR1 = await put(DATASET("web"), [
		["README.md", bytes.webReadme],
		["data/train-00000.parquet", bytes.webR1],
		["data/notes.txt", bytes.webNotes],
	]);
	C.webR2 = await put(DATASET("web"), [["data/train-00000.parquet", bytes.webR2]], { title: "refresh the crawl" });

	await create(DATASET("web-filtered"));
	await put(DATASET("web-filtered"), [
		["README.md", card({ license: "cc-by-4.0", source_datasets: ["alice/web"] }, "Filtered web crawl.\n")],
		["data/train.jsonl", '{"text": "a"}\n'],
	]);
	await create(DATASET("evalset"));
	C.evalset = await put(DATASET("evalset"), [
		["README.md", card({ license: "cc-by-4.0" }, "An evaluation set.\n")],
		["data/test.jsonl", '{"q": "1+1", "a": "2"}\n'],
	]);
	await create(DATASET("secret-data"), { priv: true });
	await put(DATASET("secret-data"), [["README.md", card({ license: "cc-by-4.0" }, "Private.\n")]]);

	// The base model.
	const base = safetensors(BASE_TENSORS, { seed: "base" });
	bytes.base = base.bytes;
	bytes.baseParams = base;
	await create(MODEL("base-7b"));
	C.base = await put(MODEL("base-7b"), [
		["README.md", card({ license: "apache-2.0", library_name: "transformers" }, "# Base 7B\n\nA base model.\n")],
		["config.json", JSON.stringify({ architectures: ["LlamaForCausalLM"], hidden_size: 16 })],
		["model.safetensors", bytes.base],
	]);

	// The fine-tune, as open as the rules allow: F1 has the manifest pinned to web@R1, F2 adds
	// sample outputs (main), checkpoints are a branch and a tag at F2, and the branch v2 (F3)
	// retrains on web@R2.
	const ft = safetensors(FT_TENSORS, { seed: "ft" });
	bytes.ftParams = ft;
	bytes.ftReadme = card(
		{ license: "apache-2.0", base_model: "alice/base-7b", datasets: ["alice/web"], library_name: "transformers", language: ["en"] },
		"# ft\n\nA fine-tune of base-7b on the web crawl.\n",
	);
	await create(MODEL("ft"));
	C.ft1 = await put(MODEL("ft"), [
		["README.md", bytes.ftReadme],
		["config.json", JSON.stringify({ architectures: ["LlamaForCausalLM"], hidden_size: 16 })],
		["model.safetensors", ft.bytes],
		["tokenizer.json", JSON.stringify({ version: "1.0", model: { type: "BPE" } })],
		["training/manifest.json", manifest({ datasetRevision: C.webR1, datasetSha: sha256Hex(bytes.webR1) })],
		["training/config.yaml", "lr: 0.0003\nbatch_size: 1024\n"],
		["training/metrics.jsonl", '{"step": 1000, "loss": 2.1}\n{"step": 2000, "loss": 1.9}\n'],
		["train.py", "print('train')\n"],
		["inference.py", "print('infer')\n"],
		["eval.py", "print('eval')\n"],
		["preprocess.py", "print('preprocess')\n"],
		["paper.pdf", "%PDF-1.4 paper\n"],
		["technical_report.pdf", "%PDF-1.4 report\n"],
	]);
	C.ft2 = await put(MODEL("ft"), [["samples/outputs.jsonl", '{"prompt": "hi", "output": "hello"}\n']], { title: "sample outputs" });
	await hub.createBranch({ hubUrl, accessToken: alice, repo: MODEL("ft"), branch: "stage1-step1000-tokens4B", revision: C.ft2 });
	const tag = await http(hubUrl, "/api/models/alice/ft/tag/main", {
		method: "POST",
		token: alice,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ tag: "stage1-step1500-tokens6B" }),
	});
	assert.ok(tag.status < 300, `tag creation: ${tag.status} ${tag.body}`);
	await hub.createBranch({ hubUrl, accessToken: alice, repo: MODEL("ft"), branch: "v2", revision: C.ft2 });
	C.ft3 = await put(MODEL("ft"), [["training/manifest.json", manifest({ datasetRevision: C.webR2, datasetSha: sha256Hex(bytes.webR2) })]], {
		branch: "v2",
		title: "retrain on web@R2",
	});

	// A manifest that lies: wrong hash, a file the base does not have, a commit web lacks.
	C.noSuchCommit = "f".repeat(40);
	await create(MODEL("ft-wrong"));
	await put(MODEL("ft-wrong"), [
		[
			"training/manifest.json",
			JSON.stringify({
				schema: "vitrine.training-manifest/1",
				base_models: [
					{
						repo: "alice/base-7b",
						revision: C.base,
						files: [
							{ path: "model.safetensors", sha256: "0".repeat(64) },
							{ path: "missing.bin", sha256: "1".repeat(64) },
						],
					},
				],
				datasets: [{ repo: "alice/web", revision: C.noSuchCommit }],
			}),
		],
	]);

	await create(MODEL("ft-card-only"));
	await put(MODEL("ft-card-only"), [
		["README.md", card({ license: "apache-2.0", base_model: "alice/base-7b", datasets: ["alice/web"] }, "Fine-tuned; card only.\n")],
	]);

	await create(MODEL("lora"));
	await put(MODEL("lora"), [
		["README.md", card({ license: "apache-2.0", base_model: "alice/ft" }, "A LoRA adapter.\n")],
		["adapter_config.json", JSON.stringify({ peft_type: "LORA", r: 8, base_model_name_or_path: "alice/ft" })],
	]);

	await create(MODEL("merge"));
	await put(MODEL("merge"), [["README.md", card({ license: "apache-2.0", base_model: ["alice/ft", "alice/ft-card-only"] }, "A merge.\n")]]);

	const q = gguf(GGUF_ARGS());
	bytes.gguf = q;
	await create(MODEL("gguf"));
	await put(MODEL("gguf"), [
		["README.md", card({ license: "apache-2.0" }, "Quantized base-7b.\n")],
		["base-7b.Q4_K_M.gguf", q.bytes],
	]);

	// Malformed card and weight files: the commit must still succeed.
	bytes.brokenReadme = "---\nlicense: [apache-2.0\nbase_model: alice/base-7b\n---\nBroken card.\n";
	bytes.okShard = safetensors([{ name: "w", dtype: "F16", shape: [8, 8] }], { seed: "ok" });
	await create(MODEL("broken"));
	C.broken = await put(MODEL("broken"), [
		["README.md", bytes.brokenReadme],
		["ok.safetensors", bytes.okShard.bytes],
		["huge-header.safetensors", badSafetensors.hugeHeader()],
		["overlap.safetensors", badSafetensors.overlapping()],
		["mismatch.safetensors", badSafetensors.shapeMismatch()],
		["huge-string.gguf", badGguf.hugeStringLength()],
		["bad-magic.gguf", badGguf.badMagic()],
		["model.safetensors.index.json", JSON.stringify({ metadata: { total_size: 128 }, weight_map: { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors" } })],
	]);

	// Private fine-tune of base-7b trained on web, and a public model derived from it.
	await create(MODEL("secret"), { priv: true });
	await put(MODEL("secret"), [["README.md", card({ license: "apache-2.0", base_model: "alice/base-7b", datasets: ["alice/web"] }, "Private.\n")]]);
	await create(MODEL("from-secret"));
	await put(MODEL("from-secret"), [["README.md", card({ license: "apache-2.0", base_model: "alice/secret" }, "Derived from a private model.\n")]]);

	// A model trained on the derived dataset only.
	await create(MODEL("small-filtered"));
	await put(MODEL("small-filtered"), [["README.md", card({ license: "mit", datasets: ["alice/web-filtered"] }, "Trained on the filtered crawl.\n")]]);

	// A sharded checkpoint: parameters are summed over the shards the index names.
	bytes.shard1 = safetensors([{ name: "a", dtype: "F32", shape: [8, 8] }], { seed: "shard1" });
	bytes.shard2 = safetensors(
		[
			{ name: "b", dtype: "BF16", shape: [8, 8] },
			{ name: "c", dtype: "F32", shape: [8] },
		],
		{ seed: "shard2" },
	);
	await create(MODEL("sharded"));
	await put(MODEL("sharded"), [
		["model-00001-of-00002.safetensors", bytes.shard1.bytes],
		["model-00002-of-00002.safetensors", bytes.shard2.bytes],
		[
			"model.safetensors.index.json",
			JSON.stringify({
				metadata: { total_size: bytes.shard1.bytes.length + bytes.shard2.bytes.length },
				weight_map: { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors", c: "model-00002-of-00002.safetensors" },
			}),
		],
	]);

	// A GGUF v2 file with another architecture, no file_type and a 64-byte alignment.
	bytes.ggufV2 = gguf({
		version: 2,
		alignment: 64,
		kv: [
			["general.architecture", GGUF.STRING, "gpt2"],
			["gpt2.context_length", GGUF.UINT32, 1024],
		],
		tensors: [
			{ name: "wte", dims: [64, 2], type: GGML.F16 },
			{ name: "ln_f", dims: [64], type: GGML.F32 },
		],
		seed: "gguf-v2",
	});
	await create(MODEL("gguf-v2"));
	await put(MODEL("gguf-v2"), [["tiny.gguf", bytes.ggufV2.bytes]]);

	// A sloppy manifest: each broken rule is a problem, the rest is still used.
	await create(MODEL("ft-sloppy"));
	await put(MODEL("ft-sloppy"), [
		[
			"README.md",
			card(
				{
					license: "apache-2.0",
					"model-index": [{ name: "ft-sloppy", results: [{ task: { type: "text-generation" }, dataset: { type: "alice/evalset", name: "evalset" }, metrics: [{ type: "accuracy", value: 0.5 }] }] }],
				},
				"Sloppy.\n",
			),
		],
		[
			"training/manifest.json",
			JSON.stringify({
				schema: "v0",
				base_models: [{ repo: "https://example.org/models/base", relation: "distill" }],
				datasets: [{ repo: "alice/evalset", revision: "main", files: [{ path: "data/test.jsonl", sha256: "ABC" }] }],
				logs: ["training/missing.log"],
			}),
		],
	]);

	// An external base model and a licence that is not open.
	await create(MODEL("external"));
	await put(MODEL("external"), [
		["README.md", card({ license: "llama3", base_model: "meta-llama/Llama-3.1-8B" }, "A Llama fine-tune.\n")],
		["config.json", JSON.stringify({ architectures: ["LlamaForCausalLM"] })],
		["model.safetensors", safetensors([{ name: "w", dtype: "BF16", shape: [4, 4] }], { seed: "ext" }).bytes],
	]);
});

after(async () => {
	await srv?.stop();
});

// ---- node view ----

test("node view of ft: manifest edges verified (pinned commit, matching sha256), card duplicates merged", async () => {
	const n = await lineage("models/alice/ft");
	assert.equal(n.type, "model");
	assert.equal(n.id, "alice/ft");
	assert.equal(n.revision, C.ft2);
	assert.equal(n.ref, "refs/heads/main");
	assert.deepEqual(n.card, { present: true, error: null });
	assert.deepEqual(n.manifest, { present: true, problems: [] });
	// The card names the same base model and dataset: one edge each, the manifest's, which
	// says where else it was declared (alsoDeclaredIn, checked last below).
	const withoutAlso = n.parents.map(({ alsoDeclaredIn, ...rest }) => rest);
	assert.deepEqual(withoutAlso, [
		{
			relation: "finetune",
			type: "model",
			id: "alice/base-7b",
			revision: C.base,
			status: "verified",
			source: "manifest",
			problems: [],
		},
		{
			relation: "trained-on",
			type: "dataset",
			id: "alice/web",
			revision: C.webR1,
			status: "verified",
			source: "manifest",
			problems: [],
			split: "train",
			tokens: 4000000000,
			stage: "stage1",
		},
		{
			relation: "evaluated-on",
			type: "dataset",
			id: "alice/evalset",
			revision: C.evalset,
			status: "verified",
			source: "manifest",
			problems: [],
			split: "test",
		},
	]);
	// Children of the current graph: the adapter and the merge, both through card claims.
	assert.deepEqual(n.children.count, { adapter: 1, merge: 1 });
	assert.equal(n.children.total, 2);
	assert.deepEqual(byId(n.children.items), [
		{ type: "model", id: "alice/lora", relation: "adapter", status: "unpinned", depth: 1, parent: "alice/ft" },
		{ type: "model", id: "alice/merge", relation: "merge", status: "unpinned", depth: 1, parent: "alice/ft" },
	]);
	// Weight facts: parameters by dtype, as written.
	assert.deepEqual(n.safetensors, {
		parameters: bytes.ftParams.parameters,
		total: bytes.ftParams.total,
		files: [{ path: "model.safetensors", parameters: bytes.ftParams.parameters, total: bytes.ftParams.total, tensors: FT_TENSORS.length }],
	});
	for (const key of ["gguf", "weightErrors", "safetensorsIndex"]) assert.ok(!(key in n), `${key} must be absent when there is nothing to say`);

	// The v2 branch is its own revision, pinned to web@R2.
	const v2 = await lineage("models/alice/ft?revision=v2");
	assert.equal(v2.revision, C.ft3);
	assert.equal(v2.ref, "refs/heads/v2");
	const web = v2.parents.find((p) => p.relation === "trained-on");
	assert.equal(web.revision, C.webR2);
	assert.equal(web.status, "verified");
	// A tag names a revision too.
	const tagged = await lineage("models/alice/ft?revision=stage1-step1500-tokens6B");
	assert.equal(tagged.revision, C.ft2);
	assert.equal(tagged.ref, "refs/tags/stage1-step1500-tokens6B");
	// And a commit id names the older revision.
	const old = await lineage(`models/alice/ft?revision=${C.ft1}`);
	assert.equal(old.revision, C.ft1);
	assert.equal(old.parents.find((p) => p.relation === "trained-on").revision, C.webR1);

	assert.deepEqual(
		n.parents.map((p) => p.alsoDeclaredIn),
		["card", "card", undefined],
		"docs/lineage.md: when the card and the manifest name the same parent, the manifest's edge is kept (alsoDeclaredIn)",
	);
});

test("node view of ft-wrong: hash mismatch, a file the parent lacks and a missing commit stay declared", async () => {
	const n = await lineage("models/alice/ft-wrong");
	assert.deepEqual(n.card, { present: false, error: null });
	assert.equal(n.parents.length, 2);
	const [baseEdge, webEdge] = n.parents;
	assert.equal(baseEdge.relation, "finetune");
	assert.equal(baseEdge.id, "alice/base-7b");
	assert.equal(baseEdge.status, "declared");
	assert.equal(baseEdge.source, "manifest");
	assert.equal(baseEdge.revision, C.base, "the commit exists, so the edge still names it");
	assert.equal(baseEdge.problems.length, 2, JSON.stringify(baseEdge.problems));
	assert.match(baseEdge.problems[0], /^hash mismatch: model\.safetensors/);
	assert.ok(baseEdge.problems[0].includes(sha256Hex(bytes.base)), "the mismatch names the real sha256");
	assert.ok(baseEdge.problems[0].includes("0".repeat(64)), "the mismatch names the manifest's sha256");
	assert.match(baseEdge.problems[1], /^file missing\.bin is not in alice\/base-7b/);

	assert.equal(webEdge.relation, "trained-on");
	assert.equal(webEdge.id, "alice/web");
	assert.equal(webEdge.status, "declared");
	assert.equal(webEdge.revision, null);
	assert.deepEqual(webEdge.problems, [`commit ${C.noSuchCommit} does not exist in alice/web`]);
});

test("node view of card-only claims: declared without revision; external base 'not found on this hub'", async () => {
	const n = await lineage("models/alice/ft-card-only");
	assert.deepEqual(n.manifest, { present: false, problems: [] });
	assert.deepEqual(n.parents, [
		{
			relation: "finetune",
			type: "model",
			id: "alice/base-7b",
			revision: null,
			status: "declared",
			source: "card",
			problems: ["declared in the card without a revision"],
		},
		{
			relation: "trained-on",
			type: "dataset",
			id: "alice/web",
			revision: null,
			status: "declared",
			source: "card",
			problems: ["declared in the card without a revision"],
		},
	]);
	const ext = await lineage("models/alice/external");
	assert.deepEqual(ext.parents, [
		{
			relation: "finetune",
			type: "model",
			id: "meta-llama/Llama-3.1-8B",
			revision: null,
			status: "declared",
			source: "card",
			problems: ["not found on this hub"],
		},
	]);
	// A dataset's card source_datasets give derived-from edges.
	const wf = await lineage("datasets/alice/web-filtered");
	assert.equal(wf.type, "dataset");
	assert.deepEqual(wf.parents, [
		{
			relation: "derived-from",
			type: "dataset",
			id: "alice/web",
			revision: null,
			status: "declared",
			source: "card",
			problems: ["declared in the card without a revision"],
		},
	]);
	// source_datasets: [original] gives no edge.
	assert.deepEqual((await lineage("datasets/alice/web")).parents, []);
});

test("relation inference: adapter_config.json → adapter, several bases → merge, GGUF header → quantized", async () => {
	const lora = await lineage("models/alice/lora");
	assert.deepEqual(
		lora.parents.map((p) => [p.relation, p.id, p.source, p.status]),
		[["adapter", "alice/ft", "card", "declared"]],
	);
	const merge = await lineage("models/alice/merge");
	assert.deepEqual(
		merge.parents.map((p) => [p.relation, p.id, p.source]),
		[
			["merge", "alice/ft", "card"],
			["merge", "alice/ft-card-only", "card"],
		],
	);
	const q = await lineage("models/alice/gguf");
	assert.deepEqual(q.parents, [
		{
			relation: "quantized",
			type: "model",
			id: "alice/base-7b",
			revision: null,
			status: "declared",
			source: "gguf",
			problems: ["declared in the gguf without a revision"],
		},
	]);
	assert.deepEqual(q.gguf, [
		{
			path: "base-7b.Q4_K_M.gguf",
			architecture: "llama",
			name: "Base 7B Q4_K_M",
			quantization: "Q4_K_M",
			context_length: 4096,
			parameters: bytes.gguf.parameters,
			total: bytes.gguf.total,
			tensors: 2,
			baseModels: [{ name: "Base 7B", organization: "Alice", version: "", repo_url: `${hubUrl}/alice/base-7b` }],
		},
	]);
	assert.deepEqual(bytes.gguf.parameters, { Q4_K: 512, F32: 32 });
	assert.ok(!("safetensors" in q));
});

test("sharded safetensors and a GGUF v2 file: parameters summed over shards, quantization by dominant type", async () => {
	const n = await lineage("models/alice/sharded");
	const parameters = { F32: 64 + 8, BF16: 64 };
	assert.deepEqual(n.safetensors.parameters, parameters);
	assert.equal(n.safetensors.total, 136);
	assert.deepEqual(
		n.safetensors.files.map((f) => [f.path, f.total, f.tensors]).sort(),
		[
			["model-00001-of-00002.safetensors", 64, 1],
			["model-00002-of-00002.safetensors", 72, 2],
		],
	);
	assert.deepEqual(n.safetensorsIndex, [
		{
			path: "model.safetensors.index.json",
			totalSize: bytes.shard1.bytes.length + bytes.shard2.bytes.length,
			shards: ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"],
			missingShards: [],
		},
	]);
	assert.ok(!("weightErrors" in n));
	assert.deepEqual((await get("/api/models/alice/sharded")).json.safetensors, { parameters, total: 136 });

	const g = await lineage("models/alice/gguf-v2");
	assert.deepEqual(g.parents, []);
	assert.deepEqual(g.card, { present: false, error: null });
	assert.equal(g.gguf.length, 1);
	assert.deepEqual(
		{ ...g.gguf[0] },
		{
			path: "tiny.gguf",
			architecture: "gpt2",
			name: "",
			quantization: "F16",
			context_length: 1024,
			parameters: bytes.ggufV2.parameters,
			total: bytes.ggufV2.total,
			tensors: 2,
			baseModels: [],
		},
	);
	assert.deepEqual(bytes.ggufV2.parameters, { F16: 128, F32: 64 });
	assert.deepEqual((await get("/api/models/alice/gguf-v2")).json.gguf, { total: 192, architecture: "gpt2", context_length: 1024 });
});

test("manifest rule violations are listed in manifest.problems, the rest of the manifest is used", async () => {
	const n = await lineage("models/alice/ft-sloppy");
	assert.equal(n.manifest.present, true);
	const problems = n.manifest.problems;
	const expect = [/^schema: .*v0/, /^base_models\[0\]\.relation: .*distill/, /^datasets\[0\]\.files\[0\]\.sha256: /, /^datasets\[0\]\.revision: .*main/, /^logs: training\/missing\.log /];
	for (const re of expect) assert.ok(problems.some((p) => re.test(p)), `${re} not in ${JSON.stringify(problems)}`);
	assert.equal(problems.length, expect.length, JSON.stringify(problems));
	assert.deepEqual(n.parents, [
		{
			relation: "finetune",
			type: "model",
			id: "https://example.org/models/base",
			revision: null,
			status: "declared",
			source: "manifest",
			problems: ["not found on this hub"],
		},
		{
			relation: "trained-on",
			type: "dataset",
			id: "alice/evalset",
			revision: null,
			status: "declared",
			source: "manifest",
			problems: ["revision is not a full commit id"],
		},
		{
			relation: "evaluated-on",
			type: "dataset",
			id: "alice/evalset",
			revision: null,
			status: "declared",
			source: "card",
			problems: ["declared in the card without a revision"],
		},
	]);
	// Trained models of evalset: the sloppy model trained on it, not the models evaluated on it.
	const m = await lineage("datasets/alice/evalset/models");
	assert.deepEqual(m.models, [{ type: "model", id: "alice/ft-sloppy", relation: "trained-on", status: "unpinned", depth: 1, parent: "alice/evalset" }]);
	assert.equal(m.total, 1);
	// The openness report lists the manifest's problems as warnings.
	const r = (await get("/api/vitrine/openness/models/alice/ft-sloppy")).json;
	for (const p of problems) assert.ok(r.warnings.includes(`training/manifest.json: ${p}`), p);
	assert.ok(r.warnings.includes("https://example.org/models/base: not found on this hub"));
});

// ---- traversals ----

const BASE_DESCENDANTS_ALICE = [
	{ type: "model", id: "alice/from-secret", relation: "finetune", status: "unpinned", depth: 2, parent: "alice/secret" },
	{ type: "model", id: "alice/ft", relation: "finetune", status: "verified", depth: 1, parent: "alice/base-7b" },
	{ type: "model", id: "alice/ft-card-only", relation: "finetune", status: "unpinned", depth: 1, parent: "alice/base-7b" },
	{ type: "model", id: "alice/ft-wrong", relation: "finetune", status: "declared", depth: 1, parent: "alice/base-7b" },
	{ type: "model", id: "alice/gguf", relation: "quantized", status: "unpinned", depth: 1, parent: "alice/base-7b" },
	{ type: "model", id: "alice/lora", relation: "adapter", status: "unpinned", depth: 2, parent: "alice/ft" },
	{ type: "model", id: "alice/merge", relation: "merge", status: "unpinned", depth: 2, parent: "alice/ft" },
	{ type: "model", id: "alice/secret", relation: "finetune", status: "unpinned", depth: 1, parent: "alice/base-7b" },
];
const PRIVATE = new Set(["alice/secret", "alice/from-secret"]);

/** The merge is reached through ft or ft-card-only, whichever the walk meets first. */
function normalizeMergeParent(list) {
	return list.map((d) => {
		if (d.id !== "alice/merge") return d;
		assert.ok(["alice/ft", "alice/ft-card-only"].includes(d.parent), `merge reached through ${d.parent}`);
		return { ...d, parent: "alice/ft" };
	});
}

test("descendants of base-7b: total, byRelation, status of the weakest edge, visibility per caller", async () => {
	const a = await lineage("models/alice/base-7b/descendants", alice);
	assert.deepEqual(a.root, { type: "model", id: "alice/base-7b" });
	assert.equal(a.total, 8);
	assert.equal(a.truncated, false);
	assert.deepEqual(a.byRelation, { finetune: 4, quantized: 1 });
	assert.deepEqual(normalizeMergeParent(byId(a.descendants)), BASE_DESCENDANTS_ALICE);
	// Breadth first: every depth-1 entry comes before every depth-2 entry.
	const depths = a.descendants.map((d) => d.depth);
	assert.deepEqual(depths, [...depths].sort());

	const publicView = BASE_DESCENDANTS_ALICE.filter((d) => !PRIVATE.has(d.id));
	for (const [who, token] of [
		["anonymous", undefined],
		["bob", bob],
	]) {
		const d = await lineage("models/alice/base-7b/descendants", token);
		assert.equal(d.total, 6, `${who} must not count the private fine-tune or what derives from it`);
		assert.deepEqual(d.byRelation, { finetune: 3, quantized: 1 }, who);
		assert.deepEqual(normalizeMergeParent(byId(d.descendants)), publicView, who);
	}
});

test("descendants filters: relation= (first level), depth=, limit= with truncated", async () => {
	const q = await lineage("models/alice/base-7b/descendants?relation=quantized", alice);
	assert.equal(q.total, 1);
	assert.deepEqual(q.byRelation, { quantized: 1 });
	assert.deepEqual(ids(q.descendants), ["alice/gguf"]);

	const f = await lineage("models/alice/base-7b/descendants?relation=finetune");
	assert.deepEqual(f.byRelation, { finetune: 3 });
	assert.deepEqual(ids(f.descendants), ["alice/ft", "alice/ft-card-only", "alice/ft-wrong", "alice/lora", "alice/merge"]);
	assert.equal(f.total, 5);

	const adapter = await lineage("models/alice/base-7b/descendants?relation=adapter");
	assert.equal(adapter.total, 0);
	assert.deepEqual(adapter.descendants, []);
	assert.deepEqual(adapter.byRelation, {});

	const d1 = await lineage("models/alice/base-7b/descendants?depth=1", alice);
	assert.equal(d1.total, 5);
	assert.ok(d1.descendants.every((d) => d.depth === 1));
	assert.deepEqual(ids(d1.descendants), ["alice/ft", "alice/ft-card-only", "alice/ft-wrong", "alice/gguf", "alice/secret"]);
	const d0 = await lineage("models/alice/base-7b/descendants?depth=0", alice);
	assert.equal(d0.total, 8, "depth=0 is unlimited");

	const l = await lineage("models/alice/base-7b/descendants?limit=2", alice);
	assert.equal(l.total, 8, "limit bounds the list, never total");
	assert.equal(l.descendants.length, 2);
	assert.equal(l.truncated, true);
	assert.ok(l.descendants.every((d) => d.depth === 1), "the first entries of a breadth-first walk");

	// Descendants of a leaf and of the middle.
	const leaf = await lineage("models/alice/lora/descendants");
	assert.deepEqual([leaf.total, leaf.descendants, leaf.truncated], [0, [], false]);
	const mid = await lineage("models/alice/ft/descendants");
	assert.equal(mid.total, 2);
	assert.deepEqual(mid.byRelation, { adapter: 1, merge: 1 });
});

test("ancestors of lora reach base-7b, web and evalset through ft (unpinned hop resolved to ft's main)", async () => {
	const a = await lineage("models/alice/lora/ancestors");
	assert.deepEqual(a.root.id, "alice/lora");
	assert.match(a.root.revision, HEX40);
	const lora = a.root.revision;
	const up = a.ancestors;
	const hop1 = up.filter((e) => e.depth === 1);
	assert.equal(hop1.length, 1);
	assert.deepEqual(hop1[0], {
		relation: "adapter",
		type: "model",
		id: "alice/ft",
		revision: null,
		status: "declared",
		source: "card",
		problems: ["declared in the card without a revision"],
		depth: 1,
		child: { id: "alice/lora", revision: lora },
		resolvedRevision: C.ft2,
	});
	const hop2 = up.filter((e) => e.depth === 2);
	assert.deepEqual(
		hop2.map((e) => [e.relation, e.id, e.revision, e.status, e.child.id, e.child.revision]).sort(),
		[
			["evaluated-on", "alice/evalset", C.evalset, "verified", "alice/ft", C.ft2],
			["finetune", "alice/base-7b", C.base, "verified", "alice/ft", C.ft2],
			["trained-on", "alice/web", C.webR1, "verified", "alice/ft", C.ft2],
		].sort(),
	);
	assert.ok(hop2.every((e) => !("resolvedRevision" in e)), "pinned edges need no resolution");
	assert.equal(up.length, 4, "base-7b, web and evalset at their pinned commits have no parents");

	const shallow = await lineage("models/alice/lora/ancestors?depth=1");
	assert.deepEqual(ids(shallow.ancestors), ["alice/ft"]);

	// The merge has two parents and reaches base-7b through both (once through ft's manifest,
	// once through ft-card-only's card).
	const m = await lineage("models/alice/merge/ancestors");
	const baseHops = m.ancestors.filter((e) => e.id === "alice/base-7b");
	assert.deepEqual(baseHops.map((e) => [e.child.id, e.status]).sort(), [
		["alice/ft", "verified"],
		["alice/ft-card-only", "declared"],
	]);
});

test("private parents: hidden from anonymous and bob in node views and ancestors, shown to alice", async () => {
	for (const token of [undefined, bob]) {
		const n = await lineage("models/alice/from-secret", token);
		assert.deepEqual(n.parents, [
			{ relation: "finetune", type: "model", id: "alice/secret", revision: null, status: "declared", source: "card", problems: ["not found on this hub"] },
		]);
		const a = await lineage("models/alice/from-secret/ancestors", token);
		assert.deepEqual(ids(a.ancestors), ["alice/secret"], "the walk does not continue through a private repository");
		assert.ok(!("resolvedRevision" in a.ancestors[0]));
		const base = await lineage("models/alice/base-7b", token);
		assert.deepEqual(base.children.count, { finetune: 3, quantized: 1 });
		assert.equal(base.children.total, 4);
		assert.ok(!base.children.items.some((c) => PRIVATE.has(c.id)));
	}
	const n = await lineage("models/alice/from-secret", alice);
	assert.deepEqual(n.parents[0].problems, ["declared in the card without a revision"]);
	const a = await lineage("models/alice/from-secret/ancestors", alice);
	assert.deepEqual(ids(a.ancestors), ["alice/base-7b", "alice/secret", "alice/web"]);
	const base = await lineage("models/alice/base-7b", alice);
	assert.deepEqual(base.children.count, { finetune: 4, quantized: 1 });

	// The private repository itself: 401 anonymous, 404 bob, 200 alice, on every lineage route.
	for (const path of [
		"/api/vitrine/lineage/models/alice/secret",
		"/api/vitrine/lineage/models/alice/secret/ancestors",
		"/api/vitrine/lineage/models/alice/secret/descendants",
		"/api/vitrine/openness/models/alice/secret",
		"/api/vitrine/lineage/datasets/alice/secret-data",
		"/api/vitrine/lineage/datasets/alice/secret-data/models",
	]) {
		await get(path, undefined, 401);
		await get(path, bob, 404);
		await get(path, alice, 200);
	}
	const own = await lineage("models/alice/secret/descendants", alice);
	assert.deepEqual(ids(own.descendants), ["alice/from-secret"]);
});

// ---- datasets: trained models and impact ----

const WEB_MODELS_ALICE = [
	{ id: "alice/from-secret", relation: "finetune", status: "unpinned", depth: 2, parent: "alice/secret" },
	{ id: "alice/ft", relation: "trained-on", status: "verified", depth: 1, parent: "alice/web" },
	{ id: "alice/ft-card-only", relation: "trained-on", status: "unpinned", depth: 1, parent: "alice/web" },
	{ id: "alice/ft-wrong", relation: "trained-on", status: "unpinned", depth: 1, parent: "alice/web" },
	{ id: "alice/lora", relation: "adapter", status: "unpinned", depth: 2, parent: "alice/ft" },
	{ id: "alice/merge", relation: "merge", status: "unpinned", depth: 2, parent: "alice/ft" },
	{ id: "alice/secret", relation: "trained-on", status: "unpinned", depth: 1, parent: "alice/web" },
	{ id: "alice/small-filtered", relation: "trained-on", status: "unpinned", depth: 2, parent: "alice/web-filtered" },
].map((m) => ({ type: "model", ...m }));

/** The model entries of a datasets/.../models answer, sorted by id. */
function modelsOf(answer) {
	return normalizeMergeParent(byId(answer.models.filter((m) => m.type === "model")));
}

/** docs/lineage.md: "Every model trained on the dataset": a derived dataset is walked through, not listed or counted. */
function assertModelsOnly(answer, models) {
	assert.deepEqual(
		answer.models.filter((m) => m.type !== "model"),
		[],
		"datasets/.../models lists models only (derived datasets are walked through, not listed)",
	);
	assert.equal(answer.total, models, "total counts the models");
}

test("datasets/web/models: direct, through derived models and through the derived dataset", async () => {
	const a = await lineage("datasets/alice/web/models", alice);
	assert.deepEqual(a.root, { type: "dataset", id: "alice/web" });
	assert.deepEqual(modelsOf(a), WEB_MODELS_ALICE);
	assert.equal(a.byRelation["trained-on"], 4);
	assert.equal(a.truncated, false);

	const anon = await lineage("datasets/alice/web/models");
	assert.deepEqual(
		modelsOf(anon),
		WEB_MODELS_ALICE.filter((m) => !PRIVATE.has(m.id)),
	);
	assert.equal(anon.byRelation["trained-on"], 3);

	const limited = await lineage("datasets/alice/web/models?limit=1&depth=1", alice);
	assert.equal(limited.models.length, 1);
	assert.equal(limited.truncated, true);
	assert.ok(limited.models[0].depth === 1);

	assertModelsOnly(a, WEB_MODELS_ALICE.length);
	assertModelsOnly(anon, WEB_MODELS_ALICE.length - 2);
});

test("datasets/web/models?revision=: R1 keeps the pinned fine-tune, R2 drops it (and its adapter)", async () => {
	const r1 = await lineage(`datasets/alice/web/models?revision=${C.webR1}`, alice);
	assert.deepEqual(modelsOf(r1), WEB_MODELS_ALICE);

	// At R2, ft's main (pinned to R1) is left out, and the adapter that only ft reaches with it;
	// the merge is still reached through ft-card-only.
	const r2 = await lineage(`datasets/alice/web/models?revision=${C.webR2}`, alice);
	const expected = WEB_MODELS_ALICE.filter((m) => m.id !== "alice/ft" && m.id !== "alice/lora").map((m) =>
		m.id === "alice/merge" ? { ...m, parent: "alice/ft-card-only" } : m,
	);
	assert.deepEqual(byId(r2.models.filter((m) => m.type === "model")), expected);
	assert.equal(r2.byRelation["trained-on"], 3);
	// A branch name is resolved to its commit (main is R2).
	const main = await lineage("datasets/alice/web/models?revision=main", alice);
	assert.deepEqual(ids(main.models.filter((m) => m.type === "model")), ids(expected));

	assertModelsOnly(r1, WEB_MODELS_ALICE.length);
	assertModelsOnly(r2, expected.length);
});

function revisionsOf(answer, id) {
	const entry = answer.affected.find((x) => x.id === id);
	assert.ok(entry, `${id} must be affected: ${JSON.stringify(answer.affected.map((x) => x.id))}`);
	assert.equal(entry.type, "model");
	return [...entry.revisions].sort((a, b) => (a.revision < b.revision ? -1 : 1));
}

test("impact of web@R1: both past and current revisions of ft, with refs; unpinned claims possibly affected", async () => {
	const r = await lineage(`datasets/alice/web/impact?revision=${C.webR1}`, alice);
	assert.equal(r.dataset, "alice/web");
	assert.equal(r.revision, C.webR1);
	assert.equal(r.truncated, false);
	const models = r.affected.filter((x) => x.type === "model");
	assert.deepEqual(models.map((x) => x.id).sort(), [
		"alice/from-secret",
		"alice/ft",
		"alice/ft-card-only",
		"alice/ft-wrong",
		"alice/lora",
		"alice/merge",
		"alice/secret",
		"alice/small-filtered",
	]);
	const ft = revisionsOf(r, "alice/ft").map((x) => ({ ...x, refs: [...x.refs].sort() }));
	const expected = [
		{ revision: C.ft1, refs: [], relation: "trained-on", status: "verified", depth: 1, via: "alice/web" },
		{
			revision: C.ft2,
			refs: ["refs/heads/main", "refs/heads/stage1-step1000-tokens4B", "refs/tags/stage1-step1500-tokens6B"],
			relation: "trained-on",
			status: "verified",
			depth: 1,
			via: "alice/web",
		},
	].sort((a, b) => (a.revision < b.revision ? -1 : 1));
	assert.deepEqual(ft, expected, "ft@F1 (past, no ref) and ft@F2 (main, checkpoint branch and tag); not ft@v2");

	const cardOnly = revisionsOf(r, "alice/ft-card-only");
	assert.equal(cardOnly.length, 1);
	assert.deepEqual(
		{ ...cardOnly[0], revision: undefined },
		{ revision: undefined, refs: ["refs/heads/main"], relation: "trained-on", status: "unpinned", depth: 1, via: "alice/web" },
	);
	assert.equal(revisionsOf(r, "alice/ft-wrong")[0].status, "unpinned");
	const lora = revisionsOf(r, "alice/lora");
	assert.deepEqual(
		lora.map((x) => [x.relation, x.status, x.depth, x.via, x.refs]),
		[["adapter", "unpinned", 2, "alice/ft", ["refs/heads/main"]]],
	);
	const small = revisionsOf(r, "alice/small-filtered");
	assert.deepEqual(
		small.map((x) => [x.relation, x.status, x.depth, x.via]),
		[["trained-on", "unpinned", 2, "alice/web-filtered"]],
	);

	// Anonymous: the private fine-tune and what derives from it are not mentioned.
	const anon = await lineage(`datasets/alice/web/impact?revision=${C.webR1}`);
	const anonIds = anon.affected.map((x) => x.id);
	assert.ok(!anonIds.some((id) => PRIVATE.has(id)), JSON.stringify(anonIds));
	assert.ok(anonIds.includes("alice/ft"));

	const limited = await lineage(`datasets/alice/web/impact?revision=${C.webR1}&limit=1`, alice);
	assert.equal(limited.truncated, true);
	assert.equal(limited.affected.flatMap((x) => x.revisions).length, 1);
});

test("impact of web@R2: only ft's v2 revision, not the revisions pinned to R1", async () => {
	const r = await lineage(`datasets/alice/web/impact?revision=${C.webR2}`, alice);
	assert.equal(r.revision, C.webR2);
	assert.deepEqual(revisionsOf(r, "alice/ft"), [
		{ revision: C.ft3, refs: ["refs/heads/v2"], relation: "trained-on", status: "verified", depth: 1, via: "alice/web" },
	]);
	// Unpinned claims are possibly affected by any revision.
	for (const id of ["alice/ft-card-only", "alice/ft-wrong", "alice/secret", "alice/small-filtered", "alice/merge"]) {
		assert.ok(revisionsOf(r, id).every((x) => x.status === "unpinned"), id);
	}
	// The adapter names ft without a revision, so ft@v2 reaches it too.
	assert.equal(revisionsOf(r, "alice/lora")[0].via, "alice/ft");
	// By branch name: main is R2.
	const main = await lineage("datasets/alice/web/impact?revision=main", alice);
	assert.equal(main.revision, C.webR2);
});

// ---- model info ----

test("model info: safetensors and gguf parameters as written, baseModels, childrenModelCount, base_model tags", async () => {
	const base = (await get("/api/models/alice/base-7b")).json;
	assert.deepEqual(base.safetensors, { parameters: bytes.baseParams.parameters, total: bytes.baseParams.total });
	assert.deepEqual(bytes.baseParams.parameters, { F32: 64 * 16 + 16, BF16: 16 * 48 + 16 * 16 });
	assert.deepEqual(base.childrenModelCount, { finetune: 3, quantized: 1 });
	assert.ok(!("baseModels" in base));
	assert.deepEqual((await get("/api/models/alice/base-7b", bob)).json.childrenModelCount, { finetune: 3, quantized: 1 });
	assert.deepEqual((await get("/api/models/alice/base-7b", alice)).json.childrenModelCount, { finetune: 4, quantized: 1 });

	// Through the client's expand fields.
	const info = await hub.modelInfo({ hubUrl, name: "alice/base-7b", additionalFields: ["safetensors", "childrenModelCount"] });
	assert.deepEqual(info.safetensors, { parameters: bytes.baseParams.parameters, total: bytes.baseParams.total });
	assert.deepEqual(info.childrenModelCount, { finetune: 3, quantized: 1 });

	const baseUid = base._id;
	const ft = (await get("/api/models/alice/ft")).json;
	assert.deepEqual(ft.baseModels, { relation: "finetune", models: [{ _id: baseUid, id: "alice/base-7b" }] });
	assert.ok(ft.tags.includes("base_model:alice/base-7b"), JSON.stringify(ft.tags));
	assert.ok(ft.tags.includes("base_model:finetune:alice/base-7b"), JSON.stringify(ft.tags));
	assert.deepEqual(ft.childrenModelCount, { adapter: 1, merge: 1 });
	assert.deepEqual(ft.safetensors, { parameters: bytes.ftParams.parameters, total: bytes.ftParams.total });
	// The listing carries the card's base_model tag too.
	const listed = await (await fetch(`${hubUrl}/api/models?search=ft-card-only`)).json();
	const entry = listed.find((m) => m.id === "alice/ft-card-only");
	assert.ok(entry?.tags?.includes("base_model:alice/base-7b"), JSON.stringify(entry));

	const merge = (await get("/api/models/alice/merge")).json;
	assert.equal(merge.baseModels.relation, "merge");
	assert.deepEqual(ids(merge.baseModels.models), ["alice/ft", "alice/ft-card-only"]);
	assert.ok(merge.tags.includes("base_model:merge:alice/ft"));
	assert.ok(merge.tags.includes("base_model:merge:alice/ft-card-only"));

	const lora = (await get("/api/models/alice/lora")).json;
	assert.deepEqual(lora.baseModels.relation, "adapter");
	assert.ok(lora.tags.includes("base_model:adapter:alice/ft"));

	const q = (await get("/api/models/alice/gguf")).json;
	assert.deepEqual(q.gguf, { total: bytes.gguf.total, architecture: "llama", context_length: 4096 });
	assert.deepEqual(q.baseModels, { relation: "quantized", models: [{ _id: baseUid, id: "alice/base-7b" }] });
	assert.ok(q.tags.includes("base_model:quantized:alice/base-7b"), JSON.stringify(q.tags));
	assert.ok(!q.tags.includes("base_model:alice/base-7b"), "no card base_model, so no plain base_model tag");
	const qi = await hub.modelInfo({ hubUrl, name: "alice/gguf", additionalFields: ["gguf", "baseModels"] });
	assert.equal(qi.gguf.architecture, "llama");
	assert.equal(qi.gguf.context_length, 4096);

	// A private base model is not listed to those who cannot see it.
	const fromSecretAnon = (await get("/api/models/alice/from-secret")).json;
	assert.ok(!("baseModels" in fromSecretAnon), JSON.stringify(fromSecretAnon.baseModels));
	const fromSecretAlice = (await get("/api/models/alice/from-secret", alice)).json;
	assert.deepEqual(ids(fromSecretAlice.baseModels.models), ["alice/secret"]);

	// Model info at a revision: v2 is indexed like main.
	const v2 = (await get("/api/models/alice/ft/revision/v2")).json;
	assert.deepEqual(v2.safetensors, { parameters: bytes.ftParams.parameters, total: bytes.ftParams.total });
});

// ---- malformed cards and weight files ----

test("broken repository: the commit succeeds; card.error matches validate-yaml; weightErrors name each file", async () => {
	assert.match(C.broken, HEX40);
	const readme = await hub.downloadFile({ hubUrl, repo: MODEL("broken"), path: "README.md" });
	assert.equal(await readme.text(), bytes.brokenReadme);

	const n = await lineage("models/alice/broken");
	assert.equal(n.revision, C.broken);
	assert.equal(n.card.present, true);
	assert.equal(typeof n.card.error, "string");
	assert.ok(n.card.error.length > 0);
	assert.deepEqual(n.parents, [], "an invalid card declares nothing");
	const v = await http(hubUrl, "/api/validate-yaml", {
		method: "POST",
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ content: bytes.brokenReadme, repoType: "model" }),
	});
	assert.equal(v.status, 400);
	assert.equal(v.json.errors[0].message, n.card.error, "card.error is the same text as validate-yaml");

	const errors = Object.fromEntries(n.weightErrors.map((e) => [e.path, e.error]));
	assert.deepEqual(Object.keys(errors).sort(), [
		"bad-magic.gguf",
		"huge-header.safetensors",
		"huge-string.gguf",
		"mismatch.safetensors",
		"model.safetensors.index.json",
		"overlap.safetensors",
	]);
	assert.match(errors["huge-header.safetensors"], /^safetensors: header length 1099511627776 exceeds the 64 MiB/);
	assert.match(errors["overlap.safetensors"], /^safetensors: tensor "b" data_offsets \[8, 24\] overlap tensor "a" data_offsets \[0, 16\]/);
	assert.match(errors["mismatch.safetensors"], /^safetensors: tensor "w" data_offsets \[0, 32\] do not match dtype F32 and shape \[4, 4\] \(64 bytes\)/);
	assert.match(errors["bad-magic.gguf"], /^GGUF: bad magic/);
	assert.match(errors["huge-string.gguf"], /GGUF header: metadata key \(1152921504606846976 bytes at offset 32\) runs past the end of the file/);
	assert.match(errors["model.safetensors.index.json"], /shards missing/);
	assert.deepEqual(n.safetensorsIndex, [
		{
			path: "model.safetensors.index.json",
			totalSize: 128,
			shards: ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"],
			missingShards: ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"],
		},
	]);
	// The well-formed file is still counted.
	assert.deepEqual(n.safetensors.parameters, { F16: 64 });
	assert.equal(n.safetensors.total, 64);
	assert.deepEqual((await get("/api/models/alice/broken")).json.safetensors, { parameters: { F16: 64 }, total: 64 });
	assert.ok(!("gguf" in n), "no GGUF file parsed");

	// The openness report says why the card was not read.
	const report = (await get("/api/vitrine/openness/models/alice/broken")).json;
	assert.ok(report.warnings.includes(`card: ${n.card.error}`), JSON.stringify(report.warnings));
});

// ---- openness ----

const COMPONENT_IDS = [
	"model-architecture",
	"model-parameters-final",
	"model-card",
	"data-card",
	"technical-report",
	"evaluation-results",
	"sample-outputs",
	"training-code",
	"inference-code",
	"evaluation-code",
	"evaluation-data",
	"supporting-libraries",
	"datasets",
	"data-preprocessing-code",
	"model-parameters-intermediate",
	"research-paper",
	"model-metadata",
];

test("openness of ft: Class I (Open Science), verified, OSAID met, EU summary missing only the market date", async () => {
	const r = (await get("/api/vitrine/openness/models/alice/ft")).json;
	assert.equal(r.repo, "alice/ft");
	assert.equal(r.revision, C.ft2);
	assert.equal(r.generatedFrom, `repository contents at ${C.ft2}`);
	assert.equal(r.mof.version, "1.0");
	const comps = Object.fromEntries(r.mof.components.map((c) => [c.id, c]));
	assert.deepEqual(
		r.mof.components.map((c) => c.id),
		COMPONENT_IDS,
	);
	for (const c of r.mof.components) assert.equal(c.status, "included", `${c.id}: ${JSON.stringify(c)}`);
	assert.equal(r.mof.class, "I");
	assert.equal(r.mof.className, "Open Science");
	assert.deepEqual(r.mof.missingForNextClass, []);

	assert.deepEqual(comps["model-architecture"].evidence, ["config.json"]);
	assert.equal(comps["model-architecture"].license, "apache-2.0");
	assert.equal(comps["model-architecture"].type, "code");
	assert.equal(comps["model-architecture"].class, "III");
	assert.equal(comps["model-parameters-final"].license, "apache-2.0");
	assert.deepEqual(comps["model-parameters-final"].evidence, ["model.safetensors"]);
	assert.deepEqual(comps["datasets"].evidence, [`datasets/alice/web@${C.webR1}`]);
	assert.equal(comps["datasets"].license, "odc-by, cc-by-4.0");
	assert.equal(comps["data-card"].license, "odc-by, cc-by-4.0");
	assert.deepEqual(comps["evaluation-data"].evidence, [`datasets/alice/evalset@${C.evalset}`]);
	assert.ok(comps["evaluation-results"].evidence.includes("manifest:evaluation"));
	assert.ok(comps["training-code"].evidence.includes("train.py"));
	assert.ok(comps["training-code"].evidence.includes("manifest:code.repo"));
	assert.ok(comps["training-code"].evidence.includes("https://github.com/alice/trainer@4b825dc642cb6eb9a060e54bf8d69288fbee4904"));
	assert.deepEqual(comps["inference-code"].evidence, ["inference.py"]);
	assert.deepEqual(comps["evaluation-code"].evidence, ["eval.py"]);
	assert.deepEqual(comps["data-preprocessing-code"].evidence, ["preprocess.py"]);
	assert.deepEqual(comps["research-paper"].evidence, ["paper.pdf"]);
	assert.deepEqual(comps["technical-report"].evidence, ["technical_report.pdf"]);
	assert.deepEqual(comps["sample-outputs"].evidence, ["samples/outputs.jsonl"]);
	assert.deepEqual(comps["supporting-libraries"].evidence, ["tokenizer.json"]);
	assert.deepEqual([...comps["model-parameters-intermediate"].evidence].sort(), ["revision:stage1-step1000-tokens4B", "revision:stage1-step1500-tokens6B"]);
	assert.match(comps["model-parameters-intermediate"].note, /^1 checkpoint/);
	assert.ok(comps["model-metadata"].evidence.includes("training/config.yaml"));
	assert.ok(comps["model-metadata"].evidence.includes("manifest:hyperparameters"));

	assert.equal(r.osaid.meets, true);
	assert.deepEqual(
		r.osaid.elements.map((e) => [e.id, e.status, e.verification, e.missing]),
		[
			["data-information", "met", "verified", []],
			["code", "met", "verified", []],
			["parameters", "met", "verified", []],
		],
	);
	assert.ok(!("recommended" in r.osaid.elements[2]), "checkpoints are present");

	const eu = r.euTrainingDataSummary;
	assert.deepEqual(eu.missing, ["1 date placed on the market"]);
	assert.deepEqual(eu.sections["1"].trainingDataSize, { tokens: 4000000000, range: "1 billion to 10 trillion tokens" });
	assert.equal(eu.sections["1"].provider, "alice");
	assert.deepEqual(eu.sections["1"].dependencies, ["alice/base-7b"]);
	assert.deepEqual(eu.sections["1"].modalities, ["text"]);
	assert.deepEqual(eu.sections["2.1"].datasets, [{ id: "alice/web", revision: C.webR1, verification: "verified", tokens: 4000000000 }]);
	assert.equal(eu.sections["2.3"].used, true);
	assert.equal(eu.sections["2.3"].crawler, "alicebot");
	assert.equal(eu.sections["2.2"].used, false);

	assert.deepEqual(
		r.lineage.map((e) => [e.relation, e.id, e.revision, e.verification, e.source]),
		[
			["finetune", "alice/base-7b", C.base, "verified", "manifest"],
			["trained-on", "alice/web", C.webR1, "verified", "manifest"],
			["evaluated-on", "alice/evalset", C.evalset, "verified", "manifest"],
		],
	);
	assert.deepEqual(r.warnings, [
		"training/manifest.json: checkpoints: stage1-step2000-tokens8B is not a branch or tag of this repository",
		"checkpoint stage1-step2000-tokens8B is listed by the manifest but is not a branch or tag",
	]);

	// The v2 branch: the same class, pinned to R2.
	const v2 = (await get("/api/vitrine/openness/models/alice/ft?revision=v2")).json;
	assert.equal(v2.revision, C.ft3);
	assert.equal(v2.ref, "refs/heads/v2");
	assert.equal(v2.mof.class, "I");
	assert.deepEqual(v2.euTrainingDataSummary.sections["2.1"].datasets[0].revision, C.webR2);

	// Markdown.
	const md = await get("/api/vitrine/openness/models/alice/ft?format=md");
	assert.match(md.headers.get("content-type"), /^text\/markdown/);
	const text = md.body.toString("utf8");
	assert.ok(text.startsWith("# Openness report: alice/ft\n"), text.slice(0, 200));
	assert.ok(text.includes("**MOF class:** Class I (Open Science); counting only what the hub verified: "), text.slice(0, 600));
	assert.ok(text.includes("| Component | Class | Status | Verification | Licence | Evidence | Note |"));
	assert.equal(text.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Component")).length, 17);
	assert.ok(text.includes("Meets the definition: yes"));
	assert.ok(text.includes("- 1 date placed on the market"));
	assert.ok(text.includes("## Warnings"));
	assert.ok(!/<[a-z]/i.test(text), "the Markdown carries no HTML");

	// Every component rests on this revision's files or on verified edges to this hub: the
	// evaluation set is on this hub, pinned and verified, so its card licence is read
	// (docs/lineage.md: "Evaluation data: licence from the dataset's card").
	assert.deepEqual(
		r.mof.components.filter((c) => c.verification !== "verified").map((c) => `${c.id}: ${c.verification} (${c.note ?? ""})`),
		[],
	);
	assert.equal(comps["evaluation-data"].license, "cc-by-4.0");
	assert.equal(r.mof.verifiedClass, "I");
	assert.ok(text.includes("**MOF class:** Class I (Open Science); counting only what the hub verified: Class I"), text.slice(0, 600));
});

test("openness of ft-card-only (no class) and of a llama3-licensed model (invalid-license)", async () => {
	const r = (await get("/api/vitrine/openness/models/alice/ft-card-only")).json;
	assert.equal(r.mof.class, null);
	assert.equal(r.mof.className, null);
	assert.equal(r.mof.verifiedClass, null);
	assert.deepEqual(r.mof.missingForNextClass, ["model-architecture", "model-parameters-final", "technical-report", "evaluation-results"]);
	const comps = Object.fromEntries(r.mof.components.map((c) => [c.id, c]));
	assert.equal(comps["model-card"].status, "included");
	assert.equal(comps["data-card"].status, "included");
	assert.equal(comps["data-card"].verification, "verified");
	assert.equal(comps["datasets"].status, "included");
	assert.equal(comps["datasets"].verification, "declared", "the card names no revision");
	assert.equal(comps["model-architecture"].status, "missing");
	assert.equal(comps["model-architecture"].verification, null);
	assert.equal(comps["model-architecture"].license, null);
	assert.ok(r.warnings.includes("alice/base-7b: declared in the card without a revision"), JSON.stringify(r.warnings));
	assert.ok(r.warnings.some((w) => w.startsWith("no training/manifest.json")), JSON.stringify(r.warnings));
	assert.equal(r.osaid.meets, false);

	const e = (await get("/api/vitrine/openness/models/alice/external")).json;
	const ec = Object.fromEntries(e.mof.components.map((c) => [c.id, c]));
	assert.equal(ec["model-architecture"].status, "invalid-license");
	assert.equal(ec["model-parameters-final"].status, "invalid-license");
	assert.equal(ec["model-parameters-final"].license, "llama3");
	assert.equal(ec["model-card"].status, "invalid-license");
	assert.equal(e.mof.class, null);
	assert.ok(e.mof.missingForNextClass.includes("model-parameters-final"));
	assert.deepEqual(e.lineage, [
		{
			relation: "finetune",
			type: "model",
			id: "meta-llama/Llama-3.1-8B",
			revision: null,
			verification: "declared",
			source: "card",
			problems: ["not found on this hub"],
		},
	]);
	assert.ok(e.warnings.includes("meta-llama/Llama-3.1-8B: not found on this hub"));
	const md = (await get("/api/vitrine/openness/models/alice/external?format=markdown")).body.toString("utf8");
	assert.ok(md.includes("**MOF class:** none; counting only what the hub verified: none"), md.slice(0, 400));
	assert.ok(md.includes("invalid-license"));
});

// ---- Croissant ----

test("Croissant for alice/web: sc:Dataset, FileObjects that download byte-identical, sha256 for LFS, RAI fields", async () => {
	const r = await get("/api/datasets/alice/web/croissant");
	assert.match(r.headers.get("content-type"), /^application\/ld\+json/);
	const c = r.json;
	assert.equal(c["@type"], "sc:Dataset");
	assert.equal(c.conformsTo, "http://mlcommons.org/croissant/1.0");
	assert.equal(c["@context"].rai, "http://mlcommons.org/croissant/RAI/");
	assert.equal(c["@context"].cr, "http://mlcommons.org/croissant/");
	assert.equal(c.name, "Web crawl");
	assert.deepEqual(c.alternateName, ["alice/web"]);
	assert.equal(c.description, "A small web crawl used to test lineage.");
	assert.equal(c.url, `${hubUrl}/datasets/alice/web`);
	assert.equal(c.version, C.webR2);
	assert.deepEqual(c.license, ["odc-by", "cc-by-4.0"]);
	assert.deepEqual(c.keywords, ["text-generation"]);
	assert.deepEqual(c.inLanguage, ["en"]);
	assert.ok(!Number.isNaN(Date.parse(c.dateModified)), c.dateModified);
	assert.ok(!("isBasedOn" in c), "source_datasets: [original] names no parent");

	// RAI fields, verbatim.
	assert.equal(c["rai:dataBiases"], WEB_CARD.data_biases);
	assert.equal(c["rai:dataLimitations"], WEB_CARD["rai:dataLimitations"]);
	assert.deepEqual(c["rai:personalSensitiveInformation"], WEB_CARD.personal_sensitive_information);
	assert.equal(c["rai:dataCollectionTimeframe"], WEB_CARD.data_collection_timeframe);
	assert.equal(c["rai:dataAnnotationProtocol"], "Annotations created by: no-annotation");

	const objects = c.distribution.filter((d) => d["@type"] === "cr:FileObject");
	const repoObject = objects.find((d) => d["@id"] === "repo");
	assert.deepEqual(repoObject.contentUrl, `${hubUrl}/datasets/alice/web/tree/${C.webR2}`);
	assert.equal(repoObject.encodingFormat, "git+https");
	const files = Object.fromEntries(objects.filter((d) => d["@id"] !== "repo").map((d) => [d["@id"], d]));
	assert.deepEqual(Object.keys(files).sort(), ["README.md", "data/notes.txt", "data/train-00000.parquet"]);
	const expected = { "README.md": Buffer.from(bytes.webReadme), "data/notes.txt": Buffer.from(bytes.webNotes), "data/train-00000.parquet": bytes.webR2 };
	for (const [path, want] of Object.entries(expected)) {
		const f = files[path];
		assert.equal(f.name, path);
		assert.equal(f.contentUrl, `${hubUrl}/datasets/alice/web/resolve/${C.webR2}/${path}`);
		assert.equal(f.contentSize, `${want.length} B`);
		const res = await fetch(f.contentUrl);
		assert.equal(res.status, 200, f.contentUrl);
		assertBytesEqual(Buffer.from(await res.arrayBuffer()), want, path);
	}
	assert.equal(files["data/train-00000.parquet"].sha256, sha256Hex(bytes.webR2));
	assert.equal(files["data/train-00000.parquet"].encodingFormat, "application/x-parquet");
	assert.ok(!("sha256" in files["README.md"]), "small files kept in git carry no sha256");
	assert.equal(files["README.md"].encodingFormat, "text/markdown");
	assert.equal(files["data/notes.txt"].encodingFormat, "text/plain");

	const sets = c.distribution.filter((d) => d["@type"] === "cr:FileSet");
	assert.deepEqual(sets, [
		{
			"@type": "cr:FileSet",
			"@id": "fileset-default",
			name: "default",
			containedIn: { "@id": "repo" },
			includes: ["data/train-*.parquet"],
			encodingFormat: "application/x-parquet",
		},
	]);
	assert.deepEqual(c.recordSet, [
		{
			"@type": "cr:RecordSet",
			"@id": "default",
			name: "default",
			field: [
				{ "@type": "cr:Field", "@id": "default/text", name: "text", dataType: "sc:Text", source: { fileSet: { "@id": "fileset-default" }, extract: { column: "text" } } },
				{ "@type": "cr:Field", "@id": "default/score", name: "score", dataType: "sc:Float", source: { fileSet: { "@id": "fileset-default" }, extract: { column: "score" } } },
			],
		},
	]);

	// At R1: that revision's bytes.
	const old = (await get(`/api/datasets/alice/web/croissant?revision=${C.webR1}`)).json;
	assert.equal(old.version, C.webR1);
	const parquet = old.distribution.find((d) => d["@id"] === "data/train-00000.parquet");
	assert.equal(parquet.sha256, sha256Hex(bytes.webR1));
	const res = await fetch(parquet.contentUrl);
	assertBytesEqual(Buffer.from(await res.arrayBuffer()), bytes.webR1, "parquet@R1");

	// A derived dataset names its source.
	const wf = (await get("/api/datasets/alice/web-filtered/croissant")).json;
	assert.deepEqual(wf.isBasedOn, [`${hubUrl}/datasets/alice/web`]);
	assert.equal(wf.name, "alice/web-filtered");
	assert.ok(!("alternateName" in wf));
	assert.equal(wf.license, "cc-by-4.0");

	// Private: 401 anonymous, 404 bob, 200 alice.
	await get("/api/datasets/alice/secret-data/croissant", undefined, 401);
	await get("/api/datasets/alice/secret-data/croissant", bob, 404);
	assert.equal((await get("/api/datasets/alice/secret-data/croissant", alice)).json["@type"], "sc:Dataset");
});

// ---- bad input ----

test("bad input: non-integer or too large limit/depth, impact without revision, unknown relation, unknown revision", async () => {
	const bad = async (path, status, code) => {
		const r = await http(hubUrl, path);
		assert.equal(r.status, status, `${path}: ${r.status} ${r.body.toString("utf8").slice(0, 300)}`);
		if (code) assert.equal(r.headers.get("x-error-code"), code, path);
		return r;
	};
	await bad("/api/vitrine/lineage/models/alice/base-7b/descendants?limit=abc", 400);
	await bad("/api/vitrine/lineage/models/alice/base-7b/descendants?limit=-1", 400);
	await bad("/api/vitrine/lineage/models/alice/base-7b/descendants?limit=10001", 400);
	await bad("/api/vitrine/lineage/models/alice/base-7b/descendants?depth=x", 400);
	await bad("/api/vitrine/lineage/datasets/alice/web/models?limit=1.5", 400);
	await bad("/api/vitrine/lineage/datasets/alice/web/impact", 400);
	await bad("/api/vitrine/lineage/models/alice/base-7b/descendants?relation=bogus", 400);
	await bad("/api/vitrine/lineage/models/alice/base-7b/descendants?relation=trained-on", 400);
	await bad("/api/vitrine/lineage/models/alice/ft?revision=no-such-branch", 404, "RevisionNotFound");
	await bad("/api/vitrine/lineage/datasets/alice/web/impact?revision=no-such-branch", 404, "RevisionNotFound");
	await bad(`/api/vitrine/lineage/datasets/alice/web/impact?revision=${"e".repeat(40)}`, 404, "RevisionNotFound");
	await bad("/api/vitrine/openness/models/alice/ft?revision=no-such-branch", 404, "RevisionNotFound");
	await bad("/api/datasets/alice/web/croissant?revision=no-such-branch", 404, "RevisionNotFound");
	await bad("/api/vitrine/openness/models/alice/ft?format=xml", 400);
	await bad("/api/vitrine/openness/datasets/alice/web", 404);
	// Descendants are for models, impact and trained models for datasets.
	await bad("/api/vitrine/lineage/datasets/alice/web/descendants", 404);
	await bad("/api/vitrine/lineage/models/alice/ft/impact?revision=main", 404);
	await bad("/api/vitrine/lineage/widgets/alice/ft", 404);
	const missing = await http(hubUrl, "/api/vitrine/lineage/models/alice/no-such-model", { token: alice });
	assert.equal(missing.status, 404);
	assert.equal(missing.headers.get("x-error-code"), "RepoNotFound");
});

// ---- the graph follows the repositories (last: it changes the hub) ----

test("the current graph follows commits, visibility changes and deletions", async () => {
	const follower = MODEL("follower");
	await create(follower);
	const first = await put(follower, [["README.md", card({ base_model: "alice/ft-card-only", base_model_relation: "adapter" }, "Follows.\n")]]);
	const n = await lineage("models/alice/follower");
	assert.equal(n.revision, first);
	assert.deepEqual(
		n.parents.map((p) => [p.relation, p.id]),
		[["adapter", "alice/ft-card-only"]],
		"the card's base_model_relation wins over inference",
	);
	assert.deepEqual((await lineage("models/alice/ft-card-only")).children.count, { adapter: 1, merge: 1 });
	assert.deepEqual((await get("/api/models/alice/ft-card-only")).json.childrenModelCount, { adapter: 1, merge: 1 });

	// A new card moves the edge; the old revision stays indexed for impact answers.
	const second = await put(follower, [["README.md", card({ base_model: "alice/gguf" }, "Follows another.\n")]]);
	assert.deepEqual((await lineage("models/alice/ft-card-only")).children.count, { merge: 1 });
	assert.deepEqual((await lineage("models/alice/gguf")).children.count, { finetune: 1 });
	const impact = await lineage(`datasets/alice/web/impact?revision=${C.webR1}`, alice);
	const revs = revisionsOf(impact, "alice/follower");
	assert.deepEqual(
		revs.map((x) => [x.revision, x.refs, x.relation, x.status, x.depth, x.via]),
		[[first, [], "adapter", "unpinned", 2, "alice/ft-card-only"]],
		"the past revision is affected (through ft-card-only), with no ref naming it; the current one is not",
	);
	assert.ok(second !== first);

	// Making the private fine-tune public shows it (and what derives from it) to everyone.
	const settings = async (priv) => {
		const r = await http(hubUrl, "/api/models/alice/secret/settings", {
			method: "PUT",
			token: alice,
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ private: priv }),
		});
		assert.equal(r.status, 200, `settings: ${r.status} ${r.body}`);
	};
	await settings(false);
	const open = await lineage("models/alice/base-7b/descendants");
	assert.ok(ids(open.descendants).includes("alice/secret") && ids(open.descendants).includes("alice/from-secret"));
	assert.equal(open.total, 9, "8 as alice saw them, plus the follower under gguf");
	await settings(true);
	const closed = await lineage("models/alice/base-7b/descendants");
	assert.ok(!ids(closed.descendants).some((id) => PRIVATE.has(id)));
	assert.equal(closed.total, 7);

	// Deleting the follower removes it from the graph.
	await hub.deleteRepo({ hubUrl, accessToken: alice, repo: follower });
	assert.deepEqual((await lineage("models/alice/gguf")).children, { count: {}, total: 0, items: [] });
	assert.equal((await lineage("models/alice/base-7b/descendants", alice)).total, 8);
	const after = await lineage(`datasets/alice/web/impact?revision=${C.webR1}`, alice);
	assert.ok(!after.affected.some((x) => x.id === "alice/follower"), "a deleted repository is not affected");
});

test("a base model created (or renamed into place) after its fine-tune links the fine-tune", async () => {
	const early = MODEL("early-ft");
	await create(early);
	await put(early, [["README.md", card({ base_model: "alice/late-base", license: "mit" }, "Early.\n")]]);
	let n = await lineage("models/alice/early-ft");
	assert.deepEqual(n.parents.map((p) => [p.id, p.status, p.problems]), [["alice/late-base", "declared", ["not found on this hub"]]]);

	// The base appears: the fine-tune's edge now links to it.
	const late = MODEL("late-base");
	await create(late);
	await put(late, [["README.md", card({ license: "mit" }, "Late base.\n")]]);
	n = await lineage("models/alice/early-ft");
	assert.deepEqual(n.parents.map((p) => [p.id, p.status, p.problems]), [
		["alice/late-base", "declared", ["declared in the card without a revision"]],
	]);
	const d = await lineage("models/alice/late-base/descendants");
	assert.deepEqual(d.descendants.map((x) => [x.id, x.relation, x.depth]), [["alice/early-ft", "finetune", 1]]);
	assert.deepEqual((await get("/api/models/alice/late-base")).json.childrenModelCount, { finetune: 1 });

	// A rename into a name some card already uses links as well.
	const other = MODEL("renamed-ft");
	await create(other);
	await put(other, [["README.md", card({ base_model: "alice/renamed-base" }, "x\n")]]);
	const src = MODEL("to-be-renamed");
	await create(src);
	await put(src, [["README.md", card({ license: "mit" }, "y\n")]]);
	const mv = await http(hubUrl, "/api/repos/move", {
		method: "POST",
		token: alice,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ fromRepo: "alice/to-be-renamed", toRepo: "alice/renamed-base", type: "model" }),
	});
	assert.equal(mv.status, 200, `move: ${mv.status} ${mv.body}`);
	const r = await lineage("models/alice/renamed-base/descendants");
	assert.deepEqual(r.descendants.map((x) => x.id), ["alice/renamed-ft"]);
});

test("dataset info: card fields become the Hub's prefixed tags", async () => {
	const info = (await get("/api/datasets/alice/web")).json;
	for (const tag of ["license:odc-by", "license:cc-by-4.0", "language:en", "task_categories:text-generation", "source_datasets:original"]) {
		assert.ok(info.tags.includes(tag), `${tag} in ${JSON.stringify(info.tags)}`);
	}
	const model = (await get("/api/models/alice/ft-card-only")).json;
	assert.ok(model.tags.includes("base_model:alice/base-7b"), JSON.stringify(model.tags));
	assert.ok(model.tags.includes("dataset:alice/web"), JSON.stringify(model.tags));
});

test("a private parent is indistinguishable from a missing one: its name (even after a rename) never shows", async () => {
	const hidden = MODEL("hidden-old");
	await create(hidden, { priv: true });
	await put(hidden, [["README.md", card({ license: "mit" }, "Hidden.\n")]]);
	const mv = await http(hubUrl, "/api/repos/move", {
		method: "POST",
		token: alice,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ fromRepo: "alice/hidden-old", toRepo: "alice/hidden-new", type: "model" }),
	});
	assert.equal(mv.status, 200, `move: ${mv.status} ${mv.body}`);
	// One card names the hidden repository by its old name in other case; one names nothing real.
	const a = MODEL("names-hidden");
	const b = MODEL("names-nothing");
	await create(a);
	await create(b);
	await put(a, [["README.md", card({ base_model: "ALICE/HIDDEN-OLD" }, "a\n")]]);
	await put(b, [["README.md", card({ base_model: "ALICE/NEVER-EXISTED" }, "b\n")]]);
	for (const token of [undefined, bob]) {
		const na = await lineage("models/alice/names-hidden", token);
		const nb = await lineage("models/alice/names-nothing", token);
		const shape = (n) => n.parents.map((p) => [p.relation, p.status, p.revision, p.problems, p.source]);
		assert.deepEqual(shape(na), shape(nb), "the same answer as for a repository that does not exist");
		assert.deepEqual(na.parents.map((p) => p.id), ["ALICE/HIDDEN-OLD"], "the id as declared");
		const info = (await get("/api/models/alice/names-hidden", token)).json;
		assert.ok(!JSON.stringify(info).toLowerCase().includes("hidden-new"), JSON.stringify(info.tags));
		assert.ok(info.tags.includes("base_model:finetune:ALICE/HIDDEN-OLD"), JSON.stringify(info.tags));
		assert.equal(info.baseModels, undefined);
		const report = (await get("/api/vitrine/openness/models/alice/names-hidden?format=md", token)).body.toString();
		assert.ok(!report.toLowerCase().includes("hidden-new"));
	}
	// Its owner sees it by its name now.
	const own = await lineage("models/alice/names-hidden", alice);
	assert.deepEqual(own.parents.map((p) => [p.id, p.problems]), [["alice/hidden-new", ["declared in the card without a revision"]]]);
});

test("a gated model's training manifest is shown only to callers with access to its files", async () => {
	const gated = MODEL("gated-ft");
	await create(gated);
	const m = {
		schema: "vitrine.training-manifest/1",
		datasets: [{ repo: "alice/web", revision: C.webR1 }],
		data_information: { processing: "SECRET-PIPELINE-DETAILS" },
	};
	await put(gated, [
		["README.md", card({ license: "apache-2.0", base_model: "alice/base-7b" }, "Gated.\n")],
		["training/manifest.json", JSON.stringify(m)],
	]);
	const r = await http(hubUrl, "/api/models/alice/gated-ft/settings", {
		method: "PUT",
		token: alice,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ gated: "manual" }),
	});
	assert.equal(r.status, 200);
	for (const token of [undefined, bob]) {
		const n = await lineage("models/alice/gated-ft", token);
		assert.deepEqual(n.manifest, { present: true, gated: true, problems: [] });
		assert.deepEqual(n.parents.map((p) => [p.relation, p.id, p.source]), [["finetune", "alice/base-7b", "card"]]);
		const report = (await get("/api/vitrine/openness/models/alice/gated-ft", token)).body.toString();
		assert.ok(!report.includes("SECRET-PIPELINE-DETAILS"), "the manifest's text stays behind the gate");
		assert.ok(!report.includes(C.webR1), "and so do the revisions it pins");
	}
	const own = await lineage("models/alice/gated-ft", alice);
	assert.ok(own.parents.some((p) => p.source === "manifest" && p.id === "alice/web"));
	const report = (await get("/api/vitrine/openness/models/alice/gated-ft", alice)).body.toString();
	assert.ok(report.includes("SECRET-PIPELINE-DETAILS"));
});

test("a deleted dataset in the middle of a chain cuts it; a cycle of datasets does not list the root as affected", async () => {
	const root = DATASET("chain-root");
	const mid = DATASET("chain-mid");
	await create(root);
	const rootRev = await put(root, [["README.md", card({ license: "cc0-1.0" }, "root\n")]]);
	await create(mid);
	await put(mid, [["README.md", card({ source_datasets: ["alice/chain-root"] }, "mid\n")]]);
	const user = MODEL("chain-user");
	await create(user);
	await put(user, [["README.md", card({ datasets: ["alice/chain-mid"] }, "user\n")]]);
	assert.deepEqual((await lineage("datasets/alice/chain-root/models")).models.map((x) => x.id), ["alice/chain-user"]);
	// A cycle: root now derives from mid as well.
	const rootRev2 = await put(root, [["README.md", card({ license: "cc0-1.0", source_datasets: ["alice/chain-mid"] }, "root2\n")]]);
	const impact = await lineage(`datasets/alice/chain-root/impact?revision=${rootRev2}`);
	assert.ok(!impact.affected.some((x) => x.id === "alice/chain-root" && x.revisions.some((r) => r.revision === rootRev2)));
	assert.ok(rootRev !== rootRev2);
	await hub.deleteRepo({ hubUrl, accessToken: alice, repo: mid });
	const after = await lineage("datasets/alice/chain-root/models");
	assert.deepEqual(after.models, [], "nothing is reached through a deleted dataset");
	assert.equal(after.total, 0);
});
