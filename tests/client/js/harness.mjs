// Test harness: a throw-away data folder, three tokens made with the real CLI, and a real
// `vitrine serve` on a free port. Each test file calls startServer() once in before() and
// stop() in after().
//
// Environment:
//   VITRINE_BIN   path of the vitrine binary (absolute, or relative to the repository root);
//                 default build/vitrine
//   VITRINE_KEEP  if set, the data folder is kept after the run (its path is printed)

import { spawn, execFileSync } from "node:child_process";
import { request as httpRequest } from "node:http";
import { mkdtempSync, rmSync, existsSync, openAsBlob } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import * as hub from "@huggingface/hub";

export const JS_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(JS_DIR, "..", "..", "..");

// Multipart parameters the server is started with (the server decides multipart from these).
export const MULTIPART_THRESHOLD = 5 * 1024 * 1024;
export const MULTIPART_CHUNK = 1024 * 1024;

export function vitrineBin() {
	const bin = process.env.VITRINE_BIN || "build/vitrine";
	const abs = path.isAbsolute(bin) ? bin : path.resolve(REPO_ROOT, bin);
	if (!existsSync(abs)) {
		throw new Error(`vitrine binary not found at ${abs} (set VITRINE_BIN or build it first)`);
	}
	return abs;
}

function cli(bin, args) {
	return execFileSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
}

function makeToken(bin, dataDir, user, role) {
	const out = cli(bin, ["token", "create", "--user", user, "--role", role, "--data", dataDir]).trim();
	if (!/^hf_[A-Za-z0-9]+$/.test(out)) {
		throw new Error(`'vitrine token create' printed ${JSON.stringify(out)}, expected a lone hf_… token`);
	}
	return out;
}

function launch(bin, args) {
	return new Promise((resolve, reject) => {
		const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
		let stdout = "";
		let stderr = "";
		let settled = false;
		const timer = setTimeout(() => {
			if (!settled) {
				settled = true;
				child.kill("SIGKILL");
				reject(new Error(`server did not print 'listening on' within 20 s\nstdout: ${stdout}\nstderr: ${stderr}`));
			}
		}, 20_000);
		child.stdout.setEncoding("utf8");
		child.stderr.setEncoding("utf8");
		child.stdout.on("data", (d) => {
			stdout += d;
			const m = /listening on (http:\/\/[^\s]+)/.exec(stdout);
			if (m && !settled) {
				settled = true;
				clearTimeout(timer);
				resolve({ child, baseUrl: m[1].replace(/\/+$/, ""), logs: () => ({ stdout, stderr }) });
			}
		});
		child.stderr.on("data", (d) => {
			stderr += d;
			if (process.env.VITRINE_SERVER_LOG) process.stderr.write(d);
		});
		child.on("exit", (code, sig) => {
			if (!settled) {
				settled = true;
				clearTimeout(timer);
				const e = new Error(`server exited (code ${code}, signal ${sig}) before listening\nstdout: ${stdout}\nstderr: ${stderr}`);
				e.stderr = stderr;
				reject(e);
			}
		});
	});
}

/**
 * Start a fresh server with users alice (write + read tokens) and bob (write token).
 * Returns { baseUrl, dataDir, tokens: { alice, aliceRead, bob }, multipart, stop(), pid } (pid: the server process).
 * `multipart` is false when the server refused the --multipart-* flags (it was then restarted
 * without them, so the other tests still run; the multipart test reports the refusal).
 */
export async function startServer({ args = [] } = {}) {
	const bin = vitrineBin();
	const dataDir = mkdtempSync(path.join(tmpdir(), "vitrine-js-"));
	cli(bin, ["user", "create", "alice", "--data", dataDir]);
	cli(bin, ["user", "create", "bob", "--data", dataDir]);
	const tokens = {
		alice: makeToken(bin, dataDir, "alice", "write"),
		aliceRead: makeToken(bin, dataDir, "alice", "read"),
		bob: makeToken(bin, dataDir, "bob", "write"),
	};
	const base = ["serve", "--data", dataDir, "--listen", "127.0.0.1:0", ...args];
	const mp = ["--multipart-threshold", String(MULTIPART_THRESHOLD), "--multipart-chunk-size", String(MULTIPART_CHUNK)];
	let server;
	let multipart = true;
	let multipartRefusal = "";
	try {
		server = await launch(bin, [...base, ...mp]);
	} catch (e) {
		if (!/multipart/i.test(e.stderr ?? "")) throw e;
		multipart = false;
		multipartRefusal = e.stderr;
		server = await launch(bin, base);
	}
	const { child, baseUrl } = server;
	let stopped = false;
	async function stop() {
		if (stopped) return;
		stopped = true;
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise((r) => child.once("exit", r));
			child.kill("SIGTERM");
			const t = setTimeout(() => child.kill("SIGKILL"), 5000);
			await exited;
			clearTimeout(t);
		}
		if (process.env.VITRINE_KEEP) {
			console.error(`# data kept in ${dataDir}`);
		} else {
			rmSync(dataDir, { recursive: true, force: true });
		}
	}
	return { baseUrl, dataDir, tokens, multipart, multipartRefusal, stop, logs: server.logs, pid: child.pid };
}

// ---- small helpers shared by the test files ----

let counter = 0;
/** A unique repo name, e.g. "js-lfs-lq3k2-1". */
export function uniqueName(prefix) {
	counter += 1;
	return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export function randomBuffer(n) {
	return randomBytes(n);
}

/** n incompressible bytes that are the same on every run for the same seed (AES-256-CTR of zeros). */
export function seededBuffer(seed, n) {
	const key = createHash("sha256").update(`vitrine-test-seed:${seed}`).digest();
	return createCipheriv("aes-256-ctr", key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

export function sha256Hex(buf) {
	return createHash("sha256").update(buf).digest("hex");
}

/** git blob sha1 of a buffer: sha1("blob <len>\0" + content). */
export function gitBlobSha1(buf) {
	return createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");
}

export function lfsPointer(buf) {
	return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256Hex(buf)}\nsize ${buf.length}\n`;
}

export async function blobToBuffer(blob) {
	return Buffer.from(await blob.arrayBuffer());
}

/**
 * Creates the dataset `name` ("owner/repo") with the real client and uploads local files to it
 * in one commit: `files` is [[path in the repository, local file], …]. Returns `name`.
 */
export async function uploadDataset(hubUrl, accessToken, name, files) {
	const repo = { type: "dataset", name };
	await hub.createRepo({ hubUrl, accessToken, repo });
	await hub.uploadFiles({
		hubUrl,
		accessToken,
		repo,
		// File-backed blobs: read as the client sends them, whatever their size.
		files: await Promise.all(files.map(async ([p, local]) => ({ path: p, content: await openAsBlob(local) }))),
	});
	return name;
}

/** Collect an async iterator into an array. */
export async function collect(iter) {
	const out = [];
	for await (const x of iter) out.push(x);
	return out;
}

/**
 * A fetch wrapper that records every request (method, url, status, request headers) and
 * keeps a clone of LFS batch response bodies, so tests can check what went over the wire.
 */
export function recordingFetch() {
	const log = [];
	const fn = async (input, init = {}) => {
		const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
		const method = (init.method ?? "GET").toUpperCase();
		const headers = new Headers(init.headers ?? {});
		const res = await fetch(input, init);
		const entry = { method, url, status: res.status, reqHeaders: headers, resHeaders: res.headers };
		if (url.includes("/info/lfs/objects/batch")) {
			entry.json = await res.clone().json().catch(() => null);
		}
		log.push(entry);
		return res;
	};
	return { fetch: fn, log };
}

/** Plain HTTP helper for checks the library does not expose. */
/**
 * A request sent from the loopback address `from` (any of 127.0.0.0/8, e.g. "127.0.0.7"), so
 * that the server sees a different client; { status, headers, body }. No redirects followed.
 */
export function httpFrom(from, baseUrl, urlPath, { method = "GET", token, headers = {} } = {}) {
	const h = { ...headers };
	if (token) h.Authorization = `Bearer ${token}`;
	return new Promise((resolve, reject) => {
		const req = httpRequest(baseUrl + urlPath, { method, headers: h, localAddress: from }, (res) => {
			const chunks = [];
			res.on("data", (c) => chunks.push(c));
			res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
			res.on("error", reject);
		});
		req.on("error", reject);
		req.end();
	});
}

export async function http(baseUrl, urlPath, { method = "GET", token, headers = {}, body } = {}) {
	const h = { ...headers };
	if (token) h.Authorization = `Bearer ${token}`;
	const res = await fetch(baseUrl + urlPath, { method, headers: h, body, redirect: "manual" });
	const buf = Buffer.from(await res.arrayBuffer());
	let json;
	try {
		json = JSON.parse(buf.toString("utf8"));
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, body: buf, json };
}
