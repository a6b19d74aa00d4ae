// The dataset viewer on Parquet datasets, differential against DuckDB (@duckdb/node-api): DuckDB
// writes Parquet files (every codec, data pages v1 and v2, dictionaries, several row groups,
// nulls, nested lists, structs and maps, dates, timestamps, decimals, UUIDs, blobs), the real
// @huggingface/hub client uploads them to a real `vitrine serve`, and every row /first-rows and
// /rows answer must equal what DuckDB reads from the same file, written as the viewer writes
// cells (dataset-viewer-contract.md §1.2, §3.2). DuckDB computes the expected cells itself in SQL
// (strftime, to_base64, CAST … AS VARCHAR, map_entries), so nothing here is hard-coded.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import * as hub from "@huggingface/hub";
import { http, uploadDataset } from "./harness.mjs";
import { viewerSuite } from "./viewer_suite.mjs";

let suite, srv, hubUrl, alice, duck, dir;
before(async () => ({ srv, hubUrl, alice, duck, dir } = suite = await viewerSuite("parquet")));
after(() => suite?.stop());

// Rows of every flat type the viewer shows, with nulls; `n` rows.
const flatRows = (n) => `
  SELECT i::BIGINT AS id,
         CASE WHEN i % 5 = 0 THEN NULL ELSE 'text ' || i || repeat('é', i % 4) END AS text,
         (i % 3 = 0) AS flag,
         (i % 200 - 100)::TINYINT AS tiny, (i * 100)::SMALLINT AS small, (i * 100000)::INTEGER AS int32,
         (i % 250)::UTINYINT AS utiny, (i * 60000)::UINTEGER AS uint32,
         (i * 1234567890123)::UBIGINT AS uint64,
         (i / 10)::FLOAT AS f32, CASE WHEN i % 7 = 0 THEN NULL ELSE i / 3 END::DOUBLE AS f64,
         DATE '2020-02-28' + i::INTEGER AS day,
         TIMESTAMP '2021-03-04 05:06:07' + to_microseconds(i * 123457) AS ts,
         TIMESTAMPTZ '2021-03-04 05:06:07+00' + to_seconds(i * 3601) AS tstz,
         TIME '01:02:03' + to_microseconds(i * 1000001) AS tod,
         ((i - 20) * 1.25)::DECIMAL(10, 2) AS dec,
         ((i - 20) * 123456789.0001)::DECIMAL(38, 4) AS bigdec,
         ('\\x00\\xff' || i::VARCHAR)::BLOB AS bin,
         uuid_extract_version('00000000-0000-4000-8000-000000000000'::UUID)::INTEGER AS v,
         ('0000000' || (i % 10) || '-0000-4000-8000-00000000000' || (i % 10))::UUID AS uid
  FROM range(${n}) t(i)`;

// Rows with nested types: lists (null, empty, with null elements), lists of lists, structs
// holding lists, lists of structs, maps.
const nestedRows = (n) => `
  SELECT i::INTEGER AS id,
         CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN []::INTEGER[]
              ELSE [i::INTEGER, NULL, (i * 2)::INTEGER] END AS ints,
         [[i], [], [i + 1, i + 2]] AS nested,
         CASE WHEN i % 3 = 0 THEN NULL
              ELSE {'name': 'n' || i, 'scores': [i / 2, NULL]::DOUBLE[], 'inner': {'x': i}} END AS st,
         [{'k': 'a' || i, 'v': i}, {'k': NULL, 'v': NULL}] AS pairs,
         MAP(['one', 'two'], [i::INTEGER, NULL::INTEGER]) AS m,
         CASE WHEN i % 2 = 0 THEN ['x', NULL] ELSE NULL END AS strs
  FROM range(${n}) t(i)`;

// The cells the viewer shows, computed by DuckDB from the file.
function expectedSql(file, columns) {
	const cell = {
		ts: "CASE WHEN microsecond(ts) % 1000000 = 0 THEN strftime(ts, '%Y-%m-%dT%H:%M:%S') ELSE strftime(ts, '%Y-%m-%dT%H:%M:%S.%f') END",
		tstz: "strftime(tstz, '%Y-%m-%dT%H:%M:%S') || 'Z'",
		tod: "CASE WHEN microsecond(tod) % 1000000 = 0 THEN strftime(DATE '2000-01-01' + tod, '%H:%M:%S') ELSE strftime(DATE '2000-01-01' + tod, '%H:%M:%S.%f') END",
		day: "strftime(day, '%Y-%m-%d')",
		dec: "CAST(dec AS VARCHAR)",
		bigdec: "CAST(bigdec AS VARCHAR)",
		bin: "to_base64(bin)",
		uid: "CAST(uid AS VARCHAR)",
		f32: "f32::DOUBLE",
		uint64: "CAST(uint64 AS VARCHAR)",
		m: "map_entries(m)",
	};
	const fields = columns.map((c) => `'${c}': ${cell[c] ?? c}`).join(", ");
	return `SELECT to_json({${fields}})::VARCHAR AS j FROM read_parquet('${file}')`;
}

async function duckRows(file, columns) {
	const reader = await duck.runAndReadAll(expectedSql(file, columns));
	return reader.getRows().map((r) => JSON.parse(r[0]));
}

// A viewer cell compared with DuckDB's: uint64 compared through its decimal text (JSON.parse
// would round both), the rest as parsed.
function normalize(row, raw) {
	const out = { ...row };
	if ("uint64" in out && out.uint64 !== null) {
		const m = raw.match(/"uint64":(\d+)/);
		out.uint64 = m ? m[1] : String(out.uint64);
	}
	return out;
}

async function writeParquet(name, select, options) {
	const file = path.join(dir, `${name}.parquet`);
	await duck.run(`COPY (${select}) TO '${file}' (FORMAT parquet, ${options})`);
	return file;
}

const upload = (repoName, files) => uploadDataset(hubUrl, alice, `alice/${repoName}`, files);

async function viewer(query) {
	return http(hubUrl, `/datasets-server/${query}`, { token: alice });
}

async function ready(dataset, split = "train") {
	for (let i = 0; i < 600; i++) {
		const r = await viewer(`first-rows?dataset=${dataset}&config=default&split=${split}`);
		if (r.headers.get("x-error-code") !== "ResponseNotReady") return r;
		await new Promise((res) => setTimeout(res, 100));
	}
	throw new Error(`${dataset} never became ready`);
}

// Every row of the split through /rows pages of `page` rows, with the raw JSON of each row.
async function allRows(dataset, total, page) {
	const rows = [];
	for (let offset = 0; offset < total; offset += page) {
		const r = await viewer(`rows?dataset=${dataset}&config=default&split=train&offset=${offset}&length=${page}`);
		assert.equal(r.status, 200, r.body.toString());
		assert.equal(r.json.num_rows_total, total);
		const raw = r.body.toString();
		const rawRows = raw.split('{"row_idx":').slice(1);
		r.json.rows.forEach((item, i) => {
			assert.equal(item.row_idx, offset + i);
			rows.push(normalize(item.row, rawRows[i]));
		});
	}
	return rows;
}

const FLAT = ["id", "text", "flag", "tiny", "small", "int32", "utiny", "uint32", "uint64", "f32", "f64", "day", "ts", "tstz", "tod", "dec", "bigdec", "bin", "v", "uid"];
const NESTED = ["id", "ints", "nested", "st", "pairs", "m", "strs"];

for (const [codec, version] of [
	["uncompressed", "V1"],
	["snappy", "V1"],
	["gzip", "V2"],
	["zstd", "V1"],
	["brotli", "V2"],
	["lz4_raw", "V1"],
]) {
	test(`flat types, ${codec}, pages ${version}: /first-rows and /rows equal DuckDB's reading`, async () => {
		const file = await writeParquet(`flat-${codec}`, flatRows(250), `COMPRESSION ${codec}, PARQUET_VERSION ${version}, ROW_GROUP_SIZE 64`);
		const dataset = await upload(`flat-${codec}`, [["data/train.parquet", file]]);
		const first = await ready(dataset);
		assert.equal(first.status, 200, first.body.toString());
		const expected = (await duckRows(file, FLAT)).map((r) => ({ ...r }));
		assert.deepEqual(first.json.features.map((f) => f.name), FLAT);
		const types = Object.fromEntries(first.json.features.map((f) => [f.name, f.type.dtype]));
		assert.equal(types.ts, "timestamp[us]");
		assert.equal(types.tstz, "timestamp[us, tz=UTC]");
		assert.equal(types.dec, "decimal128(10, 2)");
		assert.equal(types.day, "date32");
		assert.equal(first.json.truncated, true);
		assert.equal(first.json.rows.length, 100);
		const firstRaw = first.body.toString().split('{"row_idx":').slice(1);
		first.json.rows.forEach((item, i) => {
			assert.equal(item.row_idx, i);
			assert.deepEqual(normalize(item.row, firstRaw[i]), expected[i], `first-rows row ${i}`);
		});
		const rows = await allRows(dataset, 250, 37);
		assert.equal(rows.length, 250);
		rows.forEach((row, i) => assert.deepEqual(row, expected[i], `rows row ${i}`));
	});
}

test("nested lists, structs and maps, over two files: every row equals DuckDB's", async () => {
	const a = await writeParquet("nested-a", nestedRows(130), "COMPRESSION zstd, ROW_GROUP_SIZE 50");
	const b = await writeParquet("nested-b", nestedRows(70), "COMPRESSION snappy, PARQUET_VERSION V2, ROW_GROUP_SIZE 30");
	const dataset = await upload("nested", [
		["data/train-00000-of-00002.parquet", a],
		["data/train-00001-of-00002.parquet", b],
	]);
	const first = await ready(dataset);
	assert.equal(first.status, 200, first.body.toString());
	const expected = [...(await duckRows(a, NESTED)), ...(await duckRows(b, NESTED))];
	const types = Object.fromEntries(first.json.features.map((f) => [f.name, f.type]));
	assert.deepEqual(types.ints, { feature: { dtype: "int32", _type: "Value" }, _type: "List" });
	assert.deepEqual(types.m, {
		feature: { key: { dtype: "string", _type: "Value" }, value: { dtype: "int32", _type: "Value" } },
		_type: "List",
	});
	first.json.rows.forEach((item, i) => assert.deepEqual(item.row, expected[i], `first-rows row ${i}`));
	const rows = await allRows(dataset, 200, 100);
	assert.equal(rows.length, 200);
	rows.forEach((row, i) => assert.deepEqual(row, expected[i], `rows row ${i}`));
	// A page across the two files.
	const across = await viewer(`rows?dataset=${dataset}&config=default&split=train&offset=120&length=20`);
	assert.deepEqual(across.json.rows.map((r) => r.row_idx), [...Array(20).keys()].map((k) => 120 + k));
	assert.deepEqual(across.json.rows.map((r) => r.row), expected.slice(120, 140));
});

test("/rows: offsets past the end, bad parameters, other formats", async () => {
	const file = await writeParquet("small", "SELECT i AS id FROM range(5) t(i)", "COMPRESSION snappy");
	const dataset = await upload("small", [["train.parquet", file]]);
	await ready(dataset);
	let r = await viewer(`rows?dataset=${dataset}&config=default&split=train&offset=10`);
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.rows, []);
	assert.equal(r.json.num_rows_total, 5);
	assert.equal(r.json.num_rows_per_page, 100);
	assert.equal(r.json.partial, false);
	assert.match(r.headers.get("x-revision"), /^[0-9a-f]{40}$/);
	for (const [q, message] of [
		["offset=-1", "Parameter 'offset' must be positive"],
		["offset=abc", "Parameter 'offset' must be integer"],
		["length=101", "Parameter 'length' must not be greater than 100"],
		["length=-5", "Parameter 'length' must be positive"],
	]) {
		r = await viewer(`rows?dataset=${dataset}&config=default&split=train&${q}`);
		assert.equal(r.status, 422, q);
		assert.equal(r.headers.get("x-error-code"), "InvalidParameter");
		assert.equal(r.json.error, message);
	}
	r = await viewer(`rows?dataset=${dataset}&config=default&split=nope`);
	assert.equal(r.status, 404);
	assert.equal(r.headers.get("x-error-code"), "ResponseNotFound");
	r = await viewer(`rows?dataset=${dataset}&config=default`);
	assert.equal(r.status, 422);
	assert.equal(r.headers.get("x-error-code"), "MissingRequiredParameter");
	const csv = path.join(dir, "t.csv");
	await duck.run(`COPY (SELECT 1 AS a) TO '${csv}' (FORMAT csv)`);
	const other = await upload("csvdata", [["train.csv", csv]]);
	await ready(other);
	// Other formats page through their Parquet export once it is written.
	for (let i = 0; i < 300; i++) {
		r = await viewer(`rows?dataset=${other}&config=default&split=train`);
		if (r.headers.get("x-error-code") !== "ResponseNotReady") break;
		await new Promise((res) => setTimeout(res, 100));
	}
	assert.equal(r.status, 200, r.body.toString());
	assert.deepEqual(r.json.rows.map((x) => x.row), [{ a: 1 }]);
});

test("a corrupt Parquet file is an error on its dataset; the hub goes on", async () => {
	const file = await writeParquet("good", "SELECT i AS id FROM range(5) t(i)", "COMPRESSION zstd");
	const bytes = readFileSync(file);
	const bad = path.join(dir, "bad.parquet");
	// The footer's length claims more than the file holds.
	const cut = Buffer.from(bytes);
	cut.writeUInt32LE(0x7fffffff, cut.length - 8);
	(await import("node:fs")).writeFileSync(bad, cut);
	const dataset = await upload("corrupt", [["train.parquet", bad]]);
	const first = await ready(dataset);
	assert.equal(first.status, 500);
	assert.equal(first.headers.get("x-error-code"), "StreamingRowsError");
	assert.match(first.json.error, /train\.parquet/);
	const rows = await viewer(`rows?dataset=${dataset}&config=default&split=train`);
	assert.equal(rows.headers.get("x-error-code"), "StreamingRowsError");
	const ok = await viewer(`splits?dataset=${dataset}`);
	assert.equal(ok.status, 200);
});

// A PNG header of `w`×`h` (signature, IHDR; the rest of the file is not needed to say its size).
function pngOf(w, h, tag) {
	const b = Buffer.alloc(33 + tag.length);
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
	b.writeUInt32BE(13, 8);
	b.write("IHDR", 12, "latin1");
	b.writeUInt32BE(w, 16);
	b.writeUInt32BE(h, 20);
	b.write(tag, 33, "latin1");
	return b;
}

test("images and audio stored in Parquet are shown by URL, and the URLs serve their bytes to readers only", async () => {
	const images = [pngOf(3, 2, "a"), pngOf(640, 480, "bb"), null];
	const wav = Buffer.concat([Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt ", "latin1"), Buffer.alloc(16)]);
	const features = { image: { _type: "Image" }, sound: { sampling_rate: 16000, _type: "Audio" }, label: { dtype: "int64", _type: "Value" } };
	const meta = JSON.stringify({ info: { features } }).replaceAll("'", "''");
	const rows = images
		.map((img, i) => `SELECT ${img ? `{'bytes': from_hex('${img.toString("hex")}'), 'path': 'img${i}.png'}` : "NULL::STRUCT(bytes BLOB, path VARCHAR)"} AS image, {'bytes': from_hex('${wav.toString("hex")}'), 'path': NULL::VARCHAR} AS sound, ${i}::BIGINT AS label`)
		.join(" UNION ALL ");
	const file = await writeParquet("media", `SELECT * FROM (${rows}) ORDER BY label`, `KV_METADATA {huggingface: '${meta}'}`);
	const repo = { type: "dataset", name: "alice/media" };
	await hub.createRepo({ hubUrl, accessToken: alice, repo, private: true });
	await hub.uploadFiles({ hubUrl, accessToken: alice, repo, files: [{ path: "train.parquet", content: new Blob([readFileSync(file)]) }] });
	const first = await ready("alice/media");
	assert.equal(first.status, 200, first.body.toString());
	const revision = first.headers.get("x-revision");
	assert.deepEqual(first.json.features.map((f) => f.type), [features.image, features.sound, features.label]);
	const base = `${hubUrl}/datasets-server/assets/alice/media/--/${revision}/--/default/train`;
	assert.deepEqual(first.json.rows[0].row.image, { src: `${base}/0/image/image.png`, height: 2, width: 3 });
	assert.deepEqual(first.json.rows[1].row.image, { src: `${base}/1/image/image.png`, height: 480, width: 640 });
	assert.equal(first.json.rows[2].row.image, null);
	assert.deepEqual(first.json.rows[0].row.sound, [{ src: `${base}/0/sound/audio.wav`, type: "audio/wav" }]);
	const paged = await viewer("rows?dataset=alice/media&config=default&split=train&offset=1&length=1");
	assert.equal(paged.status, 200, paged.body.toString());
	assert.deepEqual(paged.json.rows[0].row.image, first.json.rows[1].row.image);
	// The URL serves the stored bytes, to those who may read the dataset.
	const asset = await http(hubUrl, new URL(first.json.rows[1].row.image.src).pathname, { token: alice });
	assert.equal(asset.status, 200);
	assert.equal(asset.headers.get("content-type"), "image/png");
	assert.equal(asset.headers.get("x-content-type-options"), "nosniff");
	assert.ok(asset.body.equals(images[1]));
	const sound = await http(hubUrl, new URL(first.json.rows[0].row.sound[0].src).pathname, { token: alice });
	assert.ok(sound.body.equals(wav));
	const path = new URL(first.json.rows[0].row.image.src).pathname;
	const anonymous = await http(hubUrl, path);
	const bob = await http(hubUrl, path, { token: srv.tokens.bob });
	assert.notEqual(anonymous.status, 200);
	assert.equal(bob.status, 404);
	const missing = await http(hubUrl, "/datasets-server/assets/alice/nothing/--/" + revision + "/--/default/train/0/image/image.png", { token: srv.tokens.bob });
	assert.equal(missing.status, bob.status);
	assert.equal(missing.body.toString(), bob.body.toString());
	// No media there: a label, a row past the end, a null cell, another revision.
	for (const p of [`${base}/0/label/x.png`, `${base}/9/image/image.png`, `${base}/2/image/image.png`,
		base.replace(revision, "0".repeat(40)) + "/0/image/image.png"]) {
		const r = await http(hubUrl, new URL(p).pathname, { token: alice });
		assert.equal(r.status, 404, p);
	}
});

// numpy's round to 5 decimals, near enough for comparing (ties are not in the data).
const r5 = (x) => Math.round(x * 1e5) / 1e5;

test("/statistics of a Parquet split equal DuckDB's figures: numbers, lengths, labels, booleans, lists", async () => {
	const file = await writeParquet("stats", `SELECT i::BIGINT AS id,
		CASE WHEN i % 9 = 0 THEN NULL ELSE (i * 37 % 1000) / 8.0 END::DOUBLE AS score,
		'label ' || (i % 5) AS label, repeat('x', (i * 13) % 200) || i AS text, (i % 3 = 0) AS flag,
		CASE WHEN i % 10 = 0 THEN NULL ELSE range(i % 6) END AS tags
		FROM range(1000) t(i)`, "ROW_GROUP_SIZE 300");
	const dataset = await upload("stats", [["train.parquet", file]]);
	await ready(dataset);
	let s;
	for (let i = 0; i < 300; i++) {
		s = await viewer(`statistics?dataset=${dataset}&config=default&split=train`);
		if (s.headers.get("x-error-code") !== "ResponseNotReady") break;
		await new Promise((res) => setTimeout(res, 100));
	}
	assert.equal(s.status, 200, s.body.toString());
	assert.equal(s.json.num_examples, 1000);
	assert.equal(s.json.partial, false);
	const by = Object.fromEntries(s.json.statistics.map((c) => [c.column_name, c]));
	assert.deepEqual(s.json.statistics.map((c) => c.column_name), ["flag", "id", "label", "score", "tags", "text"]);
	assert.deepEqual(Object.fromEntries(s.json.statistics.map((c) => [c.column_name, c.column_type])),
		{ flag: "bool", id: "int", label: "string_label", score: "float", tags: "list", text: "string_text" });
	const one = async (sql) => (await duck.runAndReadAll(sql)).getRowsJson()[0];
	// Numbers (of values, lengths): min, max, mean, median, sample std, nulls, and every bin's count.
	for (const [name, expr] of [["id", "id"], ["score", "score"], ["text", "length(text)"], ["tags", "len(tags)"]]) {
		const st = by[name].column_statistics;
		const [min, max, mean, median, std, nulls] = (await one(`SELECT min(${expr}), max(${expr}), avg(${expr}),
			quantile_cont(${expr}, 0.5), stddev_samp(${expr}), count(*) - count(${expr}) FROM read_parquet('${file}')`)).map(Number);
		assert.equal(st.nan_count, nulls, name);
		assert.equal(st.nan_proportion, r5(nulls / 1000), name);
		assert.ok(Math.abs(st.min - r5(min)) < 1e-9 && Math.abs(st.max - r5(max)) < 1e-9, `${name} min/max`);
		assert.ok(Math.abs(st.mean - r5(mean)) < 2e-5, `${name} mean ${st.mean} vs ${mean}`);
		assert.ok(Math.abs(st.median - r5(median)) < 2e-5, `${name} median ${st.median} vs ${median}`);
		assert.ok(Math.abs(st.std - r5(std)) < 2e-5, `${name} std ${st.std} vs ${std}`);
		const edges = st.histogram.bin_edges;
		assert.equal(st.histogram.hist.length, edges.length - 1);
		assert.equal(edges[0], st.min);
		assert.equal(edges[edges.length - 1], st.max);
		for (let b = 0; b + 1 < edges.length; b++) {
			const last = b + 2 === edges.length;
			const [n] = (await one(`SELECT count(*) FROM read_parquet('${file}') WHERE ${expr} >= ${edges[b]} AND ${expr} ${last ? "<=" : "<"} ${edges[b + 1]}`)).map(Number);
			assert.equal(st.histogram.hist[b], n, `${name} bin ${b}`);
		}
	}
	// The int rule of the contract: ceil((max - min + 1) / 10)-wide bins, max appended.
	assert.deepEqual(by.id.column_statistics.histogram.bin_edges, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999]);
	const labels = (await duck.runAndReadAll(`SELECT label, count(*) FROM read_parquet('${file}') GROUP BY label`)).getRowsJson();
	assert.deepEqual(by.label.column_statistics.frequencies, Object.fromEntries(labels.map(([l, n]) => [l, Number(n)])));
	assert.equal(by.label.column_statistics.n_unique, 5);
	const [t, f] = (await one(`SELECT count(*) FILTER (WHERE flag), count(*) FILTER (WHERE NOT flag) FROM read_parquet('${file}')`)).map(Number);
	assert.deepEqual(by.flag.column_statistics.frequencies, { False: f, True: t });
	// The search index is built right after the statistics (the split has a string column).
	let valid;
	for (let i = 0; i < 300; i++) {
		valid = await viewer(`is-valid?dataset=${dataset}`);
		if (valid.json.search) break;
		await new Promise((res) => setTimeout(res, 100));
	}
	assert.deepEqual(valid.json, { preview: true, viewer: true, search: true, filter: true, statistics: true });
});

test("/info and /size of a Parquet dataset: the Hub's shapes, counts from the files, legacy list features", async () => {
	const train = await writeParquet("info-train", "SELECT i::INTEGER AS id, [i::INTEGER] AS l, {'a': 'x'} AS s FROM range(300) t(i)", "ROW_GROUP_SIZE 100");
	const test_ = await writeParquet("info-test", "SELECT i::INTEGER AS id, [i::INTEGER] AS l, {'a': 'x'} AS s FROM range(40) t(i)", "COMPRESSION zstd");
	const dataset = await upload("info", [["data/train.parquet", train], ["data/test.parquet", test_]]);
	await ready(dataset);
	await ready(dataset, "test");  // /info answers once every split's files are recorded
	const sizes = { train: readFileSync(train).length, test: readFileSync(test_).length };
	const info = await viewer(`info?dataset=${dataset}&config=default`);
	assert.equal(info.status, 200, info.body.toString());
	assert.equal(info.json.partial, false);
	const d = info.json.dataset_info;
	assert.deepEqual(d.features, {
		id: { dtype: "int32", _type: "Value" },
		l: [{ dtype: "int32", _type: "Value" }],
		s: { a: { dtype: "string", _type: "Value" } },
	});
	assert.equal(d.builder_name, "parquet");
	assert.equal(d.config_name, "default");
	assert.equal(d.dataset_name, "info");
	assert.deepEqual(d.version, { version_str: "0.0.0", major: 0, minor: 0, patch: 0 });
	assert.equal(d.splits.train.num_examples, 300);
	assert.equal(d.splits.test.num_examples, 40);
	assert.equal(d.splits.train.name, "train");
	assert.equal(d.download_size, sizes.train + sizes.test);
	assert.equal(d.dataset_size, d.splits.train.num_bytes + d.splits.test.num_bytes);
	assert.ok(d.splits.train.num_bytes > 0);
	const all = await viewer(`info?dataset=${dataset}`);
	assert.deepEqual(all.json.dataset_info, { default: d });
	assert.deepEqual(all.json.pending, []);
	assert.deepEqual(all.json.failed, []);
	const size = await viewer(`size?dataset=${dataset}`);
	assert.equal(size.status, 200, size.body.toString());
	assert.deepEqual(size.json.size.dataset, {
		dataset, num_bytes_original_files: sizes.train + sizes.test, num_bytes_parquet_files: sizes.train + sizes.test,
		num_bytes_memory: d.dataset_size, num_rows: 340, estimated_num_rows: null,
	});
	assert.deepEqual(size.json.size.configs.map((c) => [c.config, c.num_rows, c.num_columns]), [["default", 340, 3]]);
	assert.deepEqual(size.json.size.splits.map((s) => [s.split, s.num_rows, s.num_bytes_parquet_files]),
		[["train", 300, sizes.train], ["test", 40, sizes.test]]);
	const one = await viewer(`size?dataset=${dataset}&config=default`);
	assert.deepEqual(Object.keys(one.json.size), ["config", "splits"]);
	assert.equal((await viewer(`info?dataset=${dataset}&config=nope`)).status, 404);
	// A CSV dataset is described from its export, with its own builder and original size.
	const csv = path.join(dir, "info.csv");
	await duck.run(`COPY (SELECT 1 AS a) TO '${csv}' (FORMAT csv)`);
	const other = await upload("info-csv", [["train.csv", csv]]);
	await ready(other);
	let described;
	for (let i = 0; i < 300; i++) {
		described = await viewer(`info?dataset=${other}&config=default`);
		if (described.headers.get("x-error-code") !== "ResponseNotReady") break;
		await new Promise((res) => setTimeout(res, 100));
	}
	assert.equal(described.status, 200, described.body.toString());
	assert.equal(described.json.dataset_info.builder_name, "csv");
	assert.equal(described.json.dataset_info.download_size, statSync(csv).size);
	const listed = await viewer(`size?dataset=${other}`);
	assert.deepEqual(listed.json.failed, []);
	assert.equal(listed.json.size.dataset.num_bytes_original_files, statSync(csv).size);
});

test("/filter: where and orderby select the rows DuckDB selects with the same SQL, and nothing else runs", async () => {
	const file = await writeParquet("filter", `SELECT i::BIGINT AS id,
		CASE WHEN i % 9 = 0 THEN NULL ELSE (i * 37 % 1000) / 8.0 END::DOUBLE AS score,
		'label ' || (i % 5) AS label, repeat('x', (i * 13) % 200) || i AS text, (i % 3 = 0) AS flag,
		{'n': i % 7, 'tag': 'it''s ' || (i % 2)} AS meta
		FROM range(1500) t(i)`, "ROW_GROUP_SIZE 400");
	const dataset = await upload("filter", [["train.parquet", file]]);
	await ready(dataset);
	const cases = [
		[`"label" = 'label 3'`, ""],
		[`"score" > 50 and ("flag" = true or "id" < 100)`, `"score" DESC`],
		[`"text" LIKE '%9'`, `"id" desc`],
		[`"text".upper() LIKE 'XXX%' AND "id" > 1000`, ""],
		[`"score" IS NULL`, ""],
		[`"score" IS NOT NULL and "label" != 'label 1' and "id" >= 500`, `"label" ASC`],
		[`"text".length() > 150 or "id" <= 3`, `"score"`],
		[`"meta"."n" = 3 and "meta"."tag" = 'it''s 1'`, ""],
		[`("label" ILIKE 'LABEL _')`, `"text"`],
		[`"id" = '42'`, ""],
	];
	for (const [where, orderby] of cases) {
		const q = new URLSearchParams({ dataset, config: "default", split: "train", where, offset: "3", length: "40" });
		if (orderby) q.set("orderby", orderby);
		const r = await viewer(`filter?${q}`);
		assert.equal(r.status, 200, `${where}: ${r.body.toString()}`);
		const order = orderby ? `${orderby.replace(/"(\w+)"/g, "$1")} NULLS LAST, file_row_number` : "file_row_number";
		const sqlWhere = where.replaceAll(".upper()", "").replace(/"text"\s+LIKE 'XXX%'/, `upper("text") LIKE 'XXX%'`)
			.replace(`"text".length()`, `length("text")`).replaceAll(`"meta"."n"`, `"meta".n`).replaceAll(`"meta"."tag"`, `"meta".tag`);
		const base = `FROM read_parquet('${file}', file_row_number = true) WHERE ${sqlWhere}`;
		const count = Number((await duck.runAndReadAll(`SELECT count(*) ${base}`)).getRows()[0][0]);
		const expected = (await duck.runAndReadAll(`SELECT file_row_number ${base} ORDER BY ${order} LIMIT 40 OFFSET 3`)).getRows().map((x) => Number(x[0]));
		assert.ok(count > 0, `${where} selects rows`);
		assert.equal(r.json.num_rows_total, count, where);
		assert.deepEqual(r.json.rows.map((x) => x.row_idx), expected, `${where} ORDER BY ${orderby}`);
		for (const item of r.json.rows) assert.equal(item.row.id, item.row_idx);
		assert.equal(r.json.partial, false);
	}
	// Refused before anything runs, with the Hub's code.
	for (const where of [`"id" = 1; DROP TABLE data`, `getenv('FOO') = 'bar'`, `"id" = version()`, `"id" = 1 -- x`,
		`"nope" = 1`, `"id" = `, `"id" = 1 or`, `(`.repeat(40) + `"id" = 1` + `)`.repeat(40)]) {
		const q = new URLSearchParams({ dataset, config: "default", split: "train", where });
		const r = await viewer(`filter?${q}`);
		assert.equal(r.status, 422, where);
		assert.equal(r.headers.get("x-error-code"), "InvalidParameter", where);
	}
	const r = await viewer(`filter?${new URLSearchParams({ dataset, config: "default", split: "train", orderby: `"id" sideways` })}`);
	assert.equal(r.status, 422);
});

test("small files that decode to huge values, or claim huge class lists, are refused within bounds", async () => {
	// 4 columns x 100 rows of 1 MB strings: 400 MB decoded from a file of a few KB.
	const file = await writeParquet("bomb", "SELECT repeat('x', 1000000) AS a, repeat('y', 1000000) AS b, repeat('z', 1000000) AS c, repeat('w', 1000000) AS d FROM range(100)", "COMPRESSION zstd");
	assert.ok(readFileSync(file).length < 100000);
	const dataset = await upload("bomb", [["train.parquet", file]]);
	const first = await ready(dataset);
	assert.equal(first.status, 501);  // a first-rows TooBigContentError is 501 on the Hub
	assert.equal(first.headers.get("x-error-code"), "TooBigContentError");
	const rows = await viewer(`rows?dataset=${dataset}&config=default&split=train&length=100`);
	assert.equal(rows.status, 500);
	assert.equal(rows.headers.get("x-error-code"), "TooBigContentError");
	const one = await viewer(`rows?dataset=${dataset}&config=default&split=train&length=1`);
	assert.equal(one.status, 200);
	assert.equal(one.json.rows[0].row.a.length, 1000000);
	// A ClassLabel whose metadata claims two trillion classes: no statistics for it, the rest stand.
	const meta = JSON.stringify({ info: { features: { label: { num_classes: 2000000000000, _type: "ClassLabel" }, id: { dtype: "int64", _type: "Value" } } } });
	const labels = await writeParquet("classes", "SELECT (i % 3)::BIGINT AS label, i AS id FROM range(50) t(i)", `KV_METADATA {huggingface: '${meta}'}`);
	const other = await upload("classes", [["train.parquet", labels]]);
	await ready(other);
	let s;
	for (let i = 0; i < 300; i++) {
		s = await viewer(`statistics?dataset=${other}&config=default&split=train`);
		if (s.headers.get("x-error-code") !== "ResponseNotReady") break;
		await new Promise((res) => setTimeout(res, 100));
	}
	assert.equal(s.status, 200, s.body.toString());
	assert.deepEqual(s.json.statistics.map((c) => c.column_name), ["id"]);
});
