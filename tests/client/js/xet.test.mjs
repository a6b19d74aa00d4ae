// Xet storage through the real @huggingface/hub client (useXet, its default): uploads go to the
// hub's own CAS API (/v1/xorbs, /v1/shards), downloads through reconstructions (XetBlob), and
// the same bytes stay readable by plain /resolve/ and the LFS batch API. Dedup is measured by
// bytes the client sends (/v1/xorbs bodies) and bytes the store keeps (data/xet/xorbs), and the
// Xet tokens are checked for scope (repository, read/write, expiry).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as hub from "@huggingface/hub";
import { startServer, uniqueName, randomBuffer, seededBuffer, sha256Hex, blobToBuffer, collect, http, vitrineBin } from "./harness.mjs";
import { rejects4xx, assertBytesEqual } from "./assert-helpers.mjs";

const KiB = 1024;
const MiB = 1024 * KiB;
const MAX_CHUNK = 128 * KiB; // Xet's largest chunk
const HEX64 = /^[0-9a-f]{64}$/;

let srv;
let hubUrl;
let alice;
let aliceRead;
let bob;

before(async () => {
	srv = await startServer();
	hubUrl = srv.baseUrl;
	({ alice, aliceRead, bob } = srv.tokens);
});

after(async () => {
	await srv?.stop();
});

/** A fetch that records every request with the byte length of its body. */
function byteRecorder() {
	const log = [];
	const fn = async (input, init = {}) => {
		const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
		const method = (init.method ?? "GET").toUpperCase();
		const b = init.body;
		const bytes =
			b == null ? 0 : typeof b === "string" ? Buffer.byteLength(b) : b instanceof Blob ? b.size : (b.byteLength ?? 0);
		const res = await fetch(input, init);
		log.push({ method, url, status: res.status, bytes });
		return res;
	};
	const match = (method, re) => log.filter((e) => e.method === method && re.test(new URL(e.url).pathname));
	const xorbBytes = () => match("POST", /^\/v1\/xorbs\//).reduce((s, e) => s + e.bytes, 0);
	return { fetch: fn, log, match, xorbBytes };
}

/** Every xorb file the store keeps (data/xet/xorbs/ab/<hash>). */
function storedXorbFiles() {
	const root = path.join(srv.dataDir, "xet", "xorbs");
	const files = [];
	const walk = (dir) => {
		let entries;
		try {
			entries = readdirSync(dir, { withFileTypes: true });
		} catch {
			return;
		}
		for (const e of entries) {
			const p = path.join(dir, e.name);
			if (e.isDirectory()) walk(p);
			else if (e.isFile()) files.push(p);
		}
	};
	walk(root);
	return files;
}

/** Bytes of every xorb file the store keeps. */
function storedXorbBytes() {
	return storedXorbFiles().reduce((s, p) => s + statSync(p).size, 0);
}

/** The compression type of each chunk of a stored xorb (its footer, if any, ends the walk). */
function chunkCompressions(file) {
	const bytes = readFileSync(file);
	const types = [];
	for (let pos = 0; pos + 8 <= bytes.length && bytes[pos] === 0; ) {
		types.push(bytes[pos + 4]);
		pos += 8 + bytes.readUIntLE(pos + 1, 3);
	}
	return types;
}

async function newRepo(prefix, token = alice, extra = {}) {
	const owner = token === bob ? "bob" : "alice";
	const repo = `${owner}/${uniqueName(prefix)}`;
	await hub.createRepo({ hubUrl, accessToken: token, repo, ...extra });
	return repo;
}

async function upload(repo, files, { token = alice, rec, useXet } = {}) {
	return hub.uploadFiles({
		hubUrl,
		accessToken: token,
		repo,
		files: files.map(([p, buf]) => ({ path: p, content: new Blob([buf]) })),
		...(useXet === undefined ? {} : { useXet }),
		...(rec ? { fetch: rec.fetch } : {}),
	});
}

async function readToken(repo, token = alice) {
	const r = await http(hubUrl, `/api/models/${repo}/xet-read-token/main`, { token });
	assert.equal(r.status, 200, `xet-read-token: ${r.status} ${r.body}`);
	return r.json.accessToken;
}

/** The v1 reconstruction of a whole file, read with a Xet read token of `repo`. */
async function reconstruction(repo, xetHash) {
	const tok = await readToken(repo);
	const r = await http(hubUrl, `/v1/reconstructions/${xetHash}`, { token: tok });
	assert.equal(r.status, 200, `reconstruction: ${r.status} ${r.body}`);
	return r.json;
}

/**
 * Downloads `p` through a reconstruction (XetBlob) and, unless `plain` is false, through plain
 * /resolve/; each must give `buf`. Returns the XetBlob, for ranged reads.
 */
async function expectDownloads(repo, p, buf, { plain = true } = {}) {
	const r = byteRecorder();
	const blob = await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: p, fetch: r.fetch });
	assertBytesEqual(await blobToBuffer(blob), buf, `xet download of ${p}`);
	assert.ok(r.match("GET", /^\/v[12]\/reconstructions\//).length >= 1, `${p}: read through a reconstruction`);
	if (plain) {
		const direct = await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: p, xet: false });
		assertBytesEqual(await blobToBuffer(direct), buf, `plain download of ${p}`);
	}
	return blob;
}

async function xetHashOf(repo, p) {
	const [info] = await hub.pathsInfo({ hubUrl, accessToken: alice, repo, paths: [p] });
	assert.ok(info?.xetHash, `pathsInfo(${p}) has no xetHash`);
	return info.xetHash;
}

// ---------------------------------------------------------------------------------------------
// 1. Upload and read back through every path.

test("Xet upload (useXet default) and reads through XetBlob, /resolve/, ranges and the LFS batch", async () => {
	const repo = await newRepo("js-xet");
	const big = randomBuffer(70 * MiB);
	const files = new Map([
		["small.bin", randomBuffer(20 * KiB)],
		["mid.bin", randomBuffer(3 * MiB)],
		["model.safetensors", big],
	]);
	const rec = byteRecorder();
	const t0 = Date.now();
	await upload(repo, [...files], { rec });
	console.error(`# xet upload of ${(73 * MiB + 20 * KiB) / MiB} MiB took ${Date.now() - t0} ms`);

	// Over the wire: the CAS API, not the LFS PUT endpoints.
	const xorbPosts = rec.match("POST", /^\/v1\/xorbs\/default\/[0-9a-f]{64}$/);
	assert.ok(xorbPosts.length >= 2, `expected >= 2 xorb uploads (70 MiB spans two), got ${xorbPosts.length}`);
	assert.ok(xorbPosts.every((e) => e.status === 200), "every xorb POST answered 200");
	assert.ok(rec.match("POST", /^\/v1\/shards$/).length >= 1, "a shard was uploaded");
	assert.deepEqual(rec.match("PUT", /\/api\/vitrine\/lfs\//), [], "no LFS PUT happened");
	const sent = rec.xorbBytes();
	const total = [...files.values()].reduce((s, b) => s + b.length, 0);
	assert.ok(sent >= total && sent < total * 1.01 + 64 * KiB, `xorb bytes sent ${sent} vs content ${total}`);

	// listFiles: LFS oid/size and a xetHash per file.
	const listed = await collect(hub.listFiles({ hubUrl, accessToken: alice, repo }));
	const xetHashes = new Map();
	for (const [p, buf] of files) {
		const e = listed.find((x) => x.path === p);
		assert.ok(e, `listFiles lacks ${p}`);
		assert.equal(e.size, buf.length);
		assert.equal(e.lfs?.oid, sha256Hex(buf), `${p}: lfs oid`);
		assert.equal(e.lfs?.size, buf.length, `${p}: lfs size`);
		assert.match(e.xetHash ?? "", HEX64, `${p}: xetHash`);
		xetHashes.set(p, e.xetHash);
	}
	const paths = await hub.pathsInfo({ hubUrl, accessToken: alice, repo, paths: [...files.keys()], expand: true });
	assert.equal(paths.length, files.size);
	for (const info of paths) {
		assert.equal(info.xetHash, xetHashes.get(info.path), `pathsInfo(${info.path}).xetHash`);
		assert.equal(info.lfs?.oid, sha256Hex(files.get(info.path)));
	}
	const model = await hub.modelInfo({ hubUrl, accessToken: alice, name: repo });
	assert.equal(model.name, repo);

	// Full downloads: the Xet path (reconstructions) and the plain /resolve/ path.
	for (const [p, buf] of files) await expectDownloads(repo, p, buf);

	// Ranged reads on the XetBlob: mid-chunk starts and ends, and across the xorb boundary.
	const recon = await reconstruction(repo, xetHashes.get("model.safetensors"));
	const xorbs = new Set(recon.terms.map((t) => t.hash));
	assert.ok(xorbs.size >= 2, `70 MiB file spans ${xorbs.size} xorb(s)`);
	const boundaries = [];
	let pos = 0;
	for (let i = 0; i < recon.terms.length - 1; i++) {
		pos += recon.terms[i].unpacked_length;
		if (recon.terms[i].hash !== recon.terms[i + 1].hash) boundaries.push(pos);
	}
	assert.ok(boundaries.length >= 1, "a term boundary between two xorbs");
	const blob = await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: "model.safetensors" });
	const ranges = [
		[0, 1],
		[12_345, 23_456], // inside the first chunk(s), odd offsets
		[100_001, 400_003], // spans several chunks, starts and ends mid-chunk
		[boundaries[0] - 777, boundaries[0] + 999], // across the xorb boundary
		[boundaries[0], boundaries[0] + 1],
		[big.length - 5000, big.length],
		[big.length - 1, big.length + 10], // past the end: clamped
	];
	for (const [a, b] of ranges) {
		const got = Buffer.from(await blob.slice(a, b).arrayBuffer());
		assertBytesEqual(got, big.subarray(a, Math.min(b, big.length)), `slice(${a}, ${b})`);
	}

	// /resolve/: X-Xet-Hash, the refresh route and the Link header; the Xet file info.
	for (const method of ["HEAD", "GET"]) {
		const r = await http(hubUrl, `/${repo}/resolve/main/mid.bin`, { method, token: alice });
		assert.ok(r.status === 200 || r.status === 302, `${method} resolve: ${r.status}`);
		assert.equal(r.headers.get("x-xet-hash"), xetHashes.get("mid.bin"), `${method}: X-Xet-Hash`);
		assert.match(r.headers.get("x-xet-refresh-route") ?? "", /\/api\/models\/.+\/xet-read-token\//);
		const link = r.headers.get("link") ?? "";
		assert.match(link, /rel="xet-auth"/, `${method}: Link ${link}`);
		assert.match(link, new RegExp(`/v1/reconstructions/${xetHashes.get("mid.bin")}>; rel="xet-reconstruction-info"`));
		if (method === "GET" && r.status === 200) assertBytesEqual(r.body, files.get("mid.bin"), "GET resolve body");
	}
	const fi = await http(hubUrl, `/${repo}/resolve/main/mid.bin`, {
		token: alice,
		headers: { Accept: "application/vnd.xet-fileinfo+json" },
	});
	assert.equal(fi.status, 200);
	assert.match(fi.headers.get("content-type") ?? "", /^application\/vnd\.xet-fileinfo\+json/);
	assert.equal(fi.json?.hash, xetHashes.get("mid.bin"));
	assert.equal(fi.json?.size, files.get("mid.bin").length);

	// The same objects through the LFS batch API (what git-lfs does).
	const objects = [...files.values()].map((b) => ({ oid: sha256Hex(b), size: b.length }));
	const batch = await http(hubUrl, `/${repo}.git/info/lfs/objects/batch`, {
		method: "POST",
		token: alice,
		headers: { Accept: "application/vnd.git-lfs+json", "Content-Type": "application/vnd.git-lfs+json" },
		body: JSON.stringify({ operation: "download", transfers: ["basic"], objects }),
	});
	assert.equal(batch.status, 200, `LFS batch: ${batch.body}`);
	for (const [p, buf] of files) {
		const o = batch.json.objects.find((x) => x.oid === sha256Hex(buf));
		assert.ok(o?.actions?.download?.href, `LFS batch has no download action for ${p}: ${JSON.stringify(o)}`);
		const res = await fetch(o.actions.download.href, { headers: o.actions.download.header ?? {} });
		assert.equal(res.status, 200, `GET LFS href for ${p}`);
		assertBytesEqual(Buffer.from(await res.arrayBuffer()), buf, `LFS download of ${p}`);
	}
});

/** Highly compressible bytes: `zeros` zero bytes, then a numbered text line repeated to `n`. */
function compressibleBuffer(tag, zeros, n) {
	const lines = [];
	let len = zeros;
	for (let i = 0; len < n; i++) {
		const line = `${tag} line ${i}: the quick brown fox jumps over the lazy dog\n`;
		lines.push(line);
		len += line.length;
	}
	return Buffer.concat([Buffer.alloc(zeros), Buffer.from(lines.join(""))]).subarray(0, n);
}

/** u32 values with a random low byte: byte grouping (compression type 2) beats plain LZ4. */
function groupableBuffer(n) {
	const buf = Buffer.alloc(n);
	const low = randomBuffer(n / 4);
	for (let i = 0; i < n / 4; i++) buf[4 * i] = low[i];
	return buf;
}

test("compressible files: LZ4 frame chunks (types 1 and 2) upload and read back", async () => {
	// The client stores each chunk as an LZ4 frame (lz4js, 4 MiB block maximum) when that is
	// smaller: the hub must decode frames, and serve them back as the client wrote them.
	const repo = await newRepo("js-xet-lz4");
	const files = new Map([
		["zeros-text.safetensors", compressibleBuffer("xet", 200 * KiB, 600 * KiB)],
		["grouped.safetensors", groupableBuffer(512 * KiB)],
	]);
	const rec = byteRecorder();
	const before = storedXorbBytes();
	const oldXorbs = new Set(storedXorbFiles());
	await upload(repo, [...files], { rec });
	const total = [...files.values()].reduce((s, b) => s + b.length, 0);
	const sent = rec.xorbBytes();
	const stored = storedXorbBytes() - before;
	const types = new Set(
		storedXorbFiles()
			.filter((f) => !oldXorbs.has(f))
			.flatMap(chunkCompressions),
	);
	console.error(`# compressible xet upload of ${total} bytes: sent ${sent}, stored ${stored}`);
	assert.ok(rec.match("POST", /^\/v1\/xorbs\//).every((e) => e.status === 200), "every xorb POST answered 200");
	assert.ok(types.has(1) && types.has(2), `stored chunk compression types ${[...types]}: LZ4 and byte-grouped LZ4`);
	assert.ok(sent > 0 && sent < total / 2, `xorb bytes sent ${sent}: the chunks were compressed`);
	assert.ok(stored > 0 && stored < total / 2, `xorb bytes stored ${stored}: kept compressed`);

	for (const [p, buf] of files) {
		const blob = await expectDownloads(repo, p, buf);
		const [a, b] = [190 * KiB + 17, 330 * KiB + 3]; // across the zeros/pattern and chunk edges
		assertBytesEqual(Buffer.from(await blob.slice(a, b).arrayBuffer()), buf.subarray(a, b), `${p}: slice`);
	}

	// Compressible content the server chunks itself (LFS upload), read by the client through
	// reconstructions: the chunks the server wrote decode in the client (it stores them
	// uncompressed today; append_xorb_chunk would write LZ4 frames if it compressed them).
	const viaLfs = compressibleBuffer("lfs", 200 * KiB, 700 * KiB);
	await upload(repo, [["lfs-zeros-text.bin", viaLfs]], { useXet: false });
	await expectDownloads(repo, "lfs-zeros-text.bin", viaLfs, { plain: false });
});

// ---------------------------------------------------------------------------------------------
// 2. Dedup: bytes sent and bytes stored.

/** Uploads and returns { sent, stored }: xorb bytes the client sent and the store grew by. */
async function measured(repo, files, opts = {}) {
	const rec = byteRecorder();
	const before = storedXorbBytes();
	await upload(repo, files, { ...opts, rec });
	return { sent: rec.xorbBytes(), stored: storedXorbBytes() - before, rec };
}

test("dedup: identical re-upload, append, insert (bytes sent and stored)", async () => {
	const repo = await newRepo("js-dedup");
	const other = await newRepo("js-dedup-other");
	// 150 MiB: three xorbs, so the append relies on global dedup answering with every xorb of
	// the file (the client asks about a file's first chunk only).
	// Seeded bytes: how many chunks an insertion disturbs depends on the content (a cut point
	// within the minimum chunk size of the last one is skipped, so the cuts can stay out of
	// step for a few chunks): with random bytes the bound below failed now and then.
	const base = seededBuffer("dedup-base", 150 * MiB);
	const first = await measured(repo, [["base.bin", base]]);
	assert.ok(first.stored >= base.length, `first upload stored ${first.stored}`);

	// Identical content at another path of another repository: nothing new.
	const same = await measured(other, [["copy/base.bin", base]]);
	console.error(`# identical re-upload: sent ${same.sent}, stored ${same.stored}`);
	assert.equal(same.sent, 0, "no xorb bytes sent for identical content");
	assert.equal(same.stored, 0, "store unchanged for identical content");
	assertBytesEqual(
		await blobToBuffer(await hub.downloadFile({ hubUrl, accessToken: alice, repo: other, path: "copy/base.bin" })),
		base,
		"identical copy",
	);

	// 1 MiB appended: only the tail is new.
	const appended = Buffer.concat([base, seededBuffer("dedup-tail", MiB)]);
	const app = await measured(repo, [["appended.bin", appended]]);
	console.error(`# append 1 MiB to 150 MiB: sent ${app.sent}, stored ${app.stored}`);
	const appBound = MiB + 2 * MAX_CHUNK;
	assert.ok(app.sent <= appBound, `append: sent ${app.sent} > ${appBound}`);
	assert.ok(app.stored <= appBound, `append: stored ${app.stored} > ${appBound}`);
	assert.ok(app.rec.match("GET", /^\/v1\/chunks\/default\//).length >= 1, "global dedup was queried");

	// 1000 bytes inserted in the middle: about one chunk either side is new.
	const k = 1000;
	const mid = Math.floor(base.length / 2) + 4321;
	const inserted = Buffer.concat([base.subarray(0, mid), seededBuffer("dedup-insert", k), base.subarray(mid)]);
	const ins = await measured(repo, [["inserted.bin", inserted]]);
	console.error(`# insert ${k} B into 40 MiB: sent ${ins.sent}, stored ${ins.stored}`);
	const insBound = k + 3 * MAX_CHUNK;
	assert.ok(ins.sent <= insBound, `insert: sent ${ins.sent} > ${insBound}`);
	assert.ok(ins.stored <= insBound, `insert: stored ${ins.stored} > ${insBound}`);

	for (const [p, buf] of [
		["appended.bin", appended],
		["inserted.bin", inserted],
	]) {
		const blob = await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: p });
		assertBytesEqual(await blobToBuffer(blob), buf, `download of ${p}`);
	}
});

test("dedup across the LFS and Xet upload paths", async () => {
	const repo = await newRepo("js-cross");
	const lfsRepo = await newRepo("js-cross-lfs");

	// Content stored through Xet, uploaded again through LFS (useXet: false): no new chunk.
	const viaXet = randomBuffer(8 * MiB);
	await upload(repo, [["x.bin", viaXet]]);
	const lfsAgain = await measured(lfsRepo, [["x-again.bin", viaXet]], { useXet: false });
	console.error(`# LFS re-upload of Xet content: stored ${lfsAgain.stored}`);
	assert.equal(lfsAgain.stored, 0, "LFS upload of Xet-stored content stored nothing new");
	assertBytesEqual(
		await blobToBuffer(await hub.downloadFile({ hubUrl, accessToken: alice, repo: lfsRepo, path: "x-again.bin", xet: false })),
		viaXet,
		"LFS copy of Xet content",
	);

	// Content stored through LFS (server-side chunking), uploaded again through Xet: no xorb.
	// Fixed bytes whose first chunk both boundary rules cut alike (see the reverse case below).
	const viaLfs = seededBuffer("c", 6 * MiB);
	const lfsFirst = await measured(lfsRepo, [["l.bin", viaLfs]], { useXet: false });
	assert.ok(lfsFirst.rec.match("PUT", /\/api\/vitrine\/lfs\//).length >= 1, "the first upload went through LFS PUT");
	assert.equal(lfsFirst.sent, 0);
	assert.ok(lfsFirst.stored >= viaLfs.length, `LFS upload stored ${lfsFirst.stored} (chunked into xorbs)`);
	const xetAgain = await measured(repo, [["l-again.bin", viaLfs]]);
	console.error(`# Xet re-upload of LFS content: sent ${xetAgain.sent}, stored ${xetAgain.stored}`);
	assert.equal(xetAgain.sent, 0, "no xorb sent for LFS-stored content");
	assert.equal(xetAgain.stored, 0);
	const lfsHash = await xetHashOf(repo, "l-again.bin");
	assert.match(lfsHash, HEX64, "LFS-uploaded content has a xetHash");
	assertBytesEqual(
		await blobToBuffer(await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: "l-again.bin" })),
		viaLfs,
		"Xet read of LFS-uploaded content",
	);

	// Xet-uploaded content + 1 MiB, through LFS: the server's chunker (current boundary rule)
	// meets chunks the JS client cut with the older rule (extra cuts at 8128 bytes), so only
	// part of the base dedups; bound it loosely and report the figure.
	const base = randomBuffer(24 * MiB);
	await upload(repo, [["base.bin", base]]);
	const grown = Buffer.concat([base, randomBuffer(MiB)]);
	const cross = await measured(lfsRepo, [["grown.bin", grown]], { useXet: false });
	const reused = 1 - (cross.stored - MiB) / base.length;
	console.error(
		`# LFS upload of (Xet content + 1 MiB): stored ${cross.stored} bytes; ~${(reused * 100).toFixed(1)}% of the base deduplicated`,
	);
	// Measured 83–93 % reuse across the two boundary rules (random data varies run to run);
	// the bound only catches a collapse of cross-path dedup, the figure above is the result.
	const crossBound = MiB + 0.4 * base.length;
	assert.ok(cross.stored <= crossBound, `cross-path append stored ${cross.stored} > ${crossBound}`);
	assertBytesEqual(
		await blobToBuffer(await hub.downloadFile({ hubUrl, accessToken: alice, repo: lfsRepo, path: "grown.bin" })),
		grown,
		"Xet read of the LFS-uploaded grown file",
	);

	// The reverse: LFS-stored content + 1 MiB, through Xet. The client asks global dedup about
	// its file's first chunk only, so anything dedups only if the two boundary rules cut that
	// first chunk alike. The old rule makes its extra 8128-byte cut in ~9% of chunks, so ~9% of
	// random files dedup nothing this way (CI once drew such bytes: the whole file was sent).
	// Fixed bytes make the figure reproducible: seed "a" is one where the first chunks agree
	// (seed "cross-rule-base" is one where the wasm cuts its first chunk at 8128 bytes).
	const lfsBase = seededBuffer("a", 24 * MiB);
	await upload(lfsRepo, [["lfs-base.bin", lfsBase]], { useXet: false });
	const lfsGrown = Buffer.concat([lfsBase, seededBuffer("cross-rule-tail", MiB)]);
	const back = await measured(repo, [["lfs-grown.bin", lfsGrown]]);
	console.error(
		`# Xet upload of (LFS content + 1 MiB): sent ${back.sent}, stored ${back.stored}; ~${(
			(1 - (back.sent - MiB) / lfsBase.length) *
			100
		).toFixed(1)}% of the base deduplicated`,
	);
	assert.ok(back.rec.match("GET", /^\/v1\/chunks\/default\//).length >= 1, "global dedup was queried");
	assert.ok(back.sent <= crossBound, `Xet append to LFS content sent ${back.sent} > ${crossBound}`);
	assert.ok(back.stored <= crossBound, `Xet append to LFS content stored ${back.stored} > ${crossBound}`);
	assertBytesEqual(
		await blobToBuffer(await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: "lfs-grown.bin" })),
		lfsGrown,
		"Xet read of the Xet-uploaded grown LFS file",
	);
});

// ---------------------------------------------------------------------------------------------
// 3. Access.

test("Xet access: read-only tokens, other users' repositories, bad and expired tokens", async () => {
	const priv = await newRepo("js-xet-priv", alice, { private: true });
	const secret = randomBuffer(300 * KiB);
	await upload(priv, [["secret.bin", secret]]);
	const secretHash = await xetHashOf(priv, "secret.bin");

	// A read-only hub token cannot upload through Xet.
	await rejects4xx(upload(priv, [["nope.bin", randomBuffer(50 * KiB)]], { token: aliceRead }));

	// Bob cannot get a Xet token for alice's private repo.
	for (const kind of ["xet-read-token", "xet-write-token"]) {
		const r = await http(hubUrl, `/api/models/${priv}/${kind}/main`, { token: bob });
		assert.equal(r.status, 404, `bob ${kind} on a private repo: ${r.status} ${r.body}`);
	}
	// ...nor read alice's file with a Xet token of his own repository.
	const bobs = await newRepo("js-xet-bob", bob);
	await upload(bobs, [["mine.bin", randomBuffer(40 * KiB)]], { token: bob });
	const bobRead = await readToken(bobs, bob);
	for (const v of ["v1", "v2"]) {
		const r = await http(hubUrl, `/${v}/reconstructions/${secretHash}`, { token: bobRead });
		assert.equal(r.status, 404, `bob ${v} reconstruction of alice's file: ${r.status} ${r.body}`);
	}
	const batch = await http(hubUrl, `/v1/reconstructions`, {
		method: "POST",
		token: bobRead,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify([{ prefix: "default", hash: secretHash }]),
	});
	assert.equal(batch.status, 404, `bob batch reconstruction: ${batch.status} ${batch.body}`);
	// Alice's own read token does reconstruct it.
	const ok = await http(hubUrl, `/v1/reconstructions/${secretHash}`, { token: await readToken(priv) });
	assert.equal(ok.status, 200);

	// Garbage, tampered and missing Xet tokens: 401.
	const aliceXet = await readToken(priv);
	const tampered = aliceXet.slice(0, -1) + (aliceXet.endsWith("0") ? "1" : "0");
	for (const tok of ["garbage", "xet_AAAA.BBBB", tampered, alice]) {
		const r = await http(hubUrl, `/v1/reconstructions/${secretHash}`, { token: tok });
		assert.equal(r.status, 401, `token ${tok.slice(0, 12)}…: ${r.status} ${r.body}`);
	}
	assert.equal((await http(hubUrl, `/v1/reconstructions/${secretHash}`)).status, 401, "no token");

	// A read Xet token cannot write.
	const fakeXorb = "0".repeat(64);
	for (const p of [`/v1/xorbs/default/${fakeXorb}`, "/v1/shards"]) {
		const r = await http(hubUrl, p, { method: "POST", token: aliceXet, body: Buffer.alloc(16) });
		assert.equal(r.status, 403, `read token POST ${p}: ${r.status} ${r.body}`);
	}
});

test("an expired Xet token is refused with 401", async () => {
	// A second server whose Xet tokens live one second.
	const bin = vitrineBin();
	const dataDir = mkdtempSync(path.join(tmpdir(), "vitrine-js-xet-ttl-"));
	const run = (args) =>
		execFileSync(bin, [...args, "--data", dataDir], {
			encoding: "utf8",
			stdio: ["ignore", "pipe", "pipe"],
			timeout: 30_000,
		}).trim();
	let child;
	try {
		run(["user", "create", "carol"]);
		const carol = run(["token", "create", "--user", "carol", "--role", "write"]);
		child = spawn(bin, ["serve", "--data", dataDir, "--listen", "127.0.0.1:0", "--xet-token-ttl-seconds", "1"], {
			stdio: ["ignore", "pipe", "pipe"],
		});
		const url = await new Promise((resolve, reject) => {
			let out = "";
			const timer = setTimeout(() => reject(new Error(`no 'listening on' in 20 s: ${out}`)), 20_000);
			child.stdout.setEncoding("utf8");
			child.stdout.on("data", (d) => {
				out += d;
				const m = /listening on (http:\/\/[^\s]+)/.exec(out);
				if (m) {
					clearTimeout(timer);
					resolve(m[1].replace(/\/+$/, ""));
				}
			});
			child.stderr.resume();
			child.on("exit", (code) => reject(new Error(`server exited (${code}): ${out}`)));
		});
		const repo = `carol/${uniqueName("js-ttl")}`;
		await hub.createRepo({ hubUrl: url, accessToken: carol, repo });
		const r = await http(url, `/api/models/${repo}/xet-write-token/main`, { token: carol });
		assert.equal(r.status, 200);
		const tok = r.json.accessToken;
		await new Promise((res) => setTimeout(res, 2100));
		const late = await http(url, `/v1/chunks/default/${"0".repeat(64)}`, { token: tok });
		assert.equal(late.status, 401, `expired token: ${late.status} ${late.body}`);
		assert.match(late.body.toString(), /expired/i);
	} finally {
		if (child && child.exitCode === null) {
			const exited = new Promise((r) => child.once("exit", r));
			child.kill("SIGTERM");
			await exited;
		}
		rmSync(dataDir, { recursive: true, force: true });
	}
});
