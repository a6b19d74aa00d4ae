// The dataset viewer against Parquet writers and readers other than DuckDB: files written by
// parquet-wasm (arrow-rs: page indexes, data pages v2, DELTA_BINARY_PACKED, DELTA_BYTE_ARRAY,
// DELTA_LENGTH_BYTE_ARRAY and BYTE_STREAM_SPLIT encodings, small pages, every codec) are
// uploaded with the real @huggingface/hub client to a real `vitrine serve`, and every row /rows
// answers must equal what DuckDB (@duckdb/node-api) reads from the same file; and the hub's own
// Parquet export (refs/convert/parquet) of CSV and JSON Lines datasets is read by hyparquet, a
// third implementation, which must read exactly what DuckDB reads from the same exported file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import * as arrow from "apache-arrow";
import * as pw from "parquet-wasm";
import { parquetReadObjects } from "hyparquet";
import { http, uploadDataset } from "./harness.mjs";
import { viewerSuite } from "./viewer_suite.mjs";

let suite, srv, hubUrl, alice, duck, dir;
before(async () => ({ srv, hubUrl, alice, duck, dir } = suite = await viewerSuite("writers")));
after(() => suite?.stop());

const viewer = (query) => http(hubUrl, `/datasets-server/${query}`, { token: alice });

async function answered(query) {
	for (let i = 0; i < 600; i++) {
		const r = await viewer(query);
		if (r.headers.get("x-error-code") !== "ResponseNotReady") return r;
		await new Promise((res) => setTimeout(res, 100));
	}
	throw new Error(`${query} never answered`);
}

// What DuckDB reads from a Parquet file, each row as JSON.
async function duckRows(file) {
	const reader = await duck.runAndReadAll(`SELECT to_json(t)::VARCHAR AS j FROM read_parquet('${file}') t`);
	return reader.getRows().map((r) => JSON.parse(r[0]));
}

// An Arrow table of `n` rows: integers of both widths, text and floats with nulls, booleans, a
// list of strings (null, empty and not) and a struct (null or not).
function table(n) {
	const of = (f) => Array.from({ length: n }, (_, i) => f(i));
	return new arrow.Table({
		id: arrow.makeVector(Int32Array.from(of((i) => i))),
		big: arrow.makeVector(BigInt64Array.from(of((i) => BigInt(i) * 1234567891n - 5000000000n))),
		text: arrow.vectorFromArray(of((i) => (i % 5 === 0 ? null : `text ${i} ${"é".repeat(i % 3)}`)), new arrow.Utf8()),
		score: arrow.vectorFromArray(of((i) => (i % 7 === 0 ? null : i / 8 - 3)), new arrow.Float64()),
		flag: arrow.vectorFromArray(of((i) => i % 3 === 0), new arrow.Bool()),
		tags: arrow.vectorFromArray(of((i) => (i % 4 === 0 ? null : of(() => 0).slice(0, i % 3).map((_, k) => `t${i + k}`))),
			new arrow.List(new arrow.Field("item", new arrow.Utf8(), true))),
		st: arrow.vectorFromArray(of((i) => (i % 6 === 0 ? null : { a: i, b: `b${i % 9}` })),
			new arrow.Struct([new arrow.Field("a", new arrow.Int32(), true), new arrow.Field("b", new arrow.Utf8(), true)])),
	});
}

const variants = [
	{ name: "v1-snappy-dictionary", build: (b) => b.setCompression(pw.Compression.SNAPPY) },
	{
		name: "v2-zstd-delta", build: (b) => b.setCompression(pw.Compression.ZSTD).setWriterVersion(pw.WriterVersion.V2)
			.setDictionaryEnabled(false).setDataPageSizeLimit(256).setMaxRowGroupSize(300)
			.setColumnEncoding("id", pw.Encoding.DELTA_BINARY_PACKED).setColumnEncoding("big", pw.Encoding.DELTA_BINARY_PACKED)
			.setColumnEncoding("text", pw.Encoding.DELTA_BYTE_ARRAY),
	},
	{
		name: "v2-brotli-split", build: (b) => b.setCompression(pw.Compression.BROTLI).setWriterVersion(pw.WriterVersion.V2)
			.setDictionaryEnabled(false).setDataPageSizeLimit(512)
			.setColumnEncoding("text", pw.Encoding.DELTA_LENGTH_BYTE_ARRAY).setColumnEncoding("score", pw.Encoding.BYTE_STREAM_SPLIT),
	},
	{ name: "v1-gzip-small-pages", build: (b) => b.setCompression(pw.Compression.GZIP).setDataPageSizeLimit(128).setMaxRowGroupSize(128) },
	{ name: "v1-lz4raw", build: (b) => b.setCompression(pw.Compression.LZ4_RAW).setWriterVersion(pw.WriterVersion.V1) },
];

for (const v of variants) {
	test(`parquet-wasm, ${v.name}: every row of /rows equals DuckDB's reading`, async () => {
		const n = 777;
		const props = v.build(new pw.WriterPropertiesBuilder()).build();
		const bytes = pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table(n), "stream")), props);
		const file = path.join(dir, `${v.name}.parquet`);
		writeFileSync(file, bytes);
		await uploadDataset(hubUrl, alice, `alice/${v.name}`, [["data/train.parquet", file]]);
		const expected = await duckRows(file);
		assert.equal(expected.length, n);
		const first = await answered(`first-rows?dataset=alice/${v.name}&config=default&split=train`);
		assert.equal(first.status, 200, first.body.toString());
		first.json.rows.forEach((item, i) => assert.deepEqual(item.row, expected[i], `first-rows row ${i}`));
		// Pages of an odd length, so they start inside the writer's pages and row groups.
		for (let offset = 0; offset < n; offset += 93) {
			const r = await answered(`rows?dataset=alice/${v.name}&config=default&split=train&offset=${offset}&length=93`);
			assert.equal(r.status, 200, r.body.toString());
			assert.equal(r.json.num_rows_total, n);
			r.json.rows.forEach((item, i) => {
				assert.equal(item.row_idx, offset + i);
				assert.deepEqual(item.row, expected[offset + i], `${v.name} row ${offset + i}`);
			});
		}
	});
}

// The export of a dataset, file `name` of config default, split train, as bytes.
async function exportedFile(dataset, name) {
	for (let i = 0; i < 900; i++) {
		const r = await viewer(`parquet?dataset=${dataset}`);
		if (r.status === 200 && r.json.pending.length === 0 && r.json.parquet_files.length > 0) break;
		await new Promise((res) => setTimeout(res, 100));
	}
	const r = await fetch(`${hubUrl}/api/datasets/${dataset}/parquet/default/train/${name}`, {
		headers: { Authorization: `Bearer ${alice}` },
	});
	assert.equal(r.status, 200);
	return new Uint8Array(await r.arrayBuffer());
}

// hyparquet's rows as JSON values (its 64-bit integers are BigInts).
const plain = (v) => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === "bigint" ? Number(x) : x)));

for (const [name, local, content] of [
	["csv", "data/train.csv", () => {
		let csv = "id,text,score,flag,count\n";
		for (let i = 0; i < 2500; i++) {
			csv += `${i},"${i % 9 === 0 ? "with, comma" : "word " + i}",${i % 7 === 0 ? "" : i / 4},${i % 2 ? "True" : "False"},${i % 11 === 0 ? "" : i * 3}\n`;
		}
		return csv;
	}],
	["jsonl", "data/train.jsonl", () => {
		let out = "";
		for (let i = 0; i < 1500; i++) {
			out += JSON.stringify({
				id: i, text: i % 8 === 0 ? null : `line ${i}`,
				tags: i % 5 === 0 ? [] : [`a${i}`, `b${i % 3}`],
				meta: { source: `s${i % 4}`, weight: i % 3 === 0 ? null : i / 2 },
				points: [{ x: i, y: -i }],
			}) + "\n";
		}
		return out;
	}],
]) {
	test(`the export of a ${name} dataset reads the same in hyparquet and in DuckDB`, async () => {
		const source = path.join(dir, `source.${name}`);
		writeFileSync(source, content());
		await uploadDataset(hubUrl, alice, `alice/export-${name}`, [[local, source]]);
		const bytes = await exportedFile(`alice/export-${name}`, "0.parquet");
		const file = path.join(dir, `export-${name}.parquet`);
		writeFileSync(file, bytes);
		const theirs = plain(await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }));
		const duckdb = await duckRows(file);
		assert.ok(duckdb.length >= 1500);
		assert.equal(theirs.length, duckdb.length);
		theirs.forEach((row, i) => assert.deepEqual(row, duckdb[i], `row ${i}`));
	});
}
