// The Parquet export (dataset-viewer-contract.md §7, hf-api-contract.md §8.1), differential
// against DuckDB (@duckdb/node-api): DuckDB writes CSV and JSON Lines files, the real
// @huggingface/hub client uploads them to a real `vitrine serve`, the hub writes them as Parquet
// on refs/convert/parquet, and DuckDB reads the exported files back: every row must equal what
// DuckDB reads from the source file, with the column types `datasets` infers. A Parquet dataset
// is linked, not rewritten: the export names the very same LFS object. The client lists and
// downloads the export like any branch.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, statSync } from "node:fs";
import path from "node:path";
import * as hub from "@huggingface/hub";
import { http, collect, sha256Hex, uploadDataset } from "./harness.mjs";
import { viewerSuite } from "./viewer_suite.mjs";

let suite, srv, hubUrl, alice, duck, dir;
before(async () => ({ srv, hubUrl, alice, duck, dir } = suite = await viewerSuite("export")));
after(() => suite?.stop());

async function rowsOf(sql) {
	const reader = await duck.runAndReadAll(`SELECT to_json(t)::VARCHAR AS j FROM (${sql}) t`);
	return reader.getRows().map((r) => JSON.parse(r[0]));
}

async function typesOf(file) {
	const reader = await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
	return Object.fromEntries(reader.getRowObjectsJson().map((r) => [r.column_name, r.column_type]));
}

const upload = (repoName, files) => uploadDataset(hubUrl, alice, `alice/${repoName}`, files);

const viewer = (query) => http(hubUrl, `/datasets-server/${query}`, { token: alice });

// Waits until every split of the dataset is in the export (/parquet has nothing pending).
async function exported(dataset) {
	for (let i = 0; i < 900; i++) {
		const r = await viewer(`parquet?dataset=${dataset}`);
		if (r.status === 200 && r.json.pending.length === 0 && r.json.parquet_files.length > 0) return r.json;
		await new Promise((res) => setTimeout(res, 100));
	}
	throw new Error(`${dataset} was never exported`);
}

// An exported file through the Hub API's redirect (/api/datasets/{id}/parquet/…/{n}.parquet),
// saved for DuckDB.
async function download(dataset, config, split, n) {
	const r = await fetch(`${hubUrl}/api/datasets/${dataset}/parquet/${config}/${split}/${n}.parquet`, {
		headers: { Authorization: `Bearer ${alice}` },
	});
	assert.equal(r.status, 200, `download of ${config}/${split}/${n}`);
	const file = path.join(dir, `${dataset.replace("/", "_")}-${config}-${split}-${n}.parquet`);
	writeFileSync(file, Buffer.from(await r.arrayBuffer()));
	return file;
}

test("CSV: the export holds every row as DuckDB reads the CSV, typed as pandas types it", async () => {
	const csv = path.join(dir, "train.csv");
	// 2,500 rows: three of datasets' 1,000-row groups. Quoted commas and newlines, missing
	// values (an int column with gaps becomes float64 as in pandas), booleans, floats.
	await duck.run(`COPY (SELECT i AS id,
	    CASE WHEN i % 7 = 0 THEN 'with, comma ' || i WHEN i % 11 = 0 THEN 'two' || chr(10) || 'lines' ELSE 'text ' || i END AS text,
	    i / 4 AS score, i % 3 = 0 AS flag, CASE WHEN i % 5 = 0 THEN NULL ELSE i END AS gaps
	  FROM range(2500) t(i)) TO '${csv}' (HEADER)`);
	const dataset = await upload("export-csv", [["train.csv", csv]]);
	const listing = await exported(dataset);
	assert.deepEqual(
		listing.parquet_files.map((f) => [f.config, f.split, f.filename]),
		[["default", "train", "0000.parquet"]],
	);
	assert.equal(listing.partial, false);
	const file = await download(dataset, "default", "train", 0);
	assert.equal(statSync(file).size, listing.parquet_files[0].size);
	assert.deepEqual(await typesOf(file), { id: "BIGINT", text: "VARCHAR", score: "DOUBLE", flag: "BOOLEAN", gaps: "DOUBLE" });
	const expected = await rowsOf(`SELECT id, text, score, flag, gaps::DOUBLE AS gaps FROM read_csv('${csv}')`);
	const got = await rowsOf(`SELECT * FROM read_parquet('${file}')`);
	assert.equal(got.length, 2500);
	assert.deepEqual(got, expected);
	const groups = await duck.runAndReadAll(`SELECT DISTINCT row_group_id FROM parquet_metadata('${file}')`);
	assert.equal(groups.getRows().length, 3);
	// The Features travel in the file's `huggingface` metadata, as datasets writes them.
	const kv = await duck.runAndReadAll(`SELECT decode(value) FROM parquet_kv_metadata('${file}') WHERE key::VARCHAR = 'huggingface'`);
	const meta = JSON.parse(kv.getRows()[0][0]);
	const first = await viewer(`first-rows?dataset=${dataset}&config=default&split=train`);
	assert.deepEqual(
		meta.info.features,
		Object.fromEntries(first.json.features.map((f) => [f.name, f.type])),
	);
	// The viewer pages through the export.
	const page = await viewer(`rows?dataset=${dataset}&config=default&split=train&offset=1995&length=10`);
	assert.equal(page.status, 200);
	assert.equal(page.json.num_rows_total, 2500);
	assert.deepEqual(page.json.rows.map((r) => r.row), expected.slice(1995, 2005));
	const size = await viewer(`size?dataset=${dataset}`);
	assert.equal(size.json.size.dataset.num_bytes_original_files, statSync(csv).size);
	assert.equal(size.json.size.dataset.num_rows, 2500);
});

test("JSON Lines: structs, lists and timestamps exported as Parquet types DuckDB reads back", async () => {
	const jsonl = path.join(dir, "rows.jsonl");
	await duck.run(`COPY (SELECT i AS id, 'name ' || i AS name,
	    {'lang': CASE WHEN i % 2 = 0 THEN 'en' ELSE 'fr' END, 'n': i * 3} AS meta,
	    CASE WHEN i % 4 = 0 THEN []::BIGINT[] ELSE [i, i + 1, NULL] END AS nums,
	    [{'k': 'a' || i}, {'k': NULL}] AS pairs,
	    strftime(TIMESTAMP '2024-01-02 03:04:05' + to_seconds(i * 3600), '%Y-%m-%dT%H:%M:%S') AS ts
	  FROM range(1200) t(i)) TO '${jsonl}' (FORMAT json)`);
	const dataset = await upload("export-json", [["data/validation.jsonl", jsonl]]);
	const listing = await exported(dataset);
	assert.deepEqual(listing.parquet_files.map((f) => f.split), ["validation"]);
	const file = await download(dataset, "default", "validation", 0);
	const types = await typesOf(file);
	assert.equal(types.id, "BIGINT");
	assert.equal(types.meta, "STRUCT(lang VARCHAR, n BIGINT)");
	assert.equal(types.nums, "BIGINT[]");
	assert.equal(types.pairs, "STRUCT(k VARCHAR)[]");
	assert.equal(types.ts, "TIMESTAMP");
	const source = `read_json('${jsonl}', columns = {id: 'BIGINT', name: 'VARCHAR', meta: 'STRUCT(lang VARCHAR, n BIGINT)', nums: 'BIGINT[]', pairs: 'STRUCT(k VARCHAR)[]', ts: 'TIMESTAMP'})`;
	const expected = await rowsOf(`SELECT id, name, meta, nums, pairs, ts FROM ${source}`);
	const got = await rowsOf(`SELECT id, name, meta, nums, pairs, ts FROM read_parquet('${file}')`);
	assert.equal(got.length, 1200);
	assert.deepEqual(got, expected);
});

test("a column that widens after the first 10,000 rows is exported with its wider type", async () => {
	const csv = path.join(dir, "widen.csv");
	// int64 for 11,000 rows, then floats; a boolean column that turns to text at the very end.
	await duck.run(`COPY (SELECT i AS id, CASE WHEN i < 11000 THEN (i % 50)::VARCHAR ELSE (i / 8)::VARCHAR END AS n,
	    CASE WHEN i = 11999 THEN 'maybe' WHEN i % 2 = 0 THEN 'True' ELSE 'False' END AS b
	  FROM range(12000) t(i)) TO '${csv}' (HEADER)`);
	const dataset = await upload("export-widen", [["train.csv", csv]]);
	await exported(dataset);
	const file = await download(dataset, "default", "train", 0);
	assert.deepEqual(await typesOf(file), { id: "BIGINT", n: "DOUBLE", b: "VARCHAR" });
	const expected = await rowsOf(`SELECT id, n::DOUBLE AS n, b FROM read_csv('${csv}', all_varchar = true)`);
	const got = await rowsOf(`SELECT id::VARCHAR AS id, n, b FROM read_parquet('${file}')`);
	assert.equal(got.length, 12000);
	assert.deepEqual(got, expected);
});

test("Parquet: linked into the export as the same LFS object, listed and downloaded by the client", async () => {
	const pq = path.join(dir, "native.parquet");
	await duck.run(`COPY (SELECT i AS id, 'v' || i AS v FROM range(300) t(i)) TO '${pq}' (FORMAT parquet)`);
	const dataset = await upload("export-native", [["data/train-00000-of-00001.parquet", pq]]);
	await exported(dataset);
	const repo = { type: "dataset", name: dataset };
	const files = await collect(
		hub.listFiles({ hubUrl, accessToken: alice, repo, revision: "refs/convert/parquet", recursive: true }),
	);
	const shard = files.find((f) => f.path === "default/train/0000.parquet");
	assert.ok(shard, JSON.stringify(files.map((f) => f.path)));
	assert.ok(files.some((f) => f.path === ".gitattributes"));
	assert.equal(shard.lfs?.oid, sha256Hex(readFileSync(pq)));
	const blob = await hub.downloadFile({
		hubUrl,
		accessToken: alice,
		repo,
		revision: "refs/convert/parquet",
		path: "default/train/0000.parquet",
	});
	assert.deepEqual(Buffer.from(await blob.arrayBuffer()), readFileSync(pq));
	// The Hub's listing of the export, and the refs listing it under converts.
	const api = await http(hubUrl, `/api/datasets/${dataset}/parquet`, { token: alice });
	assert.deepEqual(api.json, { default: { train: [`${hubUrl}/api/datasets/${dataset}/parquet/default/train/0.parquet`] } });
	const refs = await http(hubUrl, `/api/datasets/${dataset}/refs`, { token: alice });
	assert.deepEqual(refs.json.converts.map((r) => r.ref), ["refs/convert/parquet"]);
});
