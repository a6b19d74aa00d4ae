// Differential test of Vitrine's Xet chunking and hashing (`vitrine xet-hash`) against
// @huggingface/xetchunk-wasm 0.2.0 (pinned in tests/client/js) and a plain JS transcription of
// the spec's chunking pseudocode (docs/xet/chunking.md).
//
// xetchunk-wasm 0.2.0 still uses the OLD boundary rule (before xet-core PR #487, Sept 2025): it
// starts a fresh gear hash 8127 bytes into a chunk and can cut after 8128 bytes (MIN - 64) when
// one table entry has zero top bits. The current spec never cuts before 8192 bytes. So:
//  (a) hashes are compared on the wasm's own boundaries (chunk, xorb, file, verification);
//  (b) our boundaries are compared with the spec transcription below, exactly;
//  (c) our boundaries equal the wasm's up to its first 8128-byte chunk.
// Run: VITRINE_BIN=build/vitrine node --test tests/client/xet/xet_diff.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const jsDir = resolve(here, "../js");
if (!existsSync(join(jsDir, "node_modules/@huggingface/xetchunk-wasm/package.json"))) {
  throw new Error(`xet_differential: run 'npm ci' in ${jsDir} first (needs @huggingface/xetchunk-wasm)`);
}
const require = createRequire(join(jsDir, "package.json"));
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));
const wasmVersion = require("@huggingface/xetchunk-wasm/package.json").version;
const xet = await import(pathToFileURL(join(pkgDir("@huggingface/xetchunk-wasm"), "dist/esm/index.js")));
// The gear table is a fact of the spec (the rust `gearhash` default table); gearhash-jit ships it.
const { GEAR_TABLE } = await import(pathToFileURL(join(pkgDir("gearhash-jit"), "dist/esm/table.js")));

const root = resolve(here, "../../..");
const bin = process.env.VITRINE_BIN ? resolve(process.env.VITRINE_BIN) : join(root, "build/vitrine");
const work = mkdtempSync(join(tmpdir(), "xet-diff-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

const MIN = 8 * 1024;
const MAX = 128 * 1024;
const OLD_CUT = MIN - 64;

// ---- the spec's pseudocode, byte by byte (64-bit arithmetic on two 32-bit halves) ----------------
const tableHi = new Uint32Array(256);
const tableLo = new Uint32Array(256);
GEAR_TABLE.forEach((v, i) => {
  tableHi[i] = Number(v >> 32n);
  tableLo[i] = Number(v & 0xffffffffn);
});
function specBoundaries(data) {
  const ends = [];
  if (data.length === 0) return ends;
  let hi = 0;
  let lo = 0;
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    const lo2 = ((lo << 1) >>> 0) + tableLo[b];
    hi = (((hi << 1) | (lo >>> 31)) + tableHi[b] + (lo2 > 0xffffffff ? 1 : 0)) >>> 0;
    lo = lo2 >>> 0;
    const size = i + 1 - start;
    if (size < MIN) continue;
    if (size >= MAX || (hi & 0xffff0000) === 0) {
      ends.push(i + 1);
      start = i + 1;
      hi = 0;
      lo = 0;
    }
  }
  if (start < data.length) ends.push(data.length);
  return ends;
}

// ---- inputs -------------------------------------------------------------------------------------
let seed = 0x9e3779b9;
function randomBytes(n) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    out[i] = seed & 0xff;
  }
  return out;
}
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
// Byte 17 maps to a table entry whose top 16 bits are zero: at offset 8127 it makes the old
// chunker cut after 8128 bytes.
const oldCutTrigger = (() => {
  const d = randomBytes(400 * 1024);
  d[OLD_CUT - 1] = 17;
  return d;
})();
const text = new TextEncoder().encode("safetensors header {\"dtype\":\"F16\"} ".repeat(20000));
const inputs = {
  empty: new Uint8Array(0),
  one_byte: new Uint8Array([42]),
  under_min: randomBytes(5000),
  exactly_min: randomBytes(MIN),
  min_plus_one: randomBytes(MIN + 1),
  zeros_128k: new Uint8Array(MAX),
  zeros_3x128k: new Uint8Array(3 * MAX),
  zeros_1m: new Uint8Array(1 << 20),
  random_5m: randomBytes(5 << 20),
  mixed_runs: concat(randomBytes(300000), new Uint8Array(500000), text, randomBytes(70000), new Uint8Array(MAX + 5)),
  old_cut_trigger: oldCutTrigger,
};

function ours(file, boundaries, ranges) {
  const request = JSON.stringify({ data_file: file, boundaries, ranges });
  const out = execFileSync(bin, ["xet-hash"], { input: request, maxBuffer: 64 << 20 });
  return JSON.parse(out.toString());
}
const hex = (h) => xet.hashToHex(h);
const ends = (chunks) => {
  let at = 0;
  return chunks.map((c) => (at += c.length));
};

test(`xetchunk-wasm is the pinned version`, () => {
  assert.equal(wasmVersion, "0.2.0", "the notes about the old 8128-byte cut assume 0.2.0");
});

for (const [name, data] of Object.entries(inputs)) {
  test(`${name} (${data.length} bytes)`, () => {
    const file = join(work, `${name}.bin`);
    writeFileSync(file, data);
    const wasmChunks = xet.getChunks(data);
    const wasmEnds = ends(wasmChunks);
    const n = wasmChunks.length;
    const ranges = n === 0 ? [[0, 0]] : [[0, n], [0, 1], [Math.floor(n / 2), n], [n - 1, n]];

    // (a) hashes on the wasm's boundaries.
    const onWasm = ours(file, wasmEnds, ranges);
    assert.deepEqual(onWasm.boundaries, wasmEnds);
    assert.deepEqual(onWasm.chunk_hashes, wasmChunks.map((c) => hex(c.hash)), "chunk hashes");
    assert.equal(onWasm.xorb_hash, hex(xet.xorbHash(wasmChunks)), "xorb hash");
    assert.equal(onWasm.file_hash, hex(xet.fileHash(wasmChunks)), "file hash");
    assert.deepEqual(
      onWasm.verification,
      ranges.map(([a, b]) => hex(xet.verificationHash(wasmChunks.slice(a, b).map((c) => c.hash)))),
      "verification hashes",
    );

    // (b) our chunker against the spec transcription.
    const own = ours(file, null, []);
    assert.deepEqual(own.boundaries, specBoundaries(data), "boundaries differ from the spec rule");

    // (c) against the wasm, up to its first old-rule cut.
    const firstOld = wasmChunks.findIndex((c, i) => c.length === OLD_CUT && i < n - 1);
    const agree = firstOld === -1 ? n : firstOld;
    assert.deepEqual(own.boundaries.slice(0, agree), wasmEnds.slice(0, agree));
    if (firstOld === -1) assert.deepEqual(own.boundaries, wasmEnds);
    else assert.ok(!own.boundaries.includes(wasmEnds[firstOld]), "we must not make the old cut");
  });
}

test("the old 8128-byte cut is what separates wasm 0.2.0 from the current rule", () => {
  const wasmChunks = xet.getChunks(oldCutTrigger);
  assert.equal(wasmChunks[0].length, OLD_CUT, "wasm 0.2.0 cuts at MIN - 64 here");
  assert.ok(specBoundaries(oldCutTrigger)[0] >= MIN);
});
