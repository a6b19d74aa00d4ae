// Download counts (docs/api.md, "Download counts"): a GET of /{repo}/resolve/{rev}/{path}
// answered with the file from its first byte counts one download of the repository; HEAD,
// a range that starts later, the one-byte size probe, a revalidated cache (304), `raw` and
// `.gitattributes` do not.
// Model info and listings show the counts, `sort=downloads` orders by them (by every download
// answered more than a second before), and a private repository stays out of other callers'
// listings however often it is downloaded.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as hub from "@huggingface/hub";
import { startServer, uniqueName, http, blobToBuffer } from "./harness.mjs";

let srv;
let hubUrl;
let alice;
const prefix = uniqueName("dl");
const A = `alice/${prefix}-a`;
const B = `alice/${prefix}-b`;
const C = `alice/${prefix}-c`;
const P = `alice/${prefix}-private`;
const D = `alice/${prefix}-data`;
const CONFIG = JSON.stringify({ model_type: "bert", hidden_size: 8 });

async function make(name, { type = "model", priv = false } = {}) {
	await hub.createRepo({ hubUrl, accessToken: alice, repo: { type, name }, ...(priv ? { visibility: "private" } : {}) });
	await hub.uploadFiles({
		hubUrl,
		accessToken: alice,
		repo: { type, name },
		files: [{ path: "config.json", content: new Blob([CONFIG]) }],
		useXet: false,
	});
}

const resolve = (id, path = "config.json", type = "model") =>
	`${type === "dataset" ? "/datasets/" : "/"}${id}/resolve/main/${path}`;

async function download(id, times, { token, type, path, method = "GET", headers } = {}) {
	for (let i = 0; i < times; i++) {
		const r = await http(hubUrl, resolve(id, path, type), { method, token, headers });
		assert.ok(r.status === 200 || r.status === 206 || r.status === 304, `${method} ${id}/${path}: ${r.status}`);
	}
}

async function info(id, { token, type = "model", query = "" } = {}) {
	const r = await http(hubUrl, `/api/${type}s/${id}${query}`, { token });
	assert.equal(r.status, 200, `info ${id}: ${r.status}`);
	return r.json;
}

async function listing(query, token) {
	const r = await http(hubUrl, `/api/models?search=${prefix}&${query}`, { token });
	assert.equal(r.status, 200, `listing ${query}: ${r.status} ${r.body}`);
	return r.json;
}

// A listing sorted by downloads writes the counts not yet written only if no listing wrote any in
// the last second (the background flush writes them every 2 s).
const aSecondPasses = () => new Promise((resolve) => setTimeout(resolve, 1100));

before(async () => {
	srv = await startServer();
	hubUrl = srv.baseUrl;
	({ alice } = srv.tokens);
	for (const id of [A, B, C]) await make(id);
	await make(P, { priv: true });
	await make(D, { type: "dataset" });
});

after(async () => {
	await srv?.stop();
});

test("new repositories have no downloads", async () => {
	const a = await info(A);
	assert.equal(a.downloads, 0);
	assert.equal(a.downloadsAllTime, 0);
	for (const m of await listing("sort=downloads")) assert.equal(m.downloads, 0, m.id);
});

test("each full GET of a file counts one download; HEAD and the rest do not", async () => {
	await download(A, 3);
	// The real client's download: a GET of resolve.
	for (let i = 0; i < 4; i++) {
		const blob = await hub.downloadFile({ hubUrl, repo: B, path: "config.json" });
		assert.equal((await blobToBuffer(blob)).toString("utf8"), CONFIG);
	}
	await download(B, 1);
	// Not downloads: HEAD, .gitattributes, a range from byte 4, raw, a revalidated cache.
	await download(C, 10, { method: "HEAD" });
	await download(C, 2, { path: ".gitattributes" });
	await download(C, 2, { headers: { Range: "bytes=4-" } });
	await download(C, 2, { headers: { Range: "bytes=0-0" } }); // the size probe of @huggingface/hub
	const raw = await http(hubUrl, `/${C}/raw/main/config.json`);
	assert.equal(raw.status, 200);
	const etag = (await http(hubUrl, resolve(C), { method: "HEAD" })).headers.get("etag");
	assert.ok(etag, "resolve must answer an ETag");
	const cached = await http(hubUrl, resolve(C), { headers: { "If-None-Match": etag } });
	assert.equal(cached.status, 304);
	assert.equal((await info(C)).downloads, 0, "HEAD, .gitattributes, later ranges, the probe, raw and 304 must not count");
	// A range from byte 0 is the start of a (chunked or resumed) download: it counts once.
	await download(C, 1, { headers: { Range: "bytes=0-3" } });

	assert.equal((await info(A)).downloads, 3);
	assert.equal((await info(B)).downloads, 5);
	assert.equal((await info(C)).downloads, 1);
	// expand asks for the all-time count as huggingface_hub does (ModelInfo.downloads_all_time).
	const expanded = await info(A, { query: "?expand=downloadsAllTime&expand=downloads" });
	assert.deepEqual(expanded, { _id: expanded._id, id: A, downloadsAllTime: 3, downloads: 3 });
});

test("sort=downloads orders listings by the count, both directions", async () => {
	const down = await listing("sort=downloads&direction=-1");
	assert.deepEqual(down.map((m) => [m.id, m.downloads]), [[B, 5], [A, 3], [C, 1]]);
	const up = await listing("sort=downloads&direction=1");
	assert.deepEqual(up.map((m) => m.id), [C, A, B]);
	// More downloads of C move it to the top once a second has passed since the last listing
	// that wrote counts.
	await download(C, 6);
	await aSecondPasses();
	const again = await listing("sort=downloads&direction=-1&limit=2");
	assert.deepEqual(again.map((m) => [m.id, m.downloads]), [[C, 7], [B, 5]]);
});

test("datasets count downloads too", async () => {
	await download(D, 2, { type: "dataset" });
	await aSecondPasses(); // since the listing above wrote C's downloads
	assert.equal((await info(D, { type: "dataset" })).downloads, 2);
	const r = await http(hubUrl, `/api/datasets?search=${prefix}&sort=downloads`);
	assert.deepEqual(r.json.map((d) => [d.id, d.downloads]), [[D, 2]]);
});

test("a private repository's downloads count without showing it to others", async () => {
	await download(P, 20, { token: alice });
	const anonymous = await listing("sort=downloads&direction=-1");
	assert.ok(!anonymous.some((m) => m.id === P), "the private repository must not be listed to anonymous callers");
	assert.equal((await http(hubUrl, `/api/models/${P}`)).status, 401);
	assert.equal((await http(hubUrl, resolve(P))).status, 401);
	const own = await listing("sort=downloads&direction=-1", alice);
	assert.deepEqual(own[0] && [own[0].id, own[0].downloads], [P, 20]);
});
