// The /search benchmark (bench/viewer_search.sh says what it measures). Environment:
// VITRINE_BIN, SEARCH_ROWS, RUNS, BENCH_DIR (a scratch folder the script owns).
import path from "node:path";
import { DuckDBInstance, http, log, median, startServer, uploadDataset } from "./viewer_clients.mjs";

const rows = Number(process.env.SEARCH_ROWS || 1_000_000);
const runs = Number(process.env.RUNS || 15);
const dir = process.env.BENCH_DIR;

const file = path.join(dir, "train.parquet");
const db = await DuckDBInstance.create(":memory:");
const duck = await db.connect();
log(`DuckDB writes ${rows} rows`);
// Word k of the vocabulary: 'x' and k in base 26 letters. A row's words: k = floor(20000^u) - 1
// for u uniform, so word 0 is in most rows and ranks fall off as 1/k.
await duck.run(`CREATE MACRO word(k) AS 'x' || chr((97 + k % 26)::INTEGER) || chr((97 + k // 26 % 26)::INTEGER) || chr((97 + k // 676 % 26)::INTEGER)`);
await duck.run(`CREATE MACRO pick(i, j) AS word((floor(pow(20000, (hash(i, j) % 1000000) / 1000000.0)) - 1)::BIGINT)`);
await duck.run(`COPY (SELECT i AS id,
	  pick(i, -1) || ' ' || pick(i, -2) AS title,
	  array_to_string(list_transform(range((2 + hash(i) % 21)::BIGINT), j -> pick(i, j)), ' ') AS text
	FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet)`);
// The words table the DuckDB side ranks from (built once, like an index), and the row lengths.
log("DuckDB builds its words table");
let t0 = performance.now();
await duck.run(`CREATE TABLE words AS SELECT id, unnest(string_split(title || ' ' || text, ' ')) AS t
	FROM read_parquet('${file}')`);
await duck.run(`CREATE TABLE lens AS SELECT id, count(*) AS len FROM words GROUP BY id`);
await duck.run(`CREATE TABLE stats AS SELECT count(*) AS n, avg(len) AS avgdl FROM lens`);
const duckIndexSeconds = (performance.now() - t0) / 1000;
// Five queries by how many rows hold their words: the word found in the most rows, at most `share`.
await duck.run(`CREATE TABLE dfs AS SELECT t, count(DISTINCT id) AS df FROM words GROUP BY t`);
const byShare = async (share) => {
	const r = await duck.runAndReadAll(`SELECT t FROM dfs WHERE df <= ${share * rows} ORDER BY df DESC, t LIMIT 1`);
	if (!r.getRows().length) throw new Error(`no word in ${share} of the rows`);
	return r.getRows()[0][0];
};
const rare = await byShare(0.0005);
const one = await byShare(0.01);
const ten = await byShare(0.1);
const queries = [[rare], [one], [ten], [one, rare], [ten, one, rare]];

async function duckSearch(terms) {
	const list = terms.map((t) => `'${t}'`).join(", ");
	const scored = `WITH tf AS (SELECT id, t, count(*) AS tf FROM words WHERE t IN (${list}) GROUP BY id, t),
	    dfs AS (SELECT t, count(*) AS df FROM tf GROUP BY t)
	  SELECT tf.id, sum(ln((stats.n - dfs.df + 0.5) / (dfs.df + 0.5) + 1) * tf.tf * 2.2
	      / (tf.tf + 1.2 * (1 - 0.75 + 0.75 * lens.len / stats.avgdl))) AS score
	  FROM tf JOIN dfs USING (t) JOIN lens USING (id), stats GROUP BY tf.id`;
	await duck.run(`CREATE OR REPLACE TEMP TABLE hits AS ${scored}`);
	const page = await duck.runAndReadAll(`SELECT id, score FROM hits ORDER BY score DESC, id LIMIT 100`);
	const n = await duck.runAndReadAll(`SELECT count(*) FROM hits`);
	return { total: Number(n.getRows()[0][0]), page: page.getRows().map(([id, s]) => [Number(id), s]) };
}

const srv = await startServer();
try {
	const token = srv.tokens.alice;
	t0 = performance.now();
	await uploadDataset(srv.baseUrl, token, "alice/search", [["data/train.parquet", file]]);
	const q = (terms) => `/datasets-server/search?dataset=alice/search&config=default&split=train&length=100&query=${encodeURIComponent(terms.join(" "))}`;
	for (let i = 0; ; i++) {
		const s = await http(srv.baseUrl, q([rare]), { token });
		if (s.status === 200) break;
		if (s.headers.get("x-error-code") !== "ResponseNotReady" || i > 60000) throw new Error(`/search: ${s.status} ${JSON.stringify(s.json)}`);
		await new Promise((res) => setTimeout(res, 100));
	}
	const readySeconds = (performance.now() - t0) / 1000;
	log("timing /search");
	const per = queries.map(() => ({ ours: [], theirs: [], total: 0, error: "" }));
	for (let i = 0; i < runs + queries.length; i++) {
		const k = i % queries.length;
		if (per[k].error) continue;
		let t = performance.now();
		const r = await http(srv.baseUrl, q(queries[k]), { token });
		const a = performance.now() - t;
		if (r.status !== 200) {
			per[k].error = `${r.status} ${r.headers.get("x-error-code")}: ${r.json?.error ?? ""}`;
			continue;
		}
		t = performance.now();
		const d = await duckSearch(queries[k]);
		const b = performance.now() - t;
		if (d.total !== r.json.num_rows_total) throw new Error(`${queries[k]}: ${r.json.num_rows_total} rows here, ${d.total} in DuckDB`);
		const best = d.page.find(([id]) => id === r.json.rows[0].row_idx);
		if (!best || Math.abs(best[1] - d.page[0][1]) > 1e-9) throw new Error(`${queries[k]}: the best rows differ`);
		per[k].total = d.total;
		if (i >= queries.length) {
			per[k].ours.push(a);
			per[k].theirs.push(b);
		}
	}
	console.log(`file: ${rows} rows; index ready ${readySeconds.toFixed(1)} s after the upload began (DuckDB's words table: ${duckIndexSeconds.toFixed(1)} s); ${runs} requests over ${queries.length} queries`);
	console.log("| query | rows found | Vitrine /search p50 (HTTP, JSON) | DuckDB BM25 in SQL p50 | ratio |");
	console.log("|---|---|---|---|---|");
	const all = [];
	per.forEach((p, k) => {
		if (p.error || !p.ours.length) {
			console.log(`| \`${queries[k].join(" ")}\` | | **fails**: ${p.error || "no runs"} | | |`);
			return;
		}
		all.push(...p.ours);
		console.log(`| \`${queries[k].join(" ")}\` | ${p.total} | ${median(p.ours).toFixed(1)} ms | ${median(p.theirs).toFixed(1)} ms | ${(median(p.theirs) / median(p.ours)).toFixed(2)} |`);
	});
	const failed = per.some((p) => p.error);
	const p50 = all.length ? median(all) : Infinity;
	console.log(`SUMMARY viewer_search p50_ms=${p50.toFixed(1)} failures=${per.filter((p) => p.error).length} (goal: p50 <= 50 ms) ${p50 <= 50 && !failed ? "MET" : "MISSED"}`);
} finally {
	await srv.stop();
}
