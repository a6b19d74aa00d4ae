#!/usr/bin/env python3
"""The Xet CAS API and the Xet store against a real `vitrine serve` (docs/xet/*).

Xorbs and shards are serialized here from the spec, with the chunk, xorb, file and
verification hashes computed by the hidden `vitrine xet-hash`. Covered:
  1. upload a xorb (twice: was_inserted true then false) and a shard, commit the file as an LFS
     pointer, download it (bytes and X-Xet-Hash), reassemble v1 and v2 reconstructions (with a
     Range) from the signed xorb URLs;
  2. every refusal (bad xorb framing and hashes, > 64 MiB, truncated upload, lying shards,
     tokens of another repository, altered and expired tokens, read tokens writing, signed
     URLs with another Range, expired or altered) is a clear 4xx and leaves the store unchanged;
  3. gc removes uncommitted uploads and the data of deleted repositories only;
  4. legacy plain-file LFS objects are readable before and converted by `migrate` / startup;
  5. kill -9 during uploads leaves no referenced-but-missing data (fsck exits 0);
  6. fsck finds a damaged xorb, --repair quarantines it and the object is no longer served.
"""
import base64
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hub_test import BIN, finish, report, run_cli, serve, tally  # noqa: E402

WORK = tempfile.mkdtemp(prefix="vitrine-xetcas-")
DATA = os.path.join(WORK, "data")
RNG = random.Random(20251127)


def cli(*args, check=True):
    return run_cli(DATA, *args, check=check)


# ---- the server ---------------------------------------------------------------------------
SERVER = None
BASE = None


def start(*extra):
    global SERVER, BASE
    SERVER, BASE = serve(DATA, "--rate-limit-auth-failures", "0", *extra)


def stop(kill=False):
    if SERVER and SERVER.poll() is None:
        SERVER.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        SERVER.wait(timeout=30)


def fixture(resp, what):
    if resp.status_code >= 300:
        print(f"not ok - fixture: {what}: {resp.status_code} {resp.text[:300]}")
        stop(kill=True)
        sys.exit(1)
    return resp


# ---- Xet format, from the spec ------------------------------------------------------------
def hash_bytes(text):
    """The spec's hash string (each 8-byte group as a little-endian u64) to raw bytes."""
    return b"".join(bytes.fromhex(text[i:i + 16])[::-1] for i in range(0, 64, 16))


def xet_hash(data, boundaries=None, ranges=()):
    path = os.path.join(WORK, "xet-hash.bin")
    with open(path, "wb") as f:
        f.write(data)
    req = {"data_file": path, "boundaries": boundaries, "ranges": [list(r) for r in ranges]}
    out = subprocess.run([BIN, "xet-hash"], input=json.dumps(req), capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def chunk_header(size, version=0, compression=0, uncompressed=None):
    u = size if uncompressed is None else uncompressed
    return (bytes([version]) + size.to_bytes(3, "little") + bytes([compression]) +
            u.to_bytes(3, "little"))


class Xorb:
    """Data cut into chunks (content-defined), serialized uncompressed."""

    def __init__(self, data):
        self.data = data
        info = xet_hash(data)
        self.boundaries = info["boundaries"]
        self.chunk_hashes = info["chunk_hashes"]
        self.hash = info["xorb_hash"]
        self.chunks = []
        start = 0
        for end in self.boundaries:
            self.chunks.append(data[start:end])
            start = end
        self.bytes = b"".join(chunk_header(len(c)) + c for c in self.chunks)


def shard_record(h, a=0, b=0, c=0, d=0):
    return hash_bytes(h) + b"".join(x.to_bytes(4, "little") for x in (a, b, c, d))


BOOKEND = b"\xff" * 32 + b"\0" * 16
SHARD_TAG = b"HFRepoMetaData\x00" + bytes([85, 105, 103, 69, 106, 123, 129, 87, 131, 165, 189,
                                            217, 92, 205, 209, 74, 169])


def shard_bytes(files, xorbs):
    """files: [{hash, terms: [(xorb, unpacked, start, end)], verification: [h], sha256: hex}];
    xorbs: [Xorb-like with .hash, .chunk_hashes, .chunks, .bytes]. No footer (upload form)."""
    out = SHARD_TAG + (2).to_bytes(8, "little") + (0).to_bytes(8, "little")
    for f in files:
        flags = (1 << 31) if f.get("verification") else 0
        if f.get("sha256"):
            flags |= 1 << 30
        out += hash_bytes(f["hash"]) + flags.to_bytes(4, "little") + \
            len(f["terms"]).to_bytes(4, "little") + b"\0" * 8
        for x, unpacked, s, e in f["terms"]:
            out += shard_record(x, 0, unpacked, s, e)
        for v in f.get("verification") or []:
            out += hash_bytes(v) + b"\0" * 16
        if f.get("sha256"):
            out += bytes.fromhex(f["sha256"]) + b"\0" * 16
    out += BOOKEND
    for x in xorbs:
        out += shard_record(x.hash, 0, len(x.chunks), sum(len(c) for c in x.chunks), len(x.bytes))
        position = 0
        for h, c in zip(x.chunk_hashes, x.chunks):
            out += hash_bytes(h) + position.to_bytes(4, "little") + \
                len(c).to_bytes(4, "little") + b"\0" * 8
            position += len(c)
    out += BOOKEND
    return out


def file_entry(xorb, start=0, end=None, **override):
    """The shard entry for the file made of chunks [start, end) of one xorb."""
    end = len(xorb.chunks) if end is None else end
    content = b"".join(xorb.chunks[start:end])
    info = xet_hash(content, [sum(len(c) for c in xorb.chunks[start:i + 1])
                              for i in range(start, end)], [(0, end - start)])
    entry = {"hash": info["file_hash"], "terms": [(xorb.hash, len(content), start, end)],
             "verification": info["verification"],
             "sha256": hashlib.sha256(content).hexdigest(), "content": content}
    entry.update(override)
    return entry


def parse_xorb_chunks(data):
    """Uncompressed chunks of a (range of a) serialized xorb."""
    chunks, pos = [], 0
    while pos < len(data):
        size = int.from_bytes(data[pos + 1:pos + 4], "little")
        assert data[pos] == 0 and data[pos + 4] == 0, "unexpected chunk header"
        chunks.append(data[pos + 8:pos + 8 + size])
        pos += 8 + size
    return chunks


# ---- HTTP helpers -------------------------------------------------------------------------
S = requests.Session()


def api(method, path, token=None, **kw):
    headers = kw.pop("headers", {})
    if token:
        headers["Authorization"] = "Bearer " + token
    return S.request(method, BASE + path, headers=headers, allow_redirects=False, timeout=60,
                     **kw)


def raw_request(method, path, headers, body, shutdown=True, read=True):
    """Sends exactly `body` after the headers (which may lie about Content-Length); returns
    (status, headers dict, body) or None when the server closed without answering."""
    u = urllib.parse.urlparse(BASE)
    s = socket.create_connection((u.hostname, u.port), timeout=30)
    head = f"{method} {path} HTTP/1.1\r\nHost: {u.netloc}\r\n" + \
        "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    s.sendall(head.encode() + body)
    if not read:
        return s
    if shutdown:
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:  # the server answered and closed first (e.g. a 413 by Content-Length)
            pass
    buf = b""
    try:
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            buf += piece
            if b"\r\n\r\n" in buf:
                head_end = buf.index(b"\r\n\r\n")
                hdrs = {}
                for line in buf[:head_end].decode().split("\r\n")[1:]:
                    k, _, v = line.partition(":")
                    hdrs[k.strip().lower()] = v.strip()
                n = int(hdrs.get("content-length", "0"))
                if len(buf) >= head_end + 4 + n:
                    break
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    if not buf:
        return None
    head_end = buf.index(b"\r\n\r\n")
    lines = buf[:head_end].decode().split("\r\n")
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), hdrs, buf[head_end + 4:]


def snapshot():
    """What the store holds: every xorb file (path, sha256) and the index row counts."""
    files = []
    root = os.path.join(DATA, "xet", "xorbs")
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                files.append((os.path.relpath(p, root), hashlib.sha256(f.read()).hexdigest()))
    return sorted(files), index_counts()


def index_counts():
    db = os.path.join(DATA, "xet", "index.sqlite")
    out = subprocess.run(["sqlite3", db, "select count(*) from xorbs; select count(*) from files;"],
                         capture_output=True, text=True, check=True).stdout.split()
    return tuple(int(x) for x in out)


def indexed(table, hash_text):
    db = os.path.join(DATA, "xet", "index.sqlite")
    col = "sha256" if table == "files_sha" else "hash"
    table = "files" if table == "files_sha" else table
    value = f"'{hash_text}'" if col == "sha256" else f"x'{hash_bytes(hash_text).hex()}'"
    out = subprocess.run(["sqlite3", db, f"select count(*) from {table} where {col} = {value};"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return int(out)


def refused(name, resp, status, needle):
    """A refusal: the status, the message in X-Error-Message (or the JSON error) and the store
    exactly as it was before."""
    global BEFORE
    after = snapshot()
    if resp is None:
        report(False, name, "no response")
        return
    if isinstance(resp, tuple):
        code, headers, body = resp
        message = headers.get("x-error-message", "")
        if not message:
            try:
                message = json.loads(body).get("error", "")
            except ValueError:
                message = ""
    else:
        code, message = resp.status_code, resp.headers.get("X-Error-Message", "")
        if not message:
            try:
                message = resp.json().get("error", "")
            except ValueError:
                message = ""
    ok = code == status and needle.lower() in message.lower() and after == BEFORE
    detail = f"status {code} (want {status}), message {message!r} (want {needle!r})"
    if after != BEFORE:
        detail += f"; store changed: {BEFORE[1]} -> {after[1]}"
    report(ok, name, "" if ok else detail)


# ---- fixture ------------------------------------------------------------------------------
os.makedirs(DATA)
cli("user", "create", "alice")
cli("user", "create", "bob")
ALICE = cli("token", "create", "--user", "alice", "--role", "write").stdout.strip()
BOB = cli("token", "create", "--user", "bob", "--role", "write").stdout.strip()
start()
for name, tok in [("a", ALICE), ("d", ALICE), ("e", ALICE), ("b", BOB)]:
    fixture(api("POST", "/api/repos/create", tok, json={"name": name}), "create repo " + name)


def xet_token(repo, tok, write=True, rev="main"):
    kind = "xet-write-token" if write else "xet-read-token"
    r = fixture(api("GET", f"/api/models/{repo}/{kind}/{rev}", tok), f"{kind} {repo}")
    return r.json()["accessToken"]


def commit_lfs(repo, tok, path, content):
    lines = [{"key": "header", "value": {"summary": "add " + path}},
             {"key": "lfsFile", "value": {"path": path, "algo": "sha256",
                                          "oid": hashlib.sha256(content).hexdigest(),
                                          "size": len(content)}}]
    body = "".join(json.dumps(x) + "\n" for x in lines)
    return api("POST", f"/api/models/{repo}/commit/main", tok, data=body,
               headers={"Content-Type": "application/x-ndjson"})


def download(repo, path, tok=ALICE):
    r = api("GET", f"/{repo}/resolve/main/{path}", tok)
    if r.status_code in (301, 302, 307):
        r = S.get(urllib.parse.urljoin(BASE, r.headers["Location"]), timeout=60)
    return r


def upload_xorb(token, xorb, body=None):
    return api("POST", f"/v1/xorbs/default/{xorb.hash}", token,
               data=xorb.bytes if body is None else body)


def upload_shard(token, files, xorbs):
    return api("POST", "/v1/shards", token, data=shard_bytes(files, xorbs))


def upload_file(repo_token, data):
    """Uploads `data` as one xorb + a shard; returns (xorb, file entry)."""
    x = Xorb(data)
    fixture(upload_xorb(repo_token, x), "upload xorb")
    f = file_entry(x)
    fixture(upload_shard(repo_token, [f], [x]), "upload shard")
    return x, f


# ---- 1. the happy path --------------------------------------------------------------------
WRITE_A = xet_token("alice/a", ALICE)
X1 = Xorb(RNG.randbytes(400 * 1024))
report(len(X1.chunks) >= 3, "fixture: the test xorb has several chunks",
       f"{len(X1.chunks)} chunks")
r = upload_xorb(WRITE_A, X1)
report(r.status_code == 200 and r.json() == {"was_inserted": True},
       "POST /v1/xorbs: a valid xorb is inserted", f"{r.status_code} {r.text}")
r = upload_xorb(WRITE_A, X1)
report(r.status_code == 200 and r.json() == {"was_inserted": False},
       "POST /v1/xorbs: the same xorb again is not inserted twice", f"{r.status_code} {r.text}")
F1 = file_entry(X1)
r = upload_shard(WRITE_A, [F1], [X1])
report(r.status_code == 200, "POST /v1/shards: a shard with verification and sha256 metadata",
       f"{r.status_code} {r.text}")
report(indexed("files_sha", F1["sha256"]) == 1, "the shard's file is in the index")
r = commit_lfs("alice/a", ALICE, "f1.bin", F1["content"])
report(r.status_code == 200, "commit an LFS pointer to the Xet-uploaded file",
       f"{r.status_code} {r.text[:300]}")
r = download("alice/a", "f1.bin")
report(r.status_code == 200 and r.content == F1["content"],
       "GET /resolve/ returns the uploaded bytes", f"{r.status_code} {len(r.content)} bytes")
first = api("GET", "/alice/a/resolve/main/f1.bin", ALICE)
report(first.headers.get("X-Xet-Hash") == F1["hash"], "GET /resolve/ names the file's Xet hash",
       f"X-Xet-Hash {first.headers.get('X-Xet-Hash')!r}, want {F1['hash']}")

READ_A = xet_token("alice/a", ALICE, write=False)


def fetch_signed(url, byte_range):
    return S.get(url, headers={"Range": f"bytes={byte_range[0]}-{byte_range[1]}"}, timeout=60)


def reassemble(rec, version, first, last):
    """The bytes [first, last] of the file, from a reconstruction and its signed URLs."""
    out = b""
    for term in rec["terms"]:
        s, e = term["range"]["start"], term["range"]["end"]
        if version == "v1":
            entries = [(f["range"]["start"], f["range"]["end"], f["url"],
                        (f["url_range"]["start"], f["url_range"]["end"]))
                       for f in rec["fetch_info"][term["hash"]]]
        else:
            entries = [(g["chunks"]["start"], g["chunks"]["end"], x["url"],
                        (g["bytes"]["start"], g["bytes"]["end"]))
                       for x in rec["xorbs"][term["hash"]] for g in x["ranges"]]
        fs, fe, url, byte_range = next(en for en in entries if en[0] <= s and e <= en[1])
        resp = fetch_signed(url, byte_range)
        assert resp.status_code == 206, f"signed URL: {resp.status_code} {resp.text}"
        chunks = parse_xorb_chunks(resp.content)
        piece = b"".join(chunks[s - fs:e - fs])
        assert len(piece) == term["unpacked_length"], "term length"
        out += piece
    skip = rec["offset_into_first_range"]
    return out[skip:skip + (last - first + 1)]


content = F1["content"]
for version in ("v1", "v2"):
    for first, last in [(0, len(content) - 1), (1000, 200000), (len(content) - 10, len(content) - 1)]:
        r = api("GET", f"/{version}/reconstructions/{F1['hash']}", READ_A,
                headers={"Range": f"bytes={first}-{last}"})
        try:
            ok = r.status_code == 200 and reassemble(r.json(), version, first, last) == \
                content[first:last + 1]
            detail = f"{r.status_code} {r.text[:200]}"
        except (AssertionError, KeyError, StopIteration, ValueError) as e:
            ok, detail = False, f"{type(e).__name__} {e}: {r.text[:300]}"
        report(ok, f"{version} reconstruction of bytes {first}-{last} reassembles from signed URLs",
               detail)
r = api("GET", f"/v1/reconstructions/{F1['hash']}", READ_A,
        headers={"Range": f"bytes={len(content)}-{len(content) + 10}"})
report(r.status_code == 416, "reconstruction: a Range past the end is 416", r.status_code)

# ---- 2. refusals leave the store unchanged ------------------------------------------------
X2 = Xorb(RNG.randbytes(150 * 1024))  # never stored: its hash must not short-circuit
BEFORE = snapshot()
body = bytearray(X2.bytes)
body[100] ^= 1
refused("corrupted xorb (one payload bit flipped)", upload_xorb(WRITE_A, X2, bytes(body)), 400,
        "hash mismatch")
refused("xorb posted under another hash",
        api("POST", f"/v1/xorbs/default/{'0' * 63}1", WRITE_A, data=X2.bytes), 400,
        "hash mismatch")
refused("malformed xorb hash in the URL",
        api("POST", "/v1/xorbs/default/nothex", WRITE_A, data=X2.bytes), 400, "malformed")
c0 = X2.chunks[0]
framing = {
    "truncated chunk header": (X2.bytes[:5], "truncated chunk header"),
    "chunk header version 1": (chunk_header(len(c0), version=1) + c0, "version 1"),
    "unknown compression 7": (chunk_header(len(c0), compression=7) + c0, "compression 7"),
    "uncompressed size 0": (chunk_header(len(c0), uncompressed=0) + c0, "uncompressed size 0"),
    "uncompressed size over 128 KiB": (chunk_header(131073) + RNG.randbytes(131073),
                                       "uncompressed size 131073"),
    "payload shorter than its header says": (chunk_header(len(c0) + 10) + c0,
                                             "truncated chunk"),
    "trailing garbage": (X2.bytes + b"garbage!", "trailing data"),
}
for what, (body, needle) in framing.items():
    refused(f"bad xorb framing: {what}", upload_xorb(WRITE_A, X2, body), 400, needle)
resp = raw_request("POST", f"/v1/xorbs/default/{X2.hash}",
                   {"Authorization": "Bearer " + WRITE_A,
                    "Content-Length": str(64 * 1024 * 1024 + 1)}, b"x" * 1024)
refused("xorb over 64 MiB (by Content-Length) is 413", resp, 413, "64 MiB")
resp = raw_request("POST", f"/v1/xorbs/default/{X2.hash}",
                   {"Authorization": "Bearer " + WRITE_A,
                    "Content-Length": str(len(X2.bytes) + 1000)}, X2.bytes)
time.sleep(0.5)
after = snapshot()
report(after == BEFORE and (resp is None or resp[0] >= 400),
       "truncated xorb upload (connection closed early) stores nothing",
       f"response {resp and resp[0]}, store {BEFORE[1]} -> {after[1]}")

# Lying shards, about a file made of the first two chunks of X1 (never registered).
GOOD = file_entry(X1, 0, 2)
ghost = dict(GOOD, terms=[(X2.hash,) + GOOD["terms"][0][1:]])
lies = {
    "term referencing a xorb never uploaded": ([ghost], [], "not uploaded"),
    "chunk range past the end of the xorb": (
        [dict(GOOD, terms=[(X1.hash, GOOD["terms"][0][1], 0, len(X1.chunks) + 1)])], [],
        "references chunks"),
    "wrong unpacked size": (
        [dict(GOOD, terms=[(X1.hash, GOOD["terms"][0][1] + 1, 0, 2)])], [], "says"),
    "wrong verification hash": ([dict(GOOD, verification=[X1.chunk_hashes[0]])], [],
                                "verification hash"),
    "wrong file hash": ([dict(GOOD, hash=F1["hash"])], [], "file hash mismatch"),
    "wrong sha256 in the metadata extension": ([dict(GOOD, sha256=F1["sha256"])], [],
                                               "SHA-256"),
    "no verification entries": ([dict(GOOD, verification=[])], [], "verification"),
}
for what, (files, xorbs, needle) in lies.items():
    refused(f"lying shard: {what}", upload_shard(WRITE_A, files, xorbs), 400, needle)


class Lying:
    def __init__(self, x, **kw):
        self.__dict__.update(hash=x.hash, chunk_hashes=list(x.chunk_hashes), chunks=x.chunks,
                             bytes=x.bytes)
        self.__dict__.update(kw)


bad_cas = Lying(X1, chunk_hashes=[X2.chunk_hashes[0]] + X1.chunk_hashes[1:])
refused("lying shard: CAS section lists a chunk hash the xorb does not have",
        upload_shard(WRITE_A, [GOOD], [bad_cas]), 400, "does not match the xorb")
refused("lying shard: CAS section lists a xorb never uploaded",
        upload_shard(WRITE_A, [GOOD], [X2]), 400, "not uploaded")
valid = shard_bytes([GOOD], [X1])
refused("truncated shard", api("POST", "/v1/shards", WRITE_A, data=valid[:len(valid) - 30]),
        400, "invalid shard")
refused("shard with a bad magic", api("POST", "/v1/shards", WRITE_A, data=b"X" + valid[1:]),
        400, "bad header tag")
refused("empty shard body", api("POST", "/v1/shards", WRITE_A, data=b""), 400, "invalid shard")

# Tokens.
READ_B = xet_token("bob/b", BOB, write=False)
WRITE_B = xet_token("bob/b", BOB)
refused("another repository's read token cannot reconstruct the file",
        api("GET", f"/v1/reconstructions/{F1['hash']}", READ_B), 404, "not found")
refused("another repository's read token: v2 reconstruction",
        api("GET", f"/v2/reconstructions/{F1['hash']}", READ_B), 404, "not found")
# Bob uploads to his own repository: his file is not readable with alice/a's tokens.
XB, FB = upload_file(WRITE_B, RNG.randbytes(100 * 1024))
fixture(commit_lfs("bob/b", BOB, "fb.bin", FB["content"]), "commit fb.bin")
BEFORE = snapshot()
refused("a write token of repo A cannot reconstruct repo B's file",
        api("GET", f"/v1/reconstructions/{FB['hash']}", WRITE_A), 404, "not found")
r = api("GET", f"/v1/reconstructions/{FB['hash']}", READ_B)
report(r.status_code == 200, "repo B's own read token reconstructs its file", r.status_code)
altered = WRITE_A[:-3] + ("A" if WRITE_A[-3] != "A" else "B") + WRITE_A[-2:]
refused("altered Xet token is 401", upload_xorb(altered, X2), 401, "")
refused("no Authorization header is 401", upload_xorb(None, X2), 401, "token")
refused("hub token instead of a Xet token is 401", upload_xorb(ALICE, X2), 401, "")
refused("read token on POST /v1/xorbs is 403", upload_xorb(READ_A, X2), 403, "read-only")
refused("read token on POST /v1/shards is 403", upload_shard(READ_A, [GOOD], [X1]), 403,
        "read-only")
# Knowing a private object's SHA-256 and size is not enough to copy it into another repo.
r = commit_lfs("bob/b", BOB, "stolen.bin", F1["content"])
report(r.status_code == 422 and "never uploaded" in r.text,
       "a commit naming another repository's object by SHA-256 alone is refused (422)",
       f"{r.status_code} {r.text[:200]}")
r = api("GET", "/bob/b/resolve/main/stolen.bin", BOB)
report(r.status_code == 404, "and nothing was committed", f"{r.status_code}")
r = api("GET", "/api/models/bob/b/xet-write-token/main", ALICE)
report(r.status_code in (403, 404), "no xet-write-token for someone else's repository",
       r.status_code)

# Signed xorb URLs.
rec = api("GET", f"/v1/reconstructions/{F1['hash']}", READ_A).json()
entry = rec["fetch_info"][X1.hash][0]
url, ur = entry["url"], (entry["url_range"]["start"], entry["url_range"]["end"])
r = fetch_signed(url, ur)
report(r.status_code == 206 and r.content == X1.bytes[ur[0]:ur[1] + 1],
       "signed xorb URL with its Range is 206 with the xorb bytes", r.status_code)
refused("signed xorb URL with another Range is 403", fetch_signed(url, (0, ur[1] + 1)), 403,
        "Range header")
refused("signed xorb URL without a Range is 403", S.get(url, timeout=60), 403, "Range header")
q = {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(url).query).items()}
path = urllib.parse.urlparse(url).path


def with_params(**changed):
    """The signed URL with some of its parameters changed (the signature kept unless given)."""
    return f"{BASE}{path}?" + urllib.parse.urlencode({**q, **changed})


report(all(k in q for k in ("repo", "user", "token", "file")),
       "a signed xorb URL names its reader and the file, like the Xet token", sorted(q))
refused("expired signed xorb URL is 403", fetch_signed(with_params(expires="1"), ur), 403,
        "expired")
sig = q["signature"]
bad_sig = sig[:-1] + ("0" if sig[-1] != "0" else "1")
refused("altered signature is 403", fetch_signed(with_params(signature=bad_sig), ur), 403,
        "signature")
refused("signed range widened in the URL is 403",
        fetch_signed(with_params(range=f"0-{ur[1] + 100}"), (0, ur[1] + 100)), 403, "signature")
for name, value in (("user", "bob"), ("token", "0"), ("repo", "x" * 16), ("file", "0" * 64)):
    refused(f"signed xorb URL with another {name} is 403", fetch_signed(with_params(
        **{name: value}), ur), 403, "signature")
# Each use re-checks the reader: bob's URL stops when the repository turns private.
BOB_READ = xet_token("alice/a", BOB, write=False)
bob_rec = api("GET", f"/v1/reconstructions/{F1['hash']}", BOB_READ).json()
bob_url = bob_rec["fetch_info"][X1.hash][0]["url"]
report(fetch_signed(bob_url, ur).status_code == 206, "bob's signed xorb URL reads the range")
fixture(api("PUT", "/api/models/alice/a/settings", ALICE, json={"private": True}), "private")
refused("and stops (401) once the repository is private", fetch_signed(bob_url, ur), 401,
        "no longer")
report(fetch_signed(url, ur).status_code == 206, "while the owner's URL still reads it")
fixture(api("PUT", "/api/models/alice/a/settings", ALICE, json={"private": False}), "public")
report(fetch_signed(bob_url, ur).status_code == 206, "and bob's again once it is public")

# Expired Xet token: a server whose tokens live one second.
stop()
start("--xet-token-ttl-seconds", "1")
short = xet_token("alice/a", ALICE)
time.sleep(2.2)
BEFORE = snapshot()
refused("expired Xet token is 401", upload_xorb(short, X2), 401, "")
stop()
start()

# ---- 3. gc ---------------------------------------------------------------------------------
WRITE_A = xet_token("alice/a", ALICE)
XG, FG = upload_file(WRITE_A, RNG.randbytes(90 * 1024))  # uploaded, never committed
WRITE_D = xet_token("alice/d", ALICE)
XD, FD = upload_file(WRITE_D, RNG.randbytes(90 * 1024))
fixture(commit_lfs("alice/d", ALICE, "fd.bin", FD["content"]), "commit fd.bin")
# A repository may only name objects uploaded for it (or already in it): upload f1 to d too
# (the xorb is already stored; the shard proves possession and links it).
fixture(upload_shard(WRITE_D, [F1], [X1]), "upload f1's shard for alice/d")
fixture(commit_lfs("alice/d", ALICE, "f1.bin", F1["content"]), "commit f1.bin to alice/d")
fixture(api("DELETE", "/api/repos/delete", ALICE, json={"name": "d", "organization": "alice"}),
        "delete alice/d")
time.sleep(1.2)
g = cli("gc", "--grace-seconds", "0", check=False)
report(g.returncode == 0, "vitrine gc --grace-seconds 0 (server running) succeeds",
       g.stdout + g.stderr)
report(indexed("xorbs", XG.hash) == 0 and not os.path.exists(
    os.path.join(DATA, "xet", "xorbs", XG.hash[:2], XG.hash)),
       "gc removes the xorb of a file uploaded but never committed")
report(indexed("xorbs", XD.hash) == 0 and indexed("files_sha", FD["sha256"]) == 0,
       "gc removes the xorb and file of a deleted repository")
report(indexed("xorbs", X1.hash) == 1 and indexed("xorbs", XB.hash) == 1,
       "gc keeps the xorbs of files still committed elsewhere")
r1, rb = download("alice/a", "f1.bin"), download("bob/b", "fb.bin", BOB)
report(r1.content == F1["content"] and rb.content == FB["content"],
       "files committed in other repositories still download after gc",
       f"{r1.status_code} {rb.status_code}")
# A client uploading the collected data again (it cannot know gc ran) must store it again,
# even though this running server had the xorb in its memory.
r = upload_xorb(WRITE_A, XG)
report(r.status_code == 200 and r.json() == {"was_inserted": True} and
       os.path.exists(os.path.join(DATA, "xet", "xorbs", XG.hash[:2], XG.hash)),
       "a xorb collected by gc (server running) is stored again when re-uploaded",
       f"{r.status_code} {r.text}, index {indexed('xorbs', XG.hash)}")
fixture(upload_shard(WRITE_A, [FG], [XG]), "shard of the re-uploaded file")
fixture(commit_lfs("alice/a", ALICE, "fg.bin", FG["content"]), "commit fg.bin")
r = download("alice/a", "fg.bin")
report(r.status_code == 200 and r.content == FG["content"],
       "the re-uploaded file downloads after gc", f"{r.status_code} {len(r.content)} bytes")

# ---- 4. migrate legacy objects -------------------------------------------------------------
def place_legacy(content):
    oid = hashlib.sha256(content).hexdigest()
    d = os.path.join(DATA, "lfs", "objects", oid[:2], oid[2:4])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, oid + ".tmp"), "wb") as f:
        f.write(content)
    os.rename(os.path.join(d, oid + ".tmp"), os.path.join(d, oid))
    # What an earlier commit of the object recorded: alice/a names it.
    db = sqlite3.connect(os.path.join(DATA, "vitrine.db"), timeout=10)
    with db:
        uid = db.execute("SELECT uid FROM repos WHERE ns = 'alice' AND name = 'a'").fetchone()[0]
        db.execute("INSERT OR IGNORE INTO repo_lfs_objects(uid, oid) VALUES (?, ?)", (uid, oid))
    db.close()
    return oid, os.path.join(d, oid)


L1 = RNG.randbytes(300 * 1024)
oid1, legacy1 = place_legacy(L1)  # server running, its startup migration long done
r = commit_lfs("alice/a", ALICE, "legacy1.bin", L1)
report(r.status_code == 200, "commit a pointer to a legacy object (read through the new store)",
       f"{r.status_code} {r.text[:300]}")
r = download("alice/a", "legacy1.bin")
report(r.content == L1, "legacy object downloads before migration", r.status_code)
stop()
L2 = RNG.randbytes(200 * 1024)
oid2, legacy2 = place_legacy(L2)
m = cli("migrate", check=False)
report(m.returncode == 0 and not os.path.exists(legacy1) and indexed("files_sha", oid1) == 1,
       "vitrine migrate converts legacy objects (file gone, index has it)",
       f"rc {m.returncode} {m.stdout}{m.stderr} legacy exists {os.path.exists(legacy1)}")
L3 = RNG.randbytes(120 * 1024)
oid3, legacy3 = place_legacy(L3)
start()
r = commit_lfs("alice/a", ALICE, "legacy2.bin", L2)
fixture(commit_lfs("alice/a", ALICE, "legacy3.bin", L3), "commit legacy3.bin")
for _ in range(100):
    if not os.path.exists(legacy3):
        break
    time.sleep(0.1)
report(not os.path.exists(legacy3) and indexed("files_sha", oid3) == 1,
       "serve converts legacy objects in the background at startup")
ok = all(download("alice/a", p).content == c
         for p, c in [("legacy1.bin", L1), ("legacy2.bin", L2), ("legacy3.bin", L3)])
report(ok, "migrated objects download byte-identical")

# ---- 5. kill -9 during uploads --------------------------------------------------------------
WRITE_A = xet_token("alice/a", ALICE)
committed = {"f1.bin": F1["content"], "legacy1.bin": L1, "legacy2.bin": L2, "legacy3.bin": L3}
stop_uploads = threading.Event()


def keep_uploading():
    while not stop_uploads.is_set():
        try:
            x = Xorb(RNG.randbytes(64 * 1024))
            upload_xorb(WRITE_A, x)
            upload_shard(WRITE_A, [file_entry(x)], [x])
        except (requests.RequestException, subprocess.CalledProcessError):
            return


BEFORE_CRASH = index_counts()
partial = []
for i in range(4):
    x = Xorb(RNG.randbytes(200 * 1024))
    partial.append(raw_request("POST", f"/v1/xorbs/default/{x.hash}",
                               {"Authorization": "Bearer " + WRITE_A,
                                "Content-Length": str(len(x.bytes))},
                               x.bytes[:len(x.bytes) // 2], read=False))
big = RNG.randbytes(3 * 1024 * 1024)
batch = api("POST", "/alice/a.git/info/lfs/objects/batch", ALICE,
            headers={"Accept": "application/vnd.git-lfs+json",
                     "Content-Type": "application/vnd.git-lfs+json"},
            json={"operation": "upload", "transfers": ["basic"], "hash_algo": "sha256",
                  "objects": [{"oid": hashlib.sha256(big).hexdigest(), "size": len(big)}]})
obj = fixture(batch, "LFS batch upload").json()["objects"][0]
href = obj["actions"]["upload"]["href"]
hdrs = dict(obj["actions"]["upload"].get("header") or {})
curl = subprocess.Popen(["curl", "-s", "-o", "/dev/null", "-X", "PUT", "--limit-rate", "256K",
                         "--data-binary", "@-", *sum([["-H", f"{k}: {v}"] for k, v in hdrs.items()],
                                                     []), href],
                        stdin=subprocess.PIPE)
threading.Thread(target=lambda: (curl.stdin.write(big), curl.stdin.close()), daemon=True).start()
uploader = threading.Thread(target=keep_uploading, daemon=True)
uploader.start()
time.sleep(1.5)
stored_before_kill = index_counts()[0]
stop(kill=True)
stop_uploads.set()
uploader.join(timeout=30)
curl_rc = curl.wait(timeout=30)
report(stored_before_kill > BEFORE_CRASH[0] and curl_rc != 0 and
       indexed("files_sha", hashlib.sha256(big).hexdigest()) == 0,
       "the kill hit uploads in flight (xorbs being stored, the LFS PUT unfinished)",
       f"xorbs {BEFORE_CRASH[0]} -> {stored_before_kill}, curl rc {curl_rc}")
for s in partial:
    s.close()
f = cli("fsck", check=False)
report(f.returncode == 0, "after kill -9 during uploads, fsck finds no damage",
       f"rc {f.returncode}: {f.stdout}{f.stderr}")
start()
ok = all(download("alice/a", p).content == c for p, c in committed.items())
report(ok, "files committed before the kill download byte-identical")

# ---- 6. fsck finds damage, --repair quarantines it ----------------------------------------
stop()
xorb_file = os.path.join(DATA, "xet", "xorbs", X1.hash[:2], X1.hash)
if not os.path.exists(xorb_file):
    found = [os.path.join(d, n) for d, _, ns in os.walk(os.path.join(DATA, "xet", "xorbs"))
             for n in ns if n == X1.hash]
    xorb_file = found[0] if found else xorb_file
with open(xorb_file, "r+b") as fh:
    fh.seek(200)
    b = fh.read(1)
    fh.seek(200)
    fh.write(bytes([b[0] ^ 0xFF]))
f = cli("fsck", check=False)
out = f.stdout + f.stderr
report(f.returncode == 1 and X1.hash in out and (F1["hash"] in out or F1["sha256"] in out),
       "fsck exits 1 naming the damaged xorb and the file that needs it",
       f"rc {f.returncode}: {out[:600]}")
f = cli("fsck", "--repair", check=False)
report(os.path.exists(os.path.join(DATA, "xet", "quarantine", X1.hash)) and
       not os.path.exists(xorb_file), "fsck --repair moves the damaged xorb to quarantine",
       f"rc {f.returncode}: {(f.stdout + f.stderr)[:400]}")
f = cli("fsck", check=False)
report(f.returncode == 0, "fsck exits 0 after the repair", f"rc {f.returncode}: {f.stdout}")
start()
batch = api("POST", "/alice/a.git/info/lfs/objects/batch", ALICE,
            headers={"Accept": "application/vnd.git-lfs+json",
                     "Content-Type": "application/vnd.git-lfs+json"},
            json={"operation": "download", "transfers": ["basic"], "hash_algo": "sha256",
                  "objects": [{"oid": F1["sha256"], "size": len(F1["content"])}]})
obj = batch.json()["objects"][0] if batch.status_code == 200 else {}
report(obj.get("error", {}).get("code") == 404 and "actions" not in obj,
       "LFS batch download of the damaged object says it does not exist",
       f"{batch.status_code} {batch.text[:300]}")
r = download("alice/a", "f1.bin")
report(r.status_code >= 400,
       "the damaged file is not served", f"{r.status_code} {len(r.content)} bytes")
r = download("bob/b", "fb.bin", BOB)
report(r.content == FB["content"], "undamaged files still download after the repair")
# The repaired upload can be repeated: the same xorb and shard make the file whole again.
r = upload_xorb(WRITE_A := xet_token("alice/a", ALICE), X1)
report(r.status_code == 200 and r.json() == {"was_inserted": True},
       "the quarantined xorb can be uploaded again", f"{r.status_code} {r.text}")
r = upload_shard(WRITE_A, [F1], [X1])
report(r.status_code == 200, "and its shard registered again", f"{r.status_code} {r.text}")
r = download("alice/a", "f1.bin")
report(r.status_code == 200 and r.content == F1["content"],
       "the repaired file downloads byte-identical", f"{r.status_code} {len(r.content)} bytes")
f = cli("fsck", check=False)
report(f.returncode == 0, "fsck exits 0 at the end", f"rc {f.returncode}: {f.stdout}")

stop()
if tally.failed == 0:
    shutil.rmtree(WORK, ignore_errors=True)
else:
    print(f"# data left in {DATA}")
finish()
