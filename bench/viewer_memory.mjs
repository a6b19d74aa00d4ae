// The dataset viewer memory benchmark (bench/viewer_memory.sh says what it measures).
// Environment: VITRINE_BIN, MEMORY_GB, FORMAT (parquet or csv), BENCH_DIR.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance, http, log, startServer, uploadDataset } from "./viewer_clients.mjs";

const gb = Number(process.env.MEMORY_GB || 10);
const format = process.env.FORMAT || "parquet";
const dir = process.env.BENCH_DIR;
const parts = 4;

// About 72 bytes a row in Parquet (two md5 texts do not compress), 100 in CSV.
const rows = Math.round((gb * 2 ** 30) / (format === "csv" ? 100 : 72));
const db = await DuckDBInstance.create(":memory:");
const duck = await db.connect();
const files = [];
let bytes = 0;
for (let k = 0; k < parts; k++) {
	const file = path.join(dir, `train-0000${k}-of-0000${parts}.${format}`);
	const from = Math.floor((k * rows) / parts);
	const to = Math.floor(((k + 1) * rows) / parts);
	log(`DuckDB writes ${path.basename(file)} (${to - from} rows)`);
	await duck.run(`COPY (SELECT i AS id, md5(i::VARCHAR) || ' ' || md5((i * 7)::VARCHAR) AS text,
		(i % 1000) / 7.0 AS score, (i % 5)::INTEGER AS label
		FROM range(${from}, ${to}) t(i)) TO '${file}' (FORMAT ${format === "csv" ? "csv, HEADER" : "parquet"})`);
	files.push([`data/${path.basename(file)}`, file]);
	bytes += statSync(file).size;
}
log(`${(bytes / 2 ** 30).toFixed(2)} GiB written`);

const mib = (kb) => kb / 1024;
function status(pid) {
	const text = readFileSync(`/proc/${pid}/status`, "utf8");
	const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
	return { rss: field("VmRSS"), hwm: field("VmHWM") };
}

const srv = await startServer();
try {
	const token = srv.tokens.alice;
	await new Promise((res) => setTimeout(res, 1000));
	const idle = status(srv.pid).rss;
	let phase = "upload";
	const peak = { upload: idle, processing: idle };
	const sampler = setInterval(() => {
		const { rss } = status(srv.pid);
		peak[phase] = Math.max(peak[phase], rss);
	}, 1000);
	log("uploading");
	const t0 = performance.now();
	await uploadDataset(srv.baseUrl, token, "alice/memory", files);
	const uploaded = performance.now();
	phase = "processing";
	log("processing");
	// The search index is the job's last step for every format.
	const q = "/datasets-server/search?dataset=alice/memory&config=default&split=train&query=a";
	for (let i = 0; ; i++) {
		const r = await http(srv.baseUrl, q, { token });
		if (r.status === 200) break;
		if (r.headers.get("x-error-code") !== "ResponseNotReady") throw new Error(`/search: ${r.status} ${r.body.toString().slice(0, 300)}`);
		await new Promise((res) => setTimeout(res, 1000));
	}
	const done = performance.now();
	clearInterval(sampler);
	const { rss, hwm } = status(srv.pid);
	peak.processing = Math.max(peak.processing, rss);
	const size = await http(srv.baseUrl, "/datasets-server/size?dataset=alice/memory", { token });
	console.log(`${format}: ${(bytes / 2 ** 30).toFixed(2)} GiB in ${parts} files, ${rows} rows; upload ${((uploaded - t0) / 1000).toFixed(0)} s, processing ${((done - uploaded) / 1000).toFixed(0)} s`);
	console.log(`partial: ${JSON.stringify(size.json?.partial)}`);
	console.log(`RSS idle ${mib(idle).toFixed(0)} MiB; peak during the upload +${mib(peak.upload - idle).toFixed(0)} MiB; during processing +${mib(peak.processing - idle).toFixed(0)} MiB; VmHWM +${mib(hwm - idle).toFixed(0)} MiB`);
	const growth = mib(Math.max(peak.processing, peak.upload, hwm) - idle);
	console.log(`SUMMARY viewer_memory format=${format} gib=${(bytes / 2 ** 30).toFixed(1)} rss_growth_mib=${growth.toFixed(0)} (goal: < 512 MiB) ${growth < 512 ? "MET" : "MISSED"}`);
} finally {
	await srv.stop();
}
