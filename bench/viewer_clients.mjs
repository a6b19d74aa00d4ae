// What the dataset viewer benchmarks (bench/viewer_*.mjs) share: DuckDB (@duckdb/node-api) and
// the test harness's `vitrine serve` and uploads with the real @huggingface/hub client, all from
// tests/client/js, and the log and median helpers.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const js = path.join(root, "tests/client/js");
const require = createRequire(path.join(js, "package.json"));
export const { DuckDBInstance } = require("@duckdb/node-api");
// The real @huggingface/hub client uploads through the harness's uploadDataset.
export const { startServer, http, uploadDataset } = await import(path.join(js, "harness.mjs"));

export const log = (m) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
export const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
