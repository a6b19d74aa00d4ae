// Download counts (docs/api.md, "Download counts"): a series of requests (GET or HEAD of
// /{repo}/resolve/{rev}/{path}, answered 200, 206 or 304) by one requester — a signed-in user,
// or an anonymous client's IP — for one repository, with gaps under 5 minutes, is one download.
// So the real client's size probe and GET, huggingface_hub's HEAD and GET, and repeated
// downloads count once per requester; other users and other addresses (requests sent from
// 127.0.0.N) count on their own; errors, `raw`, `.gitattributes` and images shown in pages
// (Sec-Fetch-Dest: image) do not count.
// `--download-series-seconds` sets the gap (a server with 1 s: a request after it counts again).
// Model info and listings show the counts, `sort=downloads` orders by them (by every download
// answered more than a second before), and a private repository stays out of other callers'
// listings.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as hub from "@huggingface/hub";
import { startServer, uniqueName, http, httpFrom, blobToBuffer } from "./harness.mjs";

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

// `times` requests for a file, from 127.0.0.1 (or the loopback address `from`).
async function download(id, times, { token, type, path, method = "GET", headers, from = "127.0.0.1", status } = {}) {
	for (let i = 0; i < times; i++) {
		const r = await httpFrom(from, hubUrl, resolve(id, path, type), { method, token, headers });
		if (status) assert.equal(r.status, status, `${method} ${id}/${path} from ${from}`);
		else assert.ok(r.status === 200 || r.status === 206 || r.status === 304, `${method} ${id}/${path} from ${from}: ${r.status}`);
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

test("a series of requests by one requester is one download; each user and each address counts", async () => {
	// One anonymous client fetching A's file again and again, with HEADs, ranges and the probe.
	await download(A, 3);
	await download(A, 2, { method: "HEAD" });
	await download(A, 2, { headers: { Range: "bytes=0-0" } });
	await download(A, 1, { headers: { Range: "bytes=4-" } });
	assert.equal((await info(A)).downloads, 1, "one client's series of requests is one download");

	// The real client, four times from 127.0.0.1: still the one series of that address.
	for (let i = 0; i < 4; i++) {
		const blob = await hub.downloadFile({ hubUrl, repo: B, path: "config.json" });
		assert.equal((await blobToBuffer(blob)).toString("utf8"), CONFIG);
	}
	assert.equal((await info(B)).downloads, 1);
	// Three other addresses, and two signed-in users (whatever address they come from).
	for (const from of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) await download(B, 2, { from });
	await download(B, 2, { token: alice });
	await download(B, 1, { token: srv.tokens.bob, from: "127.0.0.2" });
	await download(B, 1, { token: srv.tokens.aliceRead, from: "127.0.0.5" }); // alice again
	assert.equal((await info(B)).downloads, 6);

	// huggingface_hub with hf_xet asks only with HEAD; a cache revalidated with a 304 counts too.
	await download(C, 3, { method: "HEAD", from: "127.0.0.2" });
	const etag = (await httpFrom("127.0.0.2", hubUrl, resolve(C), { method: "HEAD" })).headers.etag;
	assert.ok(etag, "resolve must answer an ETag");
	await download(C, 1, { headers: { "If-None-Match": etag }, from: "127.0.0.3", status: 304 });
	// Not downloads: errors, .gitattributes, raw.
	await download(C, 2, { path: "missing.bin", from: "127.0.0.4", status: 404 });
	await download(C, 1, { headers: { Range: "bytes=999-" }, from: "127.0.0.4", status: 416 });
	await download(C, 2, { path: ".gitattributes", from: "127.0.0.5" });
	assert.equal((await httpFrom("127.0.0.6", hubUrl, `/${C}/raw/main/config.json`)).status, 200);
	// An image a browser shows in a page (a card's <img>) is not a download.
	await download(C, 1, { headers: { "Sec-Fetch-Dest": "image" }, from: "127.0.0.7" });
	assert.equal((await info(C)).downloads, 2, "HEAD and 304 count; errors, .gitattributes, raw and page images do not");

	// expand asks for the all-time count as huggingface_hub does (ModelInfo.downloads_all_time).
	const expanded = await info(B, { query: "?expand=downloadsAllTime&expand=downloads" });
	assert.deepEqual(expanded, { _id: expanded._id, id: B, downloadsAllTime: 6, downloads: 6 });
});

test("sort=downloads orders listings by the count, both directions", async () => {
	const down = await listing("sort=downloads&direction=-1");
	assert.deepEqual(down.map((m) => [m.id, m.downloads]), [[B, 6], [C, 2], [A, 1]]);
	const up = await listing("sort=downloads&direction=1");
	assert.deepEqual(up.map((m) => m.id), [A, C, B]);
	// Downloads of A from six more addresses move it to the top once a second has passed since
	// the last listing that wrote counts.
	for (let n = 20; n < 26; n++) await download(A, 2, { from: `127.0.0.${n}` });
	await aSecondPasses();
	const again = await listing("sort=downloads&direction=-1&limit=2");
	assert.deepEqual(again.map((m) => [m.id, m.downloads]), [[A, 7], [B, 6]]);
});

test("datasets count downloads too", async () => {
	await download(D, 3, { type: "dataset" });
	await download(D, 1, { type: "dataset", from: "127.0.0.9" });
	await aSecondPasses(); // since the listing above wrote A's downloads
	assert.equal((await info(D, { type: "dataset" })).downloads, 2);
	const r = await http(hubUrl, `/api/datasets?search=${prefix}&sort=downloads`);
	assert.deepEqual(r.json.map((d) => [d.id, d.downloads]), [[D, 2]]);
});

test("a private repository's downloads count without showing it to others", async () => {
	await download(P, 5, { token: alice });
	await download(P, 1, { token: alice, from: "127.0.0.30" });
	const anonymous = await listing("sort=downloads&direction=-1");
	assert.ok(!anonymous.some((m) => m.id === P), "the private repository must not be listed to anonymous callers");
	assert.equal((await http(hubUrl, `/api/models/${P}`)).status, 401);
	assert.equal((await http(hubUrl, resolve(P))).status, 401);
	await aSecondPasses();
	const own = await listing("sort=downloads&direction=-1", alice);
	assert.deepEqual(own.find((m) => m.id === P)?.downloads, 1, "alice's requests are one download");
});

test("--download-series-seconds sets the gap after which a requester's next request counts again", async () => {
	const makeOn = async (server, name) => {
		await hub.createRepo({ hubUrl: server.baseUrl, accessToken: server.tokens.alice, repo: { type: "model", name } });
		await hub.uploadFiles({
			hubUrl: server.baseUrl,
			accessToken: server.tokens.alice,
			repo: { type: "model", name },
			files: [{ path: "config.json", content: new Blob([CONFIG]) }],
			useXet: false,
		});
	};
	const quick = await startServer({ args: ["--download-series-seconds", "1"] });
	try {
		const id = `alice/${uniqueName("dl-gap")}`;
		await makeOn(quick, id);
		const get = async () => assert.equal((await httpFrom("127.0.0.1", quick.baseUrl, resolve(id))).status, 200);
		const count = async () => (await http(quick.baseUrl, `/api/models/${id}`)).json.downloads;
		await get();
		await get();
		assert.equal(await count(), 1);
		await new Promise((r) => setTimeout(r, 1200));
		await get();
		assert.equal(await count(), 2, "a request after the gap starts a new download");
		// 0 counts every request.
		const every = await startServer({ args: ["--download-series-seconds", "0"] });
		try {
			const other = `alice/${uniqueName("dl-every")}`;
			await makeOn(every, other);
			for (let i = 0; i < 3; i++) assert.equal((await http(every.baseUrl, resolve(other), { method: "HEAD" })).status, 200);
			assert.equal((await http(every.baseUrl, `/api/models/${other}`)).json.downloads, 3);
		} finally {
			await every.stop();
		}
	} finally {
		await quick.stop();
	}
});
