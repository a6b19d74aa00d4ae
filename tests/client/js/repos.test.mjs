// Repository lifecycle, metadata, listing, identity and access control through the real
// @huggingface/hub client (plus a few raw requests where the library has no function).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as hub from "@huggingface/hub";
import { startServer, uniqueName, blobToBuffer, http, collect } from "./harness.mjs";
import { rejectsWith, HEX40 } from "./assert-helpers.mjs";

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

const enc = (s) => new TextEncoder().encode(s);

test("whoAmI with a write token", async () => {
	const me = await hub.whoAmI({ hubUrl, accessToken: alice });
	assert.equal(me.type, "user");
	assert.equal(me.name, "alice");
	assert.equal(typeof me.id, "string");
	assert.ok(me.id.length > 0);
	assert.ok(Array.isArray(me.orgs), "orgs must be an array");
	assert.equal(me.auth.type, "access_token");
	assert.equal(me.auth.accessToken.role, "write");
	assert.ok(me.auth.accessToken.createdAt instanceof Date);
	assert.ok(!isNaN(me.auth.accessToken.createdAt.getTime()), "createdAt must be an ISO date");
});

test("whoAmI with a read token reports role read", async () => {
	const me = await hub.whoAmI({ hubUrl, accessToken: aliceRead });
	assert.equal(me.name, "alice");
	assert.equal(me.auth.accessToken.role, "read");
});

test("whoAmI with an unknown token gives 401 'Invalid credentials in Authorization header'", async () => {
	const bad = "hf_" + "x".repeat(34);
	await rejectsWith(hub.whoAmI({ hubUrl, accessToken: bad }), 401);
	const r = await http(hubUrl, "/api/whoami-v2", { token: bad });
	assert.equal(r.status, 401);
	assert.equal(r.headers.get("x-error-message"), "Invalid credentials in Authorization header");
});

test("createRepo (model, license) makes an initial commit with .gitattributes and README.md", async () => {
	const name = `alice/${uniqueName("js-lic")}`;
	const res = await hub.createRepo({ hubUrl, accessToken: alice, repo: name, license: "mit" });
	assert.equal(res.repoUrl, `${hubUrl}/${name}`);
	assert.equal(typeof res.id, "string");
	assert.ok(res.id.length > 0, "create must return an id");

	const readme = await hub.downloadFile({ hubUrl, accessToken: alice, repo: name, path: "README.md" });
	assert.ok(readme, "README.md must exist after create with license");
	const text = await readme.text();
	assert.match(text, /^---\n[\s\S]*license: mit[\s\S]*\n---/);

	const ga = await hub.downloadFile({ hubUrl, accessToken: alice, repo: name, path: ".gitattributes" });
	assert.ok(ga, ".gitattributes must exist after create");
	const gaText = await ga.text();
	for (const pat of ["*.bin", "*.safetensors", "*.pt", "*.lfs.*", "*.parquet"]) {
		assert.ok(
			gaText.split("\n").some((l) => l.startsWith(pat + " ") && l.includes("filter=lfs")),
			`default .gitattributes lacks an LFS rule for ${pat}`,
		);
	}
	const n = await hub.countCommits({ hubUrl, accessToken: alice, repo: name });
	assert.equal(n, 1, "a fresh repo must have exactly the initial commit (X-Total-Count)");
});

test("createRepo with files: supplied files (incl. own .gitattributes) are committed verbatim", async () => {
	const name = `alice/${uniqueName("js-files")}`;
	const ga = "*.custom filter=lfs diff=lfs merge=lfs -text\n";
	const hello = "hello from createRepo\n";
	await hub.createRepo({
		hubUrl,
		accessToken: alice,
		repo: name,
		files: [
			{ path: ".gitattributes", content: enc(ga).buffer },
			{ path: "hello.txt", content: new Blob([hello]) },
		],
	});
	const gaDl = await hub.downloadFile({ hubUrl, accessToken: alice, repo: name, path: ".gitattributes" });
	assert.equal(await gaDl.text(), ga, "supplied .gitattributes must replace the default one exactly");
	const hDl = await hub.downloadFile({ hubUrl, accessToken: alice, repo: name, path: "hello.txt" });
	assert.equal(await hDl.text(), hello);
});

test("createRepo dataset with files, datasetInfo, download through datasets/ prefix", async () => {
	const name = `alice/${uniqueName("js-ds")}`;
	const csv = "a,b\n1,2\n3,4\n";
	const res = await hub.createRepo({
		hubUrl,
		accessToken: alice,
		repo: { type: "dataset", name },
		files: [{ path: "data/train.csv", content: new Blob([csv]) }],
	});
	assert.equal(res.repoUrl, `${hubUrl}/datasets/${name}`);

	const info = await hub.datasetInfo({ hubUrl, accessToken: alice, name, additionalFields: ["sha", "author"] });
	assert.equal(info.name, name);
	assert.equal(info.private, false);
	assert.equal(info.gated, false);
	assert.match(info.sha, HEX40);
	assert.equal(info.author, "alice");

	const blob = await hub.downloadFile({ hubUrl, accessToken: alice, repo: { type: "dataset", name }, path: "data/train.csv" });
	assert.equal(await blob.text(), csv);

	// The same name as a model does not exist.
	await rejectsWith(hub.modelInfo({ hubUrl, accessToken: alice, name }), 404);

	const listed = await collect(hub.listDatasets({ hubUrl, accessToken: alice, search: { query: name.split("/")[1] } }));
	assert.deepEqual(
		listed.map((d) => d.name),
		[name],
	);
});

test("createRepo twice gives 409 with url in the JSON body", async () => {
	const name = `alice/${uniqueName("js-dup")}`;
	await hub.createRepo({ hubUrl, accessToken: alice, repo: name });
	const err = await rejectsWith(hub.createRepo({ hubUrl, accessToken: alice, repo: name }), 409);
	assert.equal(err.data?.url, `${hubUrl}/${name}`, "409 body must carry the repo url");
});

test("createRepo in another user's namespace is refused", async () => {
	const name = `alice/${uniqueName("js-foreign")}`;
	await rejectsWith(hub.createRepo({ hubUrl, accessToken: bob, repo: name }), 403);
});

test("modelInfo: fields, revision HEAD/main/sha agree", async () => {
	const name = `alice/${uniqueName("js-info")}`;
	await hub.createRepo({ hubUrl, accessToken: alice, repo: name });
	const info = await hub.modelInfo({
		hubUrl,
		accessToken: alice,
		name,
		additionalFields: ["sha", "author", "createdAt", "siblings", "tags"],
	});
	assert.equal(info.name, name);
	assert.equal(typeof info.id, "string");
	assert.ok(info.id.length > 0, "_id must be set");
	assert.equal(info.private, false);
	assert.equal(info.gated, false);
	assert.equal(typeof info.downloads, "number");
	assert.equal(typeof info.likes, "number");
	assert.ok(!isNaN(info.updatedAt.getTime()), "lastModified must be an ISO date");
	assert.match(info.sha, HEX40);
	assert.equal(info.author, "alice");
	assert.ok(Array.isArray(info.tags), "tags must be an array");
	assert.deepEqual(
		info.siblings.map((s) => s.rfilename),
		[".gitattributes"],
	);

	const byMain = await hub.modelInfo({ hubUrl, accessToken: alice, name, revision: "main", additionalFields: ["sha"] });
	assert.equal(byMain.sha, info.sha);
	const bySha = await hub.modelInfo({ hubUrl, accessToken: alice, name, revision: info.sha, additionalFields: ["sha"] });
	assert.equal(bySha.sha, info.sha);
	await rejectsWith(hub.modelInfo({ hubUrl, accessToken: alice, name, revision: "no-such-branch" }), 404);

	// Anonymous read of a public repo works.
	const anon = await hub.modelInfo({ hubUrl, name, additionalFields: ["sha"] });
	assert.equal(anon.sha, info.sha);

	// Raw: unknown expand values are ignored; expand[] bracket form is accepted (repoExists).
	const r = await http(hubUrl, `/api/models/${name}?expand=xetEnabled&expand=doesNotExist`, { token: alice });
	assert.equal(r.status, 200);
	assert.ok(r.json.xetEnabled === undefined || r.json.xetEnabled === false, "xetEnabled must be false or absent");
	assert.equal(await hub.repoExists({ hubUrl, accessToken: alice, repo: name }), true);
	assert.equal(await hub.repoExists({ hubUrl, accessToken: alice, repo: `alice/${uniqueName("nope")}` }), false);
});

test("private repo: checkRepoAccess 401 anonymous, 404 for another user, ok for owner", async () => {
	const name = `alice/${uniqueName("js-priv")}`;
	await hub.createRepo({ hubUrl, accessToken: alice, repo: name, visibility: "private" });
	await hub.checkRepoAccess({ hubUrl, accessToken: alice, repo: name });
	await hub.checkRepoAccess({ hubUrl, accessToken: aliceRead, repo: name });
	await rejectsWith(hub.checkRepoAccess({ hubUrl, repo: name }), 401);
	await rejectsWith(hub.checkRepoAccess({ hubUrl, accessToken: bob, repo: name }), 404);

	const info = await hub.modelInfo({ hubUrl, accessToken: alice, name });
	assert.equal(info.private, true);
	await rejectsWith(hub.modelInfo({ hubUrl, accessToken: bob, name }), 404);
	await rejectsWith(hub.modelInfo({ hubUrl, name }), 401);

	// Files are equally hidden (downloadFile must throw, not return null: RepoNotFound != EntryNotFound).
	await rejectsWith(hub.downloadFile({ hubUrl, accessToken: bob, repo: name, path: ".gitattributes" }), 404);
	await rejectsWith(hub.downloadFile({ hubUrl, repo: name, path: ".gitattributes" }), 401);
	const ok = await hub.downloadFile({ hubUrl, accessToken: alice, repo: name, path: ".gitattributes" });
	assert.ok(ok);
	assert.equal(await hub.repoExists({ hubUrl, accessToken: bob, repo: name }), false);

	// Bob cannot write to it either (as if it did not exist).
	await rejectsWith(
		hub.uploadFiles({ hubUrl, accessToken: bob, repo: name, files: [{ path: "x.txt", content: new Blob(["x"]) }], useXet: false }),
		404,
	);
});

test("missing repo: checkRepoAccess 401 anonymous, 404 authenticated", async () => {
	const name = `i--d/${uniqueName("dont")}`;
	await rejectsWith(hub.checkRepoAccess({ hubUrl, repo: { name, type: "model" } }), 401);
	await rejectsWith(hub.checkRepoAccess({ hubUrl, accessToken: alice, repo: { name, type: "model" } }), 404);
	const r = await http(hubUrl, `/api/models/${name}`, { token: alice });
	assert.equal(r.headers.get("x-error-code"), "RepoNotFound");
	assert.deepEqual(r.json, { error: "Repository not found" });
});

test("listModels: search, owner, private visibility, limit", async () => {
	const tag = uniqueName("js-list");
	const pub1 = `alice/${tag}-a`;
	const pub2 = `bob/${tag}-b`;
	const priv = `alice/${tag}-p`;
	await hub.createRepo({ hubUrl, accessToken: alice, repo: pub1 });
	await hub.createRepo({ hubUrl, accessToken: bob, repo: pub2 });
	await hub.createRepo({ hubUrl, accessToken: alice, repo: priv, visibility: "private" });

	const names = async (params) => (await collect(hub.listModels({ hubUrl, ...params }))).map((m) => m.name).sort();

	assert.deepEqual(await names({ accessToken: alice, search: { query: tag } }), [pub1, priv, pub2].sort());
	assert.deepEqual(await names({ accessToken: bob, search: { query: tag } }), [pub1, pub2].sort());
	assert.deepEqual(await names({ search: { query: tag } }), [pub1, pub2].sort());
	assert.deepEqual(await names({ accessToken: alice, search: { query: tag, owner: "bob" } }), [pub2]);
	assert.deepEqual(await names({ accessToken: alice, search: { query: tag, owner: "alice" } }), [pub1, priv].sort());
	const one = await collect(hub.listModels({ hubUrl, accessToken: alice, search: { query: tag }, limit: 1 }));
	assert.equal(one.length, 1);
	const entry = (await collect(hub.listModels({ hubUrl, accessToken: alice, search: { query: `${tag}-p` } })))[0];
	assert.equal(entry.private, true);
	assert.equal(typeof entry.id, "string");
	assert.ok(!isNaN(entry.updatedAt.getTime()));

	// Datasets are not listed as models.
	assert.deepEqual(await names({ accessToken: alice, search: { query: "js-ds" } }), []);
});

test("/api/models paging: limit + absolute Link rel=next; sort=createdAt direction=-1", async () => {
	const tag = uniqueName("js-page");
	const created = [];
	for (let i = 0; i < 3; i++) {
		const n = `alice/${tag}-${i}`;
		await hub.createRepo({ hubUrl, accessToken: alice, repo: n });
		created.push(n);
	}
	let url = `/api/models?search=${encodeURIComponent(tag)}&limit=1`;
	const seen = [];
	for (let page = 0; page < 10 && url; page++) {
		const r = await http(hubUrl, url, { token: alice });
		assert.equal(r.status, 200);
		assert.ok(Array.isArray(r.json));
		assert.ok(r.json.length <= 1, `limit=1 returned ${r.json.length} items`);
		seen.push(...r.json.map((m) => m.id));
		const link = r.headers.get("link");
		if (link) {
			const m = /^<(https?:\/\/[^>]+)>;\s+rel="next"$/.exec(link);
			assert.ok(m, `bad Link header: ${link}`);
			assert.ok(m[1].startsWith(hubUrl + "/"), `Link must use the public base URL: ${m[1]}`);
			url = m[1].slice(hubUrl.length);
		} else {
			url = undefined;
		}
	}
	assert.deepEqual(seen.sort(), [...created].sort(), "paging must visit every repo exactly once");

	const r = await http(hubUrl, `/api/models?author=alice&search=${encodeURIComponent(tag)}&sort=createdAt&direction=-1&expand=createdAt`, {
		token: alice,
	});
	assert.equal(r.status, 200);
	const dates = r.json.map((m) => Date.parse(m.createdAt));
	assert.ok(dates.every((d) => !isNaN(d)), "createdAt must be present with expand=createdAt");
	for (let i = 1; i < dates.length; i++) assert.ok(dates[i - 1] >= dates[i], "sort=createdAt&direction=-1 must be newest first");
});

test("settings: private flag flips visibility", async () => {
	const name = `alice/${uniqueName("js-set")}`;
	await hub.createRepo({ hubUrl, accessToken: alice, repo: name });
	await hub.checkRepoAccess({ hubUrl, repo: name });
	const r = await http(hubUrl, `/api/models/${name}/settings`, {
		method: "PUT",
		token: alice,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ private: true }),
	});
	assert.equal(r.status, 200, `settings: ${r.status} ${r.body}`);
	assert.ok(r.json !== undefined, "settings must reply with a JSON body");
	assert.equal((await hub.modelInfo({ hubUrl, accessToken: alice, name })).private, true);
	await rejectsWith(hub.checkRepoAccess({ hubUrl, repo: name }), 401);
	const r2 = await http(hubUrl, `/api/models/${name}/settings`, {
		method: "PUT",
		token: alice,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ visibility: "public" }),
	});
	assert.equal(r2.status, 200);
	await hub.checkRepoAccess({ hubUrl, repo: name });
	// Bob may not change alice's settings.
	const r3 = await http(hubUrl, `/api/models/${name}/settings`, {
		method: "PUT",
		token: bob,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ private: true }),
	});
	assert.ok(r3.status === 403 || r3.status === 404, `bob changing settings: ${r3.status}`);
	assert.equal((await hub.modelInfo({ hubUrl, name })).private, false);
});

test("move: new id serves the repo, old id redirects relatively", async () => {
	const from = `alice/${uniqueName("js-mv-a")}`;
	const to = `alice/${uniqueName("js-mv-b")}`;
	await hub.createRepo({ hubUrl, accessToken: alice, repo: from, files: [{ path: "f.txt", content: new Blob(["moved\n"]) }] });
	const r = await http(hubUrl, "/api/repos/move", {
		method: "POST",
		token: alice,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ fromRepo: from, toRepo: to, type: "model" }),
	});
	assert.equal(r.status, 200, `move: ${r.status} ${r.body}`);
	const blob = await hub.downloadFile({ hubUrl, accessToken: alice, repo: to, path: "f.txt" });
	assert.equal(await blob.text(), "moved\n");
	const old = await http(hubUrl, `/${from}/resolve/main/f.txt`, { method: "HEAD", token: alice });
	assert.ok([301, 302, 307, 308].includes(old.status), `old id: expected a redirect, got ${old.status}`);
	assert.ok(old.headers.get("location").startsWith(`/${to}/resolve/main/f.txt`), `Location: ${old.headers.get("location")}`);
});

test("validate-yaml: JSON on success and on invalid metadata", async () => {
	const ok = await http(hubUrl, "/api/validate-yaml", {
		method: "POST",
		token: alice,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ content: "---\nlicense: mit\n---\n# Hi\n", repoType: "model" }),
	});
	assert.equal(ok.status, 200);
	assert.ok(ok.json && typeof ok.json === "object");
	const bad = await http(hubUrl, "/api/validate-yaml", {
		method: "POST",
		token: alice,
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ content: "---\n- a\n- b\n---\n", repoType: "model" }),
	});
	assert.equal(bad.status, 400);
	assert.ok(Array.isArray(bad.json?.errors), `400 body must be JSON with errors[]: ${bad.body}`);
});

test("deleteRepo: repo is gone afterwards; deleting again gives 404", async () => {
	const name = `alice/${uniqueName("js-del")}`;
	await hub.createRepo({ hubUrl, accessToken: alice, repo: name });
	await rejectsWith(hub.deleteRepo({ hubUrl, accessToken: bob, repo: name }), 403);
	await rejectsWith(hub.deleteRepo({ hubUrl, accessToken: aliceRead, repo: name }), 403);
	await hub.deleteRepo({ hubUrl, accessToken: alice, repo: name });
	await rejectsWith(hub.modelInfo({ hubUrl, accessToken: alice, name }), 404);
	await rejectsWith(hub.deleteRepo({ hubUrl, accessToken: alice, repo: name }), 404);
	// The name can be reused.
	await hub.createRepo({ hubUrl, accessToken: alice, repo: name });
	assert.equal(await hub.countCommits({ hubUrl, accessToken: alice, repo: name }), 1);
});

test("repo ids are case-insensitive", async () => {
	const name = `alice/${uniqueName("js-Case")}`;
	await hub.createRepo({ hubUrl, accessToken: alice, repo: name });
	const res = await hub.uploadFiles({
		hubUrl,
		accessToken: alice,
		repo: name.toLowerCase(),
		files: [{ path: "c.txt", content: new Blob(["case\n"]) }],
		useXet: false,
	});
	assert.match(res.commit.oid, HEX40);
	const blob = await hub.downloadFile({ hubUrl, accessToken: alice, repo: name, path: "c.txt" });
	assert.equal((await blobToBuffer(blob)).toString(), "case\n");
});
