// /search (dataset-viewer-contract.md §5.1), differential against DuckDB (@duckdb/node-api):
// DuckDB writes a Parquet dataset of two text columns, the real @huggingface/hub client uploads
// it to a real `vitrine serve`, and each query's rows from /search — how many match, and the
// order of the pages — must be those of Okapi BM25 as the Hub's viewer computes it (k = 1.2,
// b = 0.75, idf = ln((N - df + 0.5) / (df + 0.5) + 1), any term matching), here computed by
// DuckDB in SQL over the same file: the rows' words, their counts and lengths.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { http, uploadDataset } from "./harness.mjs";
import { viewerSuite } from "./viewer_suite.mjs";

let suite, srv, hubUrl, alice, duck, dir;
let file;
before(async () => {
	({ srv, hubUrl, alice, duck, dir } = suite = await viewerSuite("search"));
	file = path.join(dir, "train.parquet");
	// 3,000 rows of words drawn unevenly from 40 (some in nearly every row, some rare), in a
	// title and a text column; lengths vary so BM25's length normalisation matters.
	await duck.run(`CREATE MACRO w(k) AS 'w' || chr((97 + k % 26)::INTEGER) || chr((97 + k // 26 % 26)::INTEGER)`);
	await duck.run(`COPY (SELECT
	    w(hash(i, 1) % 8) || ' ' || w(hash(i, 2) % 40) AS title,
	    array_to_string(list_transform(range((1 + hash(i) % 15)::BIGINT),
	      j -> w((hash(i, j) % 40) * (hash(i, j, 9) % 3) // 2)), ' ') AS text,
	    i AS n
	  FROM range(3000) r(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 700)`);
	await uploadDataset(hubUrl, alice, "alice/words", [["data/train.parquet", file]]);
});
after(() => suite?.stop());

const viewer = (query) => http(hubUrl, `/datasets-server/${query}`, { token: alice });

async function search(q, offset = 0) {
	for (let i = 0; i < 600; i++) {
		const r = await viewer(`search?dataset=alice/words&config=default&split=train&query=${encodeURIComponent(q)}&offset=${offset}`);
		if (r.status === 200) return r.json;
		assert.equal(r.headers.get("x-error-code"), "ResponseNotReady", JSON.stringify(r.json));
		await new Promise((res) => setTimeout(res, 100));
	}
	throw new Error("the search index was never built");
}

// DuckDB's BM25 of every matching row: Map row -> score.
async function bm25(terms) {
	const list = terms.map((t) => `'${t}'`).join(", ");
	const reader = await duck.runAndReadAll(`
	  WITH docs AS (SELECT file_row_number AS id, title || ' ' || text AS d
	                FROM read_parquet('${file}', file_row_number = true)),
	  toks AS (SELECT id, unnest(string_split_regex(lower(d), '[^a-z0-9]+')) AS t FROM docs),
	  words AS (SELECT id, t FROM toks WHERE t <> ''),
	  lens AS (SELECT docs.id, count(words.t) AS len FROM docs LEFT JOIN words USING (id) GROUP BY docs.id),
	  n AS (SELECT count(*) AS n, avg(len) AS avgdl FROM lens),
	  tf AS (SELECT id, t, count(*) AS tf FROM words WHERE t IN (${list}) GROUP BY id, t),
	  df AS (SELECT t, count(*) AS df FROM tf GROUP BY t)
	  SELECT tf.id, sum(ln((n.n - df.df + 0.5) / (df.df + 0.5) + 1) * tf.tf * 2.2
	                    / (tf.tf + 1.2 * (1 - 0.75 + 0.75 * lens.len / n.avgdl))) AS score
	  FROM tf JOIN df USING (t) JOIN lens USING (id), n GROUP BY tf.id`);
	return new Map(reader.getRows().map(([id, score]) => [Number(id), score]));
}

for (const terms of [["wa"], ["wh"], ["wbb"], ["wa", "wc"], ["wd", "wbb", "wmb"], ["nothing"]]) {
	test(`search "${terms.join(" ")}": the rows DuckDB's BM25 finds, best first`, async () => {
		const scores = await bm25(terms);
		const want = [...scores.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
		const first = await search(terms.join(" "));
		assert.equal(first.num_rows_total, want.length);
		const second = await search(terms.join(" "), 100);
		assert.equal(second.num_rows_total, want.length);
		const got = [...first.rows, ...second.rows];
		assert.equal(got.length, Math.min(200, want.length));
		got.forEach((r, k) => {
			// The same score at each place (rows of equal score may come in either order).
			assert.ok(scores.has(r.row_idx), `row ${r.row_idx} does not match`);
			assert.ok(Math.abs(scores.get(r.row_idx) - want[k][1]) < 1e-9,
				`place ${k}: row ${r.row_idx} scores ${scores.get(r.row_idx)}, DuckDB's row there ${want[k][1]}`);
			assert.equal(r.row.n, r.row_idx); // the row itself, read from the file
		});
	});
}
