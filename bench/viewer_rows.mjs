// The /rows benchmark (bench/viewer_rows.sh says what it measures). Environment: VITRINE_BIN,
// VIEWER_MB, RUNS, BENCH_DIR (a scratch folder the script owns).
import { statSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance, http, log, median, startServer, uploadDataset } from "./viewer_clients.mjs";

const mb = Number(process.env.VIEWER_MB || 1024);
const runs = Number(process.env.RUNS || 30);
const dir = process.env.BENCH_DIR;

// About 72 bytes a row once compressed (two md5 texts do not compress).
const rows = Math.round((mb * 1024 * 1024) / 72);
const file = path.join(dir, "train.parquet");
const db = await DuckDBInstance.create(":memory:");
const duck = await db.connect();
log(`DuckDB writes ${rows} rows`);
await duck.run(`COPY (SELECT i AS id, md5(i::VARCHAR) || ' ' || md5((i * 7)::VARCHAR) AS text,
	(i % 1000) / 7.0 AS score, (i % 5)::INTEGER AS label, [i % 3, i % 7] AS tags
	FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet)`);
const size = statSync(file).size;
log(`${(size / 2 ** 20).toFixed(0)} MiB written`);

const srv = await startServer();
try {
	const token = srv.tokens.alice;
	log("uploading");
	await uploadDataset(srv.baseUrl, token, "alice/bench", [["data/train.parquet", file]]);
	const uploaded = performance.now();
	const q = (o) => `/datasets-server/rows?dataset=alice/bench&config=default&split=train&offset=${o}&length=100`;
	for (let i = 0; ; i++) {
		const r = await http(srv.baseUrl, q(0), { token });
		if (r.status === 200) break;
		if (r.headers.get("x-error-code") !== "ResponseNotReady" || i > 3000) {
			throw new Error(`/rows: ${r.status} ${r.body.toString().slice(0, 300)}`);
		}
		await new Promise((res) => setTimeout(res, 200));
	}
	let stats;
	for (let i = 0; ; i++) {
		stats = await http(srv.baseUrl, "/datasets-server/statistics?dataset=alice/bench&config=default&split=train", { token });
		if (stats.status === 200) break;
		if (stats.headers.get("x-error-code") !== "ResponseNotReady" || i > 6000) {
			throw new Error(`/statistics: ${stats.status} ${stats.body.toString().slice(0, 300)}`);
		}
		await new Promise((res) => setTimeout(res, 100));
	}
	const processing = (performance.now() - uploaded) / 1000;
	// The search index is built after the statistics: /rows is timed once it is done, so that
	// nothing else runs meanwhile.
	for (let i = 0; ; i++) {
		const v = await http(srv.baseUrl, "/datasets-server/is-valid?dataset=alice/bench", { token });
		if (v.status === 200 && v.json.search === true) break;
		if (i > 12000) throw new Error(`never indexed: ${v.body.toString().slice(0, 300)}`);
		await new Promise((res) => setTimeout(res, 100));
	}
	let t0 = performance.now();
	await duck.runAndReadAll(`SUMMARIZE SELECT * FROM read_parquet('${file}')`);
	const summarize = (performance.now() - t0) / 1000;
	const ourRate = stats.json.num_examples / processing;
	const duckRate = rows / summarize;
	log(`processed (first rows and statistics) in ${processing.toFixed(1)} s; timing /rows`);
	let seed = 12345;
	const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
	const offsets = Array.from({ length: runs + 5 }, () => Math.floor(random() * (rows - 100)));
	const ours = [];
	const theirs = [];
	for (let i = 0; i < offsets.length; i++) {
		let t = performance.now();
		const r = await http(srv.baseUrl, q(offsets[i]), { token });
		const a = performance.now() - t;
		if (r.status !== 200 || r.json.rows.length !== 100 || r.json.rows[0].row.id !== offsets[i]) {
			throw new Error(`/rows at ${offsets[i]}: ${r.status} ${r.body.toString().slice(0, 200)}`);
		}
		t = performance.now();
		const d = await duck.runAndReadAll(`SELECT * FROM read_parquet('${file}') LIMIT 100 OFFSET ${offsets[i]}`);
		const b = performance.now() - t;
		if (d.getRows().length !== 100 || Number(d.getRows()[0][0]) !== offsets[i]) throw new Error("DuckDB read other rows");
		if (i >= 5) {
			ours.push(a);
			theirs.push(b);
		}
	}
	const p50 = median(ours);
	const peer = median(theirs);
	const ratio = peer / p50;
	console.log(`file: ${(size / 2 ** 20).toFixed(0)} MiB, ${rows} rows; ${runs} random offsets`);
	console.log(`vitrine /rows (HTTP, JSON): p50 ${p50.toFixed(2)} ms, max ${Math.max(...ours).toFixed(2)} ms`);
	console.log(`duckdb in process:          p50 ${peer.toFixed(2)} ms, max ${Math.max(...theirs).toFixed(2)} ms`);
	console.log(`statistics: ${stats.json.num_examples} rows (partial: ${stats.json.partial}) in ${processing.toFixed(1)} s of processing = ${(ourRate / 1e6).toFixed(2)} M rows/s; DuckDB SUMMARIZE of all ${rows} rows in ${summarize.toFixed(1)} s = ${(duckRate / 1e6).toFixed(2)} M rows/s`);
	console.log(`SUMMARY viewer_statistics rows_per_s=${ourRate.toFixed(0)} duckdb_summarize_rows_per_s=${duckRate.toFixed(0)} ratio=${(ourRate / duckRate).toFixed(2)} (goal: ratio >= 0.8) ${ourRate / duckRate >= 0.8 ? "MET" : "MISSED"}`);
	const met = p50 <= 20 && ratio >= 1;
	console.log(`SUMMARY viewer_rows p50_ms=${p50.toFixed(2)} duckdb_p50_ms=${peer.toFixed(2)} ratio=${ratio.toFixed(2)} (goal: p50 <= 20 ms and ratio >= 1) ${met ? "MET" : "MISSED"}`);
} finally {
	await srv.stop();
}
