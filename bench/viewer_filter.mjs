// The /filter benchmark (bench/viewer_filter.sh says what it measures). Environment:
// VITRINE_BIN, FILTER_ROWS, RUNS, BENCH_DIR (a scratch folder the script owns).
import path from "node:path";
import { DuckDBInstance, http, log, median, startServer, uploadDataset } from "./viewer_clients.mjs";

const rows = Number(process.env.FILTER_ROWS || 1_000_000);
const runs = Number(process.env.RUNS || 15);
const dir = process.env.BENCH_DIR;

const file = path.join(dir, "train.parquet");
const db = await DuckDBInstance.create(":memory:");
const duck = await db.connect();
log(`DuckDB writes ${rows} rows`);
await duck.run(`COPY (SELECT i AS id, md5(i::VARCHAR) || ' ' || md5((i * 7)::VARCHAR) AS text,
	(i % 1000) / 7.0 AS score, (i % 5)::INTEGER AS label, [i % 3, i % 7] AS tags
	FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet)`);

// The same condition for the hub (its grammar) and DuckDB (SQL).
const conditions = [
	{ where: `"label"=3`, orderby: "" },
	{ where: `"score">100 AND "score"<100.5`, orderby: "" },
	{ where: `"text" LIKE '%abc%'`, orderby: "" },
	{ where: `"label"=1`, orderby: `"score" DESC` },
];

const srv = await startServer();
try {
	const token = srv.tokens.alice;
	await uploadDataset(srv.baseUrl, token, "alice/filter", [["data/train.parquet", file]]);
	const q = (c) => `/datasets-server/filter?dataset=alice/filter&config=default&split=train&length=100&where=${encodeURIComponent(c.where)}` +
		(c.orderby ? `&orderby=${encodeURIComponent(c.orderby)}` : "");
	// Ready once /filter answers, and once the statistics are done (nothing else runs meanwhile).
	for (let i = 0; ; i++) {
		const s = await http(srv.baseUrl, "/datasets-server/statistics?dataset=alice/filter&config=default&split=train", { token });
		if (s.status === 200) break;
		if (s.headers.get("x-error-code") !== "ResponseNotReady" || i > 6000) throw new Error(`/statistics: ${s.status}`);
		await new Promise((res) => setTimeout(res, 100));
	}
	log("timing /filter");
	// Per condition: our times, DuckDB's, or the hub's refusal.
	const per = conditions.map(() => ({ ours: [], theirs: [], error: "" }));
	for (let i = 0; i < runs + 3 * conditions.length; i++) {
		const k = i % conditions.length;
		const c = conditions[k];
		if (per[k].error) continue;
		let t = performance.now();
		const r = await http(srv.baseUrl, q(c), { token });
		const a = performance.now() - t;
		if (r.status !== 200) {
			per[k].error = `${r.status} ${r.headers.get("x-error-code")}: ${r.json?.error ?? ""}`;
			continue;
		}
		const sql = c.where.replaceAll('"', "");
		const order = c.orderby ? ` ORDER BY ${c.orderby.replaceAll('"', "")}, id` : "";
		t = performance.now();
		const d = await duck.runAndReadAll(`SELECT * FROM read_parquet('${file}') WHERE ${sql}${order} LIMIT 100`);
		const n = await duck.runAndReadAll(`SELECT count(*) FROM read_parquet('${file}') WHERE ${sql}`);
		const b = performance.now() - t;
		if (Number(n.getRows()[0][0]) !== r.json.num_rows_total || d.getRows().length !== r.json.rows.length) {
			throw new Error(`${c.where}: ${r.json.num_rows_total} rows here, ${n.getRows()[0][0]} in DuckDB`);
		}
		if (i >= 3 * conditions.length) {
			per[k].ours.push(a);
			per[k].theirs.push(b);
		}
	}
	console.log(`file: ${rows} rows; ${runs} requests over ${conditions.length} conditions`);
	console.log("| where | orderby | Vitrine /filter p50 (HTTP, JSON) | DuckDB page + count p50 | ratio |");
	console.log("|---|---|---|---|---|");
	const all = [];
	per.forEach((p, k) => {
		const c = conditions[k];
		if (p.error || !p.ours.length) {
			console.log(`| \`${c.where}\` | ${c.orderby || "-"} | **fails**: ${p.error || "no runs"} | | |`);
			return;
		}
		all.push(...p.ours);
		console.log(`| \`${c.where}\` | ${c.orderby || "-"} | ${median(p.ours).toFixed(1)} ms | ${median(p.theirs).toFixed(1)} ms | ${(median(p.theirs) / median(p.ours)).toFixed(2)} |`);
	});
	const failed = per.some((p) => p.error);
	const p50 = all.length ? median(all) : Infinity;
	console.log(`SUMMARY viewer_filter p50_ms=${p50.toFixed(1)} (conditions answered) failures=${per.filter((p) => p.error).length} (goal: p50 <= 200 ms, every condition answered) ${p50 <= 200 && !failed ? "MET" : "MISSED"}`);
} finally {
	await srv.stop();
}
