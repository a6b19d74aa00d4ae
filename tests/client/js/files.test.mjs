// Uploads (regular, LFS basic, LFS multipart), downloads (full, ranged, raw), listings,
// commits (parentCommit, pull requests), branches and deletions through the real
// @huggingface/hub client. Every downloaded byte is compared with what was uploaded.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as hub from "@huggingface/hub";
import {
	startServer,
	uniqueName,
	randomBuffer,
	sha256Hex,
	gitBlobSha1,
	lfsPointer,
	blobToBuffer,
	collect,
	recordingFetch,
	http,
	MULTIPART_CHUNK,
	MULTIPART_THRESHOLD,
} from "./harness.mjs";
import { rejectsWith, rejects4xx, assertBytesEqual, HEX40 } from "./assert-helpers.mjs";

let srv;
let hubUrl;
let alice;
let aliceRead;
let bob;
let repo; // alice/<name>, model
const files = new Map(); // path -> Buffer currently on main
const cacheDirs = [];

before(async () => {
	srv = await startServer();
	hubUrl = srv.baseUrl;
	({ alice, aliceRead, bob } = srv.tokens);
	repo = `alice/${uniqueName("js-up")}`;
	await hub.createRepo({ hubUrl, accessToken: alice, repo });
	const ga = await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: ".gitattributes" });
	files.set(".gitattributes", ga ? await blobToBuffer(ga) : Buffer.alloc(0));
});

/** Directories implied by the file paths in `files`. */
function expectedDirs() {
	const dirs = new Set();
	for (const p of files.keys()) {
		const parts = p.split("/");
		for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
	}
	return [...dirs].sort();
}

after(async () => {
	for (const d of cacheDirs) rmSync(d, { recursive: true, force: true });
	await srv?.stop();
});

function blobOf(buf) {
	return new Blob([buf]);
}

async function upload(filesToSend, extra = {}) {
	return hub.uploadFiles({
		hubUrl,
		accessToken: alice,
		repo,
		files: filesToSend.map(([p, buf]) => ({ path: p, content: blobOf(buf) })),
		useXet: false,
		...extra,
	});
}

async function download(p, extra = {}) {
	const blob = await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: p, ...extra });
	assert.ok(blob, `downloadFile(${p}) returned null`);
	return blobToBuffer(blob);
}

async function headSha(revision = "main") {
	const info = await hub.modelInfo({ hubUrl, accessToken: alice, name: repo, revision, additionalFields: ["sha"] });
	return info.sha;
}

async function tree(params = {}) {
	return collect(hub.listFiles({ hubUrl, accessToken: alice, repo, ...params }));
}

test("uploadFiles: small regular files (incl. nested and empty) are byte-identical on download", async () => {
	const add = [
		["config.json", Buffer.from(JSON.stringify({ hidden_size: 8, note: "héllo ✓" }, null, 2))],
		["dir/sub/notes.txt", Buffer.from("line 1\nline 2\n")],
		["dir/a.txt", Buffer.from("a\n")],
		["empty.txt", Buffer.alloc(0)],
	];
	const rec = recordingFetch();
	const res = await upload(add, { fetch: rec.fetch, commitTitle: "add small files" });
	assert.match(res.commit.oid, HEX40);
	assert.equal(res.commit.url, `${hubUrl}/${repo}/commit/${res.commit.oid}`);
	assert.equal(res.pullRequestUrl, undefined);
	assert.ok(!rec.log.some((e) => e.url.includes("/info/lfs/")), "small text files must be regular, not LFS");
	for (const [p, b] of add) files.set(p, b);

	assert.equal(await headSha(), res.commit.oid, "modelInfo.sha must be the new commit");
	for (const [p, b] of add) assertBytesEqual(await download(p), b, p);
	// By commit sha too.
	assertBytesEqual(await download("config.json", { revision: res.commit.oid }), add[0][1], "config.json@sha");
});

test("uploadFiles: LFS files (3 MiB .bin, 4 MiB extension-less binary, tiny .bin) via basic transfer", async () => {
	const add = [
		["weights.bin", randomBuffer(3 * 1024 * 1024)],
		["group1-shard1of2", Buffer.concat([Buffer.alloc(16), randomBuffer(4 * 1024 * 1024)])],
		["tiny.bin", Buffer.from("0123456789")],
	];
	const rec = recordingFetch();
	const res = await upload(add, { fetch: rec.fetch });
	assert.match(res.commit.oid, HEX40);
	for (const [p, b] of add) files.set(p, b);

	const batches = rec.log.filter((e) => e.url.endsWith(".git/info/lfs/objects/batch"));
	assert.equal(batches.length, 1, "one LFS batch call expected");
	const batch = batches[0];
	assert.equal(batch.status, 200);
	assert.ok(batch.url.startsWith(`${hubUrl}/${repo}.git/`), batch.url);
	assert.notEqual(batch.json.transfer, "xet", "server must not negotiate xet");
	const oids = batch.json.objects.map((o) => o.oid).sort();
	assert.deepEqual(oids, add.map(([, b]) => sha256Hex(b)).sort(), "all three files must go to LFS");
	for (const o of batch.json.objects) {
		assert.equal(typeof o.size, "number");
		assert.ok(o.actions?.upload?.href, `object ${o.oid} needs an upload action`);
		assert.ok(!o.actions.upload.header?.chunk_size, "objects below the multipart threshold use basic PUT");
	}
	const puts = rec.log.filter((e) => e.method === "PUT");
	assert.equal(puts.length, 3);
	for (const p of puts) {
		assert.ok(p.status >= 200 && p.status < 300, `PUT ${p.url} -> ${p.status}`);
		assert.equal(p.reqHeaders.get("authorization"), null, "the client PUTs without Authorization (href self-authenticating)");
	}

	for (const [p, b] of add) assertBytesEqual(await download(p), b, p);

	// raw returns the LFS pointer text.
	for (const [p, b] of add) {
		const raw = await download(p, { raw: true });
		assert.equal(raw.toString("utf8"), lfsPointer(b), `raw ${p} must be the LFS pointer`);
	}

	// tree entries carry lfs {oid,size,pointerSize}; oid is the git sha1 of the pointer blob.
	const entries = await tree();
	for (const [p, b] of add) {
		const e = entries.find((x) => x.path === p);
		assert.ok(e, `${p} missing from tree`);
		assert.equal(e.type, "file");
		assert.equal(e.size, b.length, `${p} tree size must be the real size`);
		assert.ok(e.lfs, `${p} must have lfs in tree`);
		assert.equal(e.lfs.oid, sha256Hex(b));
		assert.equal(e.lfs.size, b.length);
		assert.equal(e.lfs.pointerSize, Buffer.byteLength(lfsPointer(b)));
		assert.equal(e.oid, gitBlobSha1(Buffer.from(lfsPointer(b))));
		assert.match(e.xetHash ?? "", /^[0-9a-f]{64}$/, `${p}: LFS files are stored in Xet form and carry xetHash`);
	}
	const cfg = entries.find((x) => x.path === "config.json");
	assert.equal(cfg.oid, gitBlobSha1(files.get("config.json")));
	assert.equal(cfg.lfs, undefined);

	// .gitattributes must track the extension-less LFS file, otherwise clones would not smudge it.
	const ga = (await download(".gitattributes")).toString();
	files.set(".gitattributes", Buffer.from(ga));
	assert.ok(
		ga.split("\n").some((l) => l.includes("group1-shard1of2") && l.includes("filter=lfs")) ||
			ga.split("\n").some((l) => l.startsWith("* ") && l.includes("filter=lfs")),
		".gitattributes must track group1-shard1of2 as LFS",
	);
});

test("LFS batch: an already stored object gets no upload action; content is reused", async () => {
	const b = files.get("weights.bin");
	const rec = recordingFetch();
	await upload([["copy/weights-again.bin", b]], { fetch: rec.fetch });
	files.set("copy/weights-again.bin", b);
	const batch = rec.log.find((e) => e.url.endsWith("/info/lfs/objects/batch"));
	assert.ok(batch, "LFS batch expected");
	assert.equal(batch.json.objects.length, 1);
	assert.equal(batch.json.objects[0].actions, undefined, "stored object must have no actions");
	assert.equal(rec.log.filter((e) => e.method === "PUT").length, 0);
	assertBytesEqual(await download("copy/weights-again.bin"), b, "copy/weights-again.bin");
});

test("uploadFiles: multipart LFS upload above the server's threshold", async (t) => {
	assert.ok(
		srv.multipart,
		`server refused --multipart-threshold/--multipart-chunk-size: ${srv.multipartRefusal.trim().slice(0, 300)}`,
	);
	const size = MULTIPART_THRESHOLD + MULTIPART_CHUNK + 12345; // 7 parts of 1 MiB (last partial)
	const b = randomBuffer(size);
	const rec = recordingFetch();
	await upload([["big/model.safetensors", b]], { fetch: rec.fetch });
	files.set("big/model.safetensors", b);

	const batch = rec.log.find((e) => e.url.endsWith("/info/lfs/objects/batch"));
	const obj = batch.json.objects[0];
	const header = obj.actions?.upload?.header;
	assert.ok(header?.chunk_size, `batch response must carry header.chunk_size for a ${size}-byte object`);
	assert.equal(Number(header.chunk_size), MULTIPART_CHUNK);
	const nparts = Math.ceil(size / MULTIPART_CHUNK);
	const partKeys = Object.keys(header).filter((k) => /^[0-9]+$/.test(k));
	assert.equal(partKeys.length, nparts);
	if (batch.json.transfer !== "multipart") t.diagnostic(`note: transfer is ${batch.json.transfer}, contract suggests "multipart"`);
	for (const k of partKeys) assert.ok(header[k].startsWith(hubUrl + "/"), `part URL must use the public base URL: ${header[k]}`);
	const partPuts = rec.log.filter((e) => e.method === "PUT");
	assert.equal(partPuts.length, nparts);
	for (const p of partPuts) assert.ok(p.resHeaders.get("etag"), "part PUT response must carry ETag");
	const completion = rec.log.find((e) => e.method === "POST" && e.url === obj.actions.upload.href);
	assert.ok(completion, "completion POST expected");
	assert.equal(completion.status, 200);

	assertBytesEqual(await download("big/model.safetensors"), b, "big/model.safetensors");
	const [info] = await hub.pathsInfo({ hubUrl, accessToken: alice, repo, paths: ["big/model.safetensors"] });
	assert.equal(info.lfs.oid, sha256Hex(b));
	assert.equal(info.size, size);
});

test("multipart: size an exact multiple of the chunk size; re-upload of a stored object", async () => {
	assert.ok(srv.multipart, "server refused the --multipart-* flags");
	const b = randomBuffer(6 * MULTIPART_CHUNK);
	const rec = recordingFetch();
	await upload([["big/exact.safetensors", b]], { fetch: rec.fetch });
	files.set("big/exact.safetensors", b);
	const batch = rec.log.find((e) => e.url.endsWith("/info/lfs/objects/batch"));
	const header = batch.json.objects[0].actions?.upload?.header;
	assert.equal(Object.keys(header ?? {}).filter((k) => /^[0-9]+$/.test(k)).length, 6, "exactly size/chunk parts");
	assertBytesEqual(await download("big/exact.safetensors"), b, "big/exact.safetensors");
	// Same content under another name: already stored, no actions, no PUTs.
	const rec2 = recordingFetch();
	await upload([["big/exact-again.safetensors", b]], { fetch: rec2.fetch });
	files.set("big/exact-again.safetensors", b);
	const batch2 = rec2.log.find((e) => e.url.endsWith("/info/lfs/objects/batch"));
	assert.equal(batch2.json.objects[0].actions, undefined);
	assert.equal(rec2.log.filter((e) => e.method === "PUT").length, 0);
	assertBytesEqual(await download("big/exact-again.safetensors"), b, "big/exact-again.safetensors");
});

test("many files in one commit (150, preupload chunks of 100) and non-ASCII / spaced paths", async () => {
	const add = [];
	for (let i = 0; i < 150; i++) add.push([`many/f${String(i).padStart(3, "0")}.txt`, Buffer.from(`file ${i}\n`)]);
	add.push(["dossier é/ñame 1 (v2).txt", Buffer.from("unicode path\n")]);
	add.push(["dossier é/poids [1].bin", randomBuffer(4096)]);
	const res = await upload(add, { commitTitle: "many files" });
	assert.match(res.commit.oid, HEX40);
	for (const [p, b] of add) files.set(p, b);
	const listed = await tree({ path: "many" });
	assert.equal(listed.length, 150, "listFiles must page through all 150 entries");
	assert.equal(new Set(listed.map((e) => e.path)).size, 150, "no duplicates across pages");
	assertBytesEqual(await download("many/f149.txt"), files.get("many/f149.txt"), "many/f149.txt");
	assertBytesEqual(await download("dossier é/ñame 1 (v2).txt"), files.get("dossier é/ñame 1 (v2).txt"), "unicode regular");
	assertBytesEqual(await download("dossier é/poids [1].bin"), files.get("dossier é/poids [1].bin"), "unicode LFS");
	const sub = await tree({ path: "dossier é" });
	assert.deepEqual(sub.map((e) => e.path).sort(), ["dossier é/poids [1].bin", "dossier é/ñame 1 (v2).txt"]);
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "dossier é/ñame 1 (v2).txt" }), true);
});

test("downloadFile: ranged reads via Blob.slice (206 + Content-Range) and fileDownloadInfo", async () => {
	const b = files.get("weights.bin");
	const rec = recordingFetch();
	// The plain HTTP path (xet: false); the Xet path is covered by xet.test.mjs.
	const blob = await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: "weights.bin", fetch: rec.fetch, xet: false });
	assert.equal(blob.size, b.length);
	const part = Buffer.from(await blob.slice(1000, 5000).arrayBuffer());
	assertBytesEqual(part, b.subarray(1000, 5000), "weights.bin[1000:5000]");
	const last = Buffer.from(await blob.slice(b.length - 7).arrayBuffer());
	assertBytesEqual(last, b.subarray(b.length - 7), "weights.bin tail");
	// The probe asks for the Xet file info; a Xet-stored file answers it with its size.
	const probe = rec.log[0];
	assert.equal(probe.reqHeaders.get("range"), "bytes=0-0");
	assert.equal(probe.status, 200);
	assert.match(probe.resHeaders.get("content-type"), /application\/vnd\.xet-fileinfo\+json/);
	assert.equal(probe.resHeaders.get("x-linked-size"), String(b.length));
	const ranged = rec.log.find((e) => e.reqHeaders.get("range") === "bytes=1000-4999");
	assert.ok(ranged);
	assert.equal(ranged.status, 206);
	assert.equal(ranged.resHeaders.get("content-range"), `bytes 1000-4999/${b.length}`);

	const lfsInfo = await hub.fileDownloadInfo({ hubUrl, accessToken: alice, repo, path: "weights.bin" });
	assert.equal(lfsInfo.size, b.length);
	assert.equal(lfsInfo.etag.replace(/^W\//, ""), `"${sha256Hex(b)}"`, "LFS etag must be the quoted sha256 (X-Linked-Etag)");
	assert.match(lfsInfo.xet?.hash ?? "", /^[0-9a-f]{64}$/, "LFS files are Xet-stored: fileDownloadInfo gets their Xet info");
	const regInfo = await hub.fileDownloadInfo({ hubUrl, accessToken: alice, repo, path: "config.json" });
	assert.equal(regInfo.size, files.get("config.json").length);
	assert.equal(regInfo.etag.replace(/^W\//, ""), `"${gitBlobSha1(files.get("config.json"))}"`);
	const emptyInfo = await hub.fileDownloadInfo({ hubUrl, accessToken: alice, repo, path: "empty.txt" });
	assert.equal(emptyInfo.size, 0);
	// The ranged read on a small regular file.
	const cfg = files.get("config.json");
	const cfgBlob = await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: "config.json" });
	assertBytesEqual(Buffer.from(await cfgBlob.slice(3, 10).arrayBuffer()), cfg.subarray(3, 10), "config.json[3:10]");
});

test("downloadFile: missing file gives null, missing revision and missing repo throw", async () => {
	assert.equal(await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: "nope.txt" }), null);
	assert.equal(await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: "dir" }), null, "a directory is EntryNotFound");
	await rejectsWith(hub.downloadFile({ hubUrl, accessToken: alice, repo, path: "config.json", revision: "no-such-rev" }), 404);
	await rejectsWith(hub.downloadFile({ hubUrl, accessToken: alice, repo: `alice/${uniqueName("nope")}`, path: "x" }), 404);
	// Anonymous read of a public repo.
	const anon = await hub.downloadFile({ hubUrl, repo, path: "weights.bin" });
	assertBytesEqual(await blobToBuffer(anon), files.get("weights.bin"), "anonymous weights.bin");
});

test("fileExists: true for files (regular and LFS), false for missing files and directories", async () => {
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "config.json" }), true);
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "weights.bin" }), true);
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "dir/sub/notes.txt" }), true);
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "missing.txt" }), false);
	assert.equal(await hub.fileExists({ hubUrl, repo, path: "missing.txt" }), false);
});

test("listFiles: non-recursive and recursive, on root, on a path, on a revision", async () => {
	const top = await tree();
	const topPaths = top.map((e) => e.path).sort();
	const expectedTop = [...new Set([...files.keys()].map((p) => p.split("/")[0]))].sort();
	assert.deepEqual(topPaths, expectedTop);
	assert.equal(top.find((e) => e.path === "dir").type, "directory");
	assert.equal(top.find((e) => e.path === "dir").size, 0);

	const all = await tree({ recursive: true });
	const filePaths = all.filter((e) => e.type === "file").map((e) => e.path).sort();
	assert.deepEqual(filePaths, [...files.keys()].sort());
	const dirPaths = all.filter((e) => e.type === "directory").map((e) => e.path).sort();
	assert.deepEqual(dirPaths, expectedDirs());
	for (const e of all.filter((x) => x.type === "file")) assert.equal(e.size, files.get(e.path).length, e.path);

	const sub = await tree({ path: "dir" });
	assert.deepEqual(sub.map((e) => e.path).sort(), ["dir/a.txt", "dir/sub"]);
	const subRec = await tree({ path: "dir", recursive: true });
	assert.deepEqual(subRec.map((e) => e.path).sort(), ["dir/a.txt", "dir/sub", "dir/sub/notes.txt"]);

	// At an older revision (the initial commit) only .gitattributes existed.
	const commits = await collect(hub.listCommits({ hubUrl, accessToken: alice, repo }));
	const first = commits.at(-1).oid;
	const old = await tree({ revision: first, recursive: true });
	assert.deepEqual(
		old.map((e) => e.path),
		[".gitattributes"],
	);
	// expand=true adds lastCommit.
	const exp = await tree({ path: "dir", expand: true });
	for (const e of exp) assert.match(e.lastCommit?.id ?? "", HEX40, `${e.path} lastCommit with expand`);

	await rejectsWith(tree({ path: "no/such/dir" }), 404);
	await rejectsWith(tree({ revision: "no-such-branch" }), 404);
});

test("pathsInfo, downloadFileToCacheDir and snapshotDownload", async () => {
	const infos = await hub.pathsInfo({ hubUrl, accessToken: alice, repo, paths: ["weights.bin", "config.json", "dir", "nope"] });
	const byPath = Object.fromEntries(infos.map((i) => [i.path, i]));
	assert.deepEqual(Object.keys(byPath).sort(), ["config.json", "dir", "weights.bin"]);
	assert.equal(byPath["weights.bin"].lfs.oid, sha256Hex(files.get("weights.bin")));
	assert.equal(byPath["config.json"].oid, gitBlobSha1(files.get("config.json")));
	assert.equal(byPath.dir.type, "directory");

	const cacheDir = mkdtempSync(path.join(tmpdir(), "vitrine-js-cache-"));
	cacheDirs.push(cacheDir);
	const p = await hub.downloadFileToCacheDir({ hubUrl, accessToken: alice, repo, path: "weights.bin", cacheDir });
	assertBytesEqual(readFileSync(p), files.get("weights.bin"), "cached weights.bin");

	const snap = await hub.snapshotDownload({ hubUrl, accessToken: alice, repo, cacheDir });
	for (const [fp, b] of files) {
		const local = path.join(snap, fp);
		assert.ok(statSync(local).isFile(), `${fp} missing from snapshot`);
		assertBytesEqual(readFileSync(local), b, `snapshot ${fp}`);
	}
	assert.equal(path.basename(snap), await headSha(), "snapshot folder is named after the commit sha");
});

test("commit with a stale parentCommit is refused with 412 and the contract message", async () => {
	const stale = await headSha();
	const res = await upload([["p1.txt", Buffer.from("p1\n")]], { parentCommit: stale });
	files.set("p1.txt", Buffer.from("p1\n"));
	assert.match(res.commit.oid, HEX40);
	const err = await rejectsWith(
		upload([["p2.txt", Buffer.from("p2\n")]], { parentCommit: stale }),
		412,
		/The branch was updated since you opened this page\. Please refresh and try again\./,
	);
	assert.ok(err.requestId, "error must carry X-Request-Id");
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "p2.txt" }), false);
	assert.equal(await headSha(), res.commit.oid, "refused commit must not move the branch");
});

test("pull requests: isPullRequest creates refs/pr/N; commits to it stay off main", async () => {
	const before = await headSha();
	const prFile = Buffer.from("proposed by bob\n");
	const prLfs = randomBuffer(200 * 1024);
	const res = await hub.uploadFiles({
		hubUrl,
		accessToken: bob,
		repo,
		files: [
			{ path: "pr/proposal.txt", content: blobOf(prFile) },
			{ path: "pr/weights.bin", content: blobOf(prLfs) },
		],
		isPullRequest: true,
		useXet: false,
	});
	assert.ok(res.pullRequestUrl, "pullRequestUrl must be returned when creating a PR");
	const m = new RegExp(`^${hubUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/${repo}/discussions/(\\d+)$`).exec(res.pullRequestUrl);
	assert.ok(m, `pullRequestUrl shape: ${res.pullRequestUrl}`);
	assert.equal(m[1], "1", "first PR of the repo is number 1");
	const pr = `refs/pr/${m[1]}`;

	assert.equal(await headSha(), before, "main must not move");
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "pr/proposal.txt" }), false);
	assertBytesEqual(await download("pr/proposal.txt", { revision: pr }), prFile, "PR regular file");
	assertBytesEqual(await download("pr/weights.bin", { revision: pr }), prLfs, "PR LFS file");
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "pr/proposal.txt", revision: pr }), true);
	// listFiles sends refs/pr/N raw in the tree URL.
	const prTree = await tree({ revision: pr, path: "pr" });
	assert.deepEqual(prTree.map((e) => e.path).sort(), ["pr/proposal.txt", "pr/weights.bin"]);
	assert.equal(res.commit.oid, (await hub.modelInfo({ hubUrl, accessToken: alice, name: repo, revision: pr, additionalFields: ["sha"] })).sha);

	// A second commit on the PR branch (rev = refs/pr/N, no create_pr).
	const res2 = await hub.uploadFiles({
		hubUrl,
		accessToken: alice,
		repo,
		branch: pr,
		files: [{ path: "pr/second.txt", content: blobOf(Buffer.from("second\n")) }],
		useXet: false,
	});
	assert.equal(res2.pullRequestUrl, undefined);
	const prCommits = await collect(hub.listCommits({ hubUrl, accessToken: alice, repo, revision: pr }));
	assert.equal(prCommits[0].oid, res2.commit.oid);
	assert.equal(prCommits[1].oid, res.commit.oid);
	assert.equal(prCommits[1].authors[0].username, "bob");
	assert.equal(prCommits[0].authors[0].username, "alice");
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "pr/second.txt" }), false);

	// A read token can open a PR too; the next PR number is 2.
	const res3 = await hub.uploadFiles({
		hubUrl,
		accessToken: aliceRead,
		repo,
		files: [{ path: "pr2.txt", content: blobOf(Buffer.from("pr2\n")) }],
		isPullRequest: true,
		useXet: false,
	});
	assert.ok(res3.pullRequestUrl?.endsWith(`/${repo}/discussions/2`), `second PR url: ${res3.pullRequestUrl}`);
});

test("permissions: read token and other users cannot commit directly", async () => {
	await rejectsWith(upload([["ro.txt", Buffer.from("ro\n")]], { accessToken: aliceRead }), 403);
	await rejectsWith(
		hub.uploadFiles({ hubUrl, accessToken: bob, repo, files: [{ path: "bob.txt", content: blobOf(Buffer.from("b")) }], useXet: false }),
		403,
	);
	await rejectsWith(hub.deleteFile({ hubUrl, accessToken: bob, repo, path: "config.json" }), 403);
	assert.equal(await hub.fileExists({ hubUrl, repo, path: "ro.txt" }), false);
	assert.equal(await hub.fileExists({ hubUrl, repo, path: "bob.txt" }), false);
	assert.equal(await hub.fileExists({ hubUrl, repo, path: "config.json" }), true);
});

test("branches: createBranch (default, from revision, empty), commit on branch, deleteBranch", async () => {
	const mainSha = await headSha();
	await hub.createBranch({ hubUrl, accessToken: alice, repo, branch: "feature" });
	assert.equal(await headSha("feature"), mainSha);
	const res = await upload([["feature-only.txt", Buffer.from("feat\n")]], { branch: "feature" });
	assert.equal(await headSha("feature"), res.commit.oid);
	assert.equal(await headSha(), mainSha, "main must not move");
	assertBytesEqual(await download("feature-only.txt", { revision: "feature" }), Buffer.from("feat\n"), "feature-only.txt");
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "feature-only.txt" }), false);

	await rejectsWith(hub.createBranch({ hubUrl, accessToken: alice, repo, branch: "feature" }), 409);

	const commits = await collect(hub.listCommits({ hubUrl, accessToken: alice, repo }));
	const first = commits.at(-1).oid;
	await hub.createBranch({ hubUrl, accessToken: alice, repo, branch: "from-first", revision: first });
	assert.equal(await headSha("from-first"), first);
	await hub.createBranch({ hubUrl, accessToken: alice, repo, branch: "nested/name" });
	assert.equal(await headSha("nested/name"), mainSha);
	assertBytesEqual(await download("config.json", { revision: "nested/name" }), files.get("config.json"), "config.json@nested/name");

	await hub.createBranch({ hubUrl, accessToken: alice, repo, branch: "empty-br", empty: true });
	assert.deepEqual(await tree({ revision: "empty-br" }), []);
	assert.equal(await hub.downloadFile({ hubUrl, accessToken: alice, repo, path: ".gitattributes", revision: "empty-br" }), null);

	// overwrite resets an existing branch to the given revision.
	await hub.createBranch({ hubUrl, accessToken: alice, repo, branch: "feature", revision: first, overwrite: true });
	assert.equal(await headSha("feature"), first);

	await rejectsWith(hub.createBranch({ hubUrl, accessToken: bob, repo, branch: "bob-br" }), 403);
	await rejectsWith(hub.createBranch({ hubUrl, accessToken: aliceRead, repo, branch: "ro-br" }), 403);

	const refs = await http(hubUrl, `/api/models/${repo}/refs`, { token: alice });
	assert.equal(refs.status, 200);
	const names = refs.json.branches.map((b) => b.name).sort();
	assert.deepEqual(names, ["empty-br", "feature", "from-first", "main", "nested/name"]);
	assert.ok(Array.isArray(refs.json.tags) && Array.isArray(refs.json.converts), "refs must have tags and converts arrays");
	const mainRef = refs.json.branches.find((b) => b.name === "main");
	assert.equal(mainRef.ref, "refs/heads/main");
	assert.equal(mainRef.targetCommit, mainSha);

	await hub.deleteBranch({ hubUrl, accessToken: alice, repo, branch: "feature" });
	await rejectsWith(tree({ revision: "feature" }), 404);
	await rejects4xx(hub.deleteBranch({ hubUrl, accessToken: alice, repo, branch: "feature" }));
	await rejects4xx(hub.deleteBranch({ hubUrl, accessToken: alice, repo, branch: "main" }));
	await hub.deleteBranch({ hubUrl, accessToken: alice, repo, branch: "nested/name" });
	assert.equal(await headSha(), mainSha);
});

let tinyDeletedIn = "";
test("deleteFile / deleteFiles remove paths in one commit each", async () => {
	const n0 = await hub.countCommits({ hubUrl, accessToken: alice, repo });
	const r1 = await hub.deleteFile({ hubUrl, accessToken: alice, repo, path: "tiny.bin" });
	assert.match(r1.commit.oid, HEX40);
	tinyDeletedIn = r1.commit.oid;
	files.delete("tiny.bin");
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "tiny.bin" }), false);

	const r2 = await hub.deleteFiles({ hubUrl, accessToken: alice, repo, paths: ["dir/sub/notes.txt", "copy/weights-again.bin"] });
	assert.match(r2.commit.oid, HEX40);
	files.delete("dir/sub/notes.txt");
	files.delete("copy/weights-again.bin");
	const all = await tree({ recursive: true });
	const paths = all.map((e) => e.path);
	assert.ok(!paths.includes("dir/sub/notes.txt"));
	assert.ok(!paths.includes("dir/sub"), "an emptied folder disappears");
	assert.ok(!paths.includes("copy"), "an emptied folder disappears");
	assert.ok(paths.includes("dir/a.txt"));
	// Content that is still referenced stays downloadable.
	assertBytesEqual(await download("weights.bin"), files.get("weights.bin"), "weights.bin after deletes");

	assert.equal(await hub.countCommits({ hubUrl, accessToken: alice, repo }), n0 + 2);
	// Deleting a missing file fails and creates no commit.
	await rejectsWith(hub.deleteFile({ hubUrl, accessToken: alice, repo, path: "never-existed.txt" }), 404);
	assert.equal(await hub.countCommits({ hubUrl, accessToken: alice, repo }), n0 + 2);
	// A folder deletion.
	await hub.commit({
		hubUrl,
		accessToken: alice,
		repo,
		title: "delete dir",
		operations: [{ operation: "delete", path: "dir" }],
	});
	assert.equal(await hub.fileExists({ hubUrl, accessToken: alice, repo, path: "dir/a.txt" }), false);
	files.delete("dir/a.txt");
});

test("listCommits / countCommits: newest first, authors, totals", async () => {
	const commits = await collect(hub.listCommits({ hubUrl, accessToken: alice, repo, batchSize: 2 }));
	const n = await hub.countCommits({ hubUrl, accessToken: alice, repo });
	assert.equal(commits.length, n, "listCommits (paged by 2) must visit every commit; X-Total-Count must match");
	assert.equal(commits[0].oid, await headSha());
	assert.equal(new Set(commits.map((c) => c.oid)).size, commits.length, "no duplicates across pages");
	for (const c of commits) {
		assert.match(c.oid, HEX40);
		assert.ok(c.title.length > 0);
		assert.ok(!isNaN(c.date.getTime()));
		assert.equal(c.authors[0]?.username, "alice");
	}
	for (let i = 1; i < commits.length; i++) assert.ok(commits[i - 1].date >= commits[i].date, "newest first");
	assert.ok(commits.some((c) => c.title === "add small files"));

	// Vitrine's ?path=: only the commits that changed a file or a folder, newest first.
	const of = async (path) => {
		const r = await http(hubUrl, `/api/models/${repo}/commits/main?path=${encodeURIComponent(path)}`, { token: alice });
		assert.equal(r.status, 200, `${path}: ${r.status} ${r.body}`);
		return { ids: r.json.map((c) => c.id), titles: r.json.map((c) => c.title), total: Number(r.headers.get("x-total-count")) };
	};
	const tiny = await of("tiny.bin");
	assert.equal(tiny.total, 2, "tiny.bin was added once and deleted once");
	assert.equal(tiny.ids[0], tinyDeletedIn);
	const order = commits.map((c) => c.oid);
	assert.ok(order.indexOf(tiny.ids[1]) > order.indexOf(tiny.ids[0]), "the addition is older");
	const dir = await of("dir/");
	assert.equal(dir.titles[0], "delete dir", "a folder's history starts with its deletion");
	assert.ok(dir.ids.every((id) => order.includes(id)));
	assert.deepEqual(await of("never-existed.txt"), { ids: [], titles: [], total: 0 });
	assert.equal((await http(hubUrl, `/api/models/${repo}/commits/main?path=..%2Fx`, { token: alice })).status, 400);
});

test("dataset repo: uploads with LFS through datasets/ batch URL, downloads, listFiles", async () => {
	const name = `alice/${uniqueName("js-dsup")}`;
	const dsRepo = { type: "dataset", name };
	await hub.createRepo({ hubUrl, accessToken: alice, repo: dsRepo });
	const parquet = randomBuffer(2 * 1024 * 1024 + 3);
	const jsonl = Buffer.from('{"text":"a"}\n{"text":"b"}\n');
	const rec = recordingFetch();
	await hub.uploadFiles({
		hubUrl,
		accessToken: alice,
		repo: dsRepo,
		files: [
			{ path: "data/train-00000-of-00001.parquet", content: blobOf(parquet) },
			{ path: "data/test.jsonl", content: blobOf(jsonl) },
		],
		useXet: false,
		fetch: rec.fetch,
	});
	const batch = rec.log.find((e) => e.url.endsWith("/info/lfs/objects/batch"));
	assert.ok(batch?.url.startsWith(`${hubUrl}/datasets/${name}.git/`), `dataset batch URL: ${batch?.url}`);
	const dl = async (p) => blobToBuffer(await hub.downloadFile({ hubUrl, accessToken: alice, repo: dsRepo, path: p }));
	assertBytesEqual(await dl("data/train-00000-of-00001.parquet"), parquet, "parquet");
	assertBytesEqual(await dl("data/test.jsonl"), jsonl, "jsonl");
	const entries = await collect(hub.listFiles({ hubUrl, accessToken: alice, repo: dsRepo, recursive: true }));
	assert.deepEqual(
		entries.map((e) => e.path).sort(),
		[".gitattributes", "data", "data/test.jsonl", "data/train-00000-of-00001.parquet"],
	);
	await hub.deleteRepo({ hubUrl, accessToken: alice, repo: dsRepo });
	await rejectsWith(hub.datasetInfo({ hubUrl, accessToken: alice, name }), 404);
});

test("deleteRepo removes the repo with its files", async () => {
	await hub.deleteRepo({ hubUrl, accessToken: alice, repo });
	await rejectsWith(hub.modelInfo({ hubUrl, accessToken: alice, name: repo }), 404);
	await rejectsWith(hub.downloadFile({ hubUrl, accessToken: alice, repo, path: "weights.bin" }), 404);
	await rejectsWith(hub.checkRepoAccess({ hubUrl, repo }), 401);
});
