// The Parquet export benchmark (bench/viewer_export.sh says what it measures). Environment:
// VITRINE_BIN, EXPORT_MB, RUNS, BENCH_DIR (a scratch folder the script owns).
import { rmSync, statSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance, http, log, median, startServer, uploadDataset } from "./viewer_clients.mjs";

const mb = Number(process.env.EXPORT_MB || 256);
const runs = Number(process.env.RUNS || 3);
const dir = process.env.BENCH_DIR;

const db = await DuckDBInstance.create(":memory:");
const duck = await db.connect();
// About 80 bytes a CSV row, 140 a JSON line.
const inputs = [
	{
		name: "csv",
		file: path.join(dir, "train.csv"),
		rows: Math.round((mb * 2 ** 20) / 80),
		write: (f, n, o = 0) => `COPY (SELECT i + ${o} AS id, 'text ' || md5((i + ${o})::VARCHAR) || CASE WHEN i % 7 = 0 THEN ', with a comma' ELSE '' END AS text,
			(i % 1000) / 7.0 AS score, i % 3 = 0 AS flag, CASE WHEN i % 5 = 0 THEN NULL ELSE i % 100 END AS label
			FROM range(${n}) t(i)) TO '${f}' (HEADER)`,
		read: (f) => `read_csv('${f}')`,
	},
	{
		name: "jsonl",
		file: path.join(dir, "train.jsonl"),
		rows: Math.round((mb * 2 ** 20) / 140),
		write: (f, n, o = 0) => `COPY (SELECT i + ${o} AS id, md5((i + ${o})::VARCHAR) AS text, {'lang': CASE WHEN i % 2 = 0 THEN 'en' ELSE 'fr' END, 'n': i % 1000} AS meta,
			[i % 3, i % 7] AS tags, (i % 1000) / 7.0 AS score FROM range(${n}) t(i)) TO '${f}' (FORMAT json)`,
		read: (f) => `read_json('${f}')`,
	},
];
for (const input of inputs) {
	log(`DuckDB writes ${input.rows} rows of ${input.name}`);
	await duck.run(input.write(input.file, input.rows));
	log(`${(statSync(input.file).size / 2 ** 20).toFixed(0)} MiB`);
}

// DuckDB's COPY … TO of each file, with its threads and with one.
const duckTimes = {};
for (const input of inputs) {
	for (const threads of [0, 1]) {
		const key = `${input.name}/${threads ? "1 thread" : "all threads"}`;
		duckTimes[key] = [];
		await duck.run(threads ? "SET threads = 1" : "RESET threads");
		for (let r = 0; r < runs; r++) {
			const t0 = performance.now();
			await duck.run(`COPY (SELECT * FROM ${input.read(input.file)}) TO '${path.join(dir, "duck.parquet")}' (FORMAT parquet)`);
			duckTimes[key].push(performance.now() - t0);
		}
		log(`DuckDB ${key}: ${median(duckTimes[key]).toFixed(0)} ms`);
	}
}
await duck.run("RESET threads");

// The hub's export of each file, RUNS times, from the job's log line.
const srv = await startServer({ args: ["--log-level", "info"] });
const hubTimes = {};
try {
	const token = srv.tokens.alice;
	let n = 0;
	for (const input of inputs) {
		hubTimes[input.name] = [];
		for (let r = 0; r < runs; r++) {
			const name = `alice/export-${input.name}-${r}`;
			// Each run's file has rows of its own (other ids and texts, the same shape), so that each
			// export is new content that the hub stores whole (the same file again would find its
			// shard, or most of its chunks, already in the store).
			const file = path.join(dir, `run-${r}.${input.name}`);
			await duck.run(input.write(file, input.rows, (r + 1) * 1e9));
			await uploadDataset(srv.baseUrl, token, name, [[`train.${input.name}`, file]]);
			for (let i = 0; ; i++) {
				const p = await http(srv.baseUrl, `/datasets-server/parquet?dataset=${name}`, { token });
				if (p.status === 200 && p.json.pending.length === 0 && p.json.parquet_files.length > 0) break;
				if (i > 20000) throw new Error(`${name} never exported: ${p.body.toString().slice(0, 300)}`);
				await new Promise((res) => setTimeout(res, 100));
			}
			// The rest of the dataset's processing (statistics, search index) finishes before the
			// next upload, so that no export shares the two cores with an earlier one's work.
			for (let i = 0; ; i++) {
				const v = await http(srv.baseUrl, `/datasets-server/is-valid?dataset=${name}`, { token });
				if (v.status === 200 && v.json.search === true) break;
				if (i > 20000) throw new Error(`${name} never indexed: ${v.body.toString().slice(0, 300)}`);
				await new Promise((res) => setTimeout(res, 100));
			}
			const { stdout, stderr } = srv.logs();
			const lines = (stdout + stderr).split("\n").filter((l) => l.includes(`viewer: exported ${name} `));
			const m = /in (\d+) ms/.exec(lines.at(-1) ?? "");
			if (!m) throw new Error(`no export log line for ${name}`);
			hubTimes[input.name].push(Number(m[1]));
			log(`Vitrine ${input.name} run ${r}: ${m[1]} ms`);
			rmSync(file);
			n++;
		}
	}
} finally {
	await srv.stop();
}

console.log("| Input | Size | Vitrine export (median) | DuckDB COPY, all threads | ratio | DuckDB COPY, 1 thread | ratio |");
console.log("|---|---|---|---|---|---|---|");
for (const input of inputs) {
	const v = median(hubTimes[input.name]);
	const all = median(duckTimes[`${input.name}/all threads`]);
	const one = median(duckTimes[`${input.name}/1 thread`]);
	console.log(`| ${input.name} | ${(statSync(input.file).size / 2 ** 20).toFixed(0)} MiB, ${input.rows} rows | ${v.toFixed(0)} ms | ${all.toFixed(0)} ms | ${(all / v).toFixed(2)} | ${one.toFixed(0)} ms | ${(one / v).toFixed(2)} |`);
}
