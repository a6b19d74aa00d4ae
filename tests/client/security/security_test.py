#!/usr/bin/env python3
"""Attacks on a real `vitrine serve`, class by class, over every route where the class applies
(docs/security.md states the rules these check).

  1. Object reachable by hash: a caller who knows the SHA-256 of another repository's private or
     gated LFS object tries every way of naming it: LFS batch (upload and download, on its own
     repository and on the victim's), the signed URLs (an upload URL used to download, verify,
     multipart completion with no or forged parts), NDJSON `file` and `lfsFile` operations,
     `files[]` at creation, a git push of a pointer, and a Xet token kept after the repository
     turned private. None may read, link or confirm the object.
  2. Unbounded parse: every route of the route table that reads a body gets a deeply nested JSON
     body, an oversized body and JSON of the wrong types: each answers 4xx (never 500, never a
     crash), and the server's memory stays bounded (VmRSS checked). Also: a YAML list to
     validate-yaml, an oversized NDJSON line, a gzip bomb to git-upload-pack (disk checked).
  3. Unbounded answer: LFS batches with too many objects or parts; every GET route of the route
     table with hostile and with the largest paging and expansion parameters (never a 5xx, each
     within 5 s and 4 MiB); the commits listing pages a cached history.
  4. Slow and greedy clients: large files in git streamed (memory checked); a request head trickled a byte at a time is cut at the head
     deadline; connections past the per-address cap get 429 while other clients are served;
     concurrent sign-ins cannot pass the failure limit.
  5. Oracles: stored-but-foreign and absent objects answer alike; 500s carry no server path.
"""
import base64
import concurrent.futures
import gzip
import hashlib
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hub_test import BIN, finish, must, report, request, run_cli, serve  # noqa: E402

WORK = tempfile.mkdtemp(prefix="vitrine-security-")
DATA = os.path.join(WORK, "data")


def cli(*args):
    return run_cli(DATA, *args).stdout.strip()


for user in ["victim", "attacker"]:
    cli("user", "create", user)
VICTIM = "Bearer " + cli("token", "create", "--user", "victim", "--role", "write")
ATTACKER = "Bearer " + cli("token", "create", "--user", "attacker", "--role", "write")
ATTACKER_READ = "Bearer " + cli("token", "create", "--user", "attacker", "--role", "read")

SERVER = None
BASE = None


def start(*extra):
    global SERVER, BASE
    SERVER, BASE = serve(DATA, *extra)


def stop():
    SERVER.terminate()
    SERVER.wait(timeout=30)


def status_mib(field):
    """A memory figure of the server process from /proc (VmRSS: now, VmHWM: its peak)."""
    with open(f"/proc/{SERVER.pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0


def rss_mib():
    return status_mib("VmRSS")


def alive():
    try:
        return requests.get(BASE + "/api/whoami-v2", timeout=10).status_code in (200, 401)
    except requests.RequestException:
        return False


def call(method, path, auth=None, body=None, content_type="application/json", headers=None,
         timeout=60):
    return request(BASE, method, path, auth, body, content_type, headers, timeout)


def ndjson(*lines):
    return "\n".join(json.dumps(x) for x in lines) + "\n"


def header(summary="x"):
    return {"key": "header", "value": {"summary": summary}}


def lfs_batch(repo, operation, objects, auth, transfers=("basic",), ref=True, prefix=""):
    body = {"operation": operation, "transfers": list(transfers), "objects": objects,
            "hash_algo": "sha256"}
    if ref:
        body["ref"] = {"name": "refs/heads/main"}
    return call("POST", f"/{prefix}{repo}.git/info/lfs/objects/batch", auth, body,
                "application/vnd.git-lfs+json",
                headers={"Accept": "application/vnd.git-lfs+json"})


def upload_lfs(repo, content, auth):
    """Uploads `content` through the LFS batch API and commits it as weights.bin."""
    oid = hashlib.sha256(content).hexdigest()
    r = must(lfs_batch(repo, "upload", [{"oid": oid, "size": len(content)}], auth), "batch")
    obj = r.json()["objects"][0]
    if "actions" in obj:
        must(call("PUT", obj["actions"]["upload"]["href"], body=content,
                  content_type="application/octet-stream"), "PUT object")
    must(call("POST", f"/api/models/{repo}/commit/main", auth,
              ndjson(header("weights"), {"key": "lfsFile", "value": {
                  "path": "weights.bin", "algo": "sha256", "oid": oid, "size": len(content)}}),
              "application/x-ndjson"), "commit lfsFile")
    return oid


def pointer(oid, size):
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n"


# ---- fixture ------------------------------------------------------------------------------
start("--rate-limit-auth-failures", "0", "--multipart-threshold", "1000",
      "--multipart-chunk-size", "1000")
must(call("POST", "/api/repos/create", VICTIM, {"name": "private", "private": True}), "create")
must(call("POST", "/api/repos/create", VICTIM, {"name": "gated"}), "create gated")
must(call("PUT", "/api/models/victim/gated/settings", VICTIM, {"gated": "manual"}), "gate")
must(call("POST", "/api/repos/create", ATTACKER, {"name": "mine"}), "create attacker's")
SECRET = os.urandom(3000)
SECRET_OID = upload_lfs("victim/private", SECRET, VICTIM)
GATED = os.urandom(2500)
GATED_OID = upload_lfs("victim/gated", GATED, VICTIM)
ABSENT_OID = hashlib.sha256(b"never stored anywhere").hexdigest()
# A 20 MB regular (non-LFS) file, for the streaming checks of section 4.
must(call("POST", "/api/repos/create", VICTIM, {"name": "open"}), "create open")
BIG = (b"0123456789abcdef" * (20_000_000 // 16))
must(call("POST", "/api/models/victim/open/commit/main", VICTIM,
          ndjson(header("big"), {"key": "file", "value": {
              "path": "big.txt", "encoding": "base64",
              "content": base64.b64encode(BIG).decode()}}), "application/x-ndjson"), "commit big")

# ---- 1. object reachable by hash ------------------------------------------------------------
for label, oid, data in [("private", SECRET_OID, SECRET), ("gated", GATED_OID, GATED)]:
    size = len(data)
    # LFS batch upload on the attacker's own repository: the hub must ask for the bytes.
    r = lfs_batch("attacker/mine", "upload", [{"oid": oid, "size": size}], ATTACKER)
    obj = r.json()["objects"][0]
    report(r.status_code == 200 and "actions" in obj,
           f"{label}: batch upload of a foreign oid asks for the bytes", r.text)
    up = obj.get("actions", {}).get("upload", {}).get("href", "")
    r = call("GET", up) if up else None
    report(r is not None and r.status_code == 403 and data not in r.content,
           f"{label}: the upload href does not download", r.status_code if r else "no href")
    r = call("HEAD", up) if up else None
    report(r is not None and r.status_code == 403, f"{label}: nor answers HEAD",
           r.status_code if r else "")
    # Garbage under the oid: refused, nothing linked.
    r = call("PUT", up, body=b"x" * size, content_type="application/octet-stream") if up else None
    report(r is not None and r.status_code == 422, f"{label}: garbage PUT under the oid is 422",
           r.status_code if r else "")
    # Verify answers as for an object never stored.
    ver = obj.get("actions", {}).get("verify", {}).get("href", "")
    r1 = call("POST", ver, body={"oid": oid, "size": size}, content_type="application/vnd.git-lfs+json")
    r_abs = lfs_batch("attacker/mine", "upload", [{"oid": ABSENT_OID, "size": size}], ATTACKER)
    ver_abs = r_abs.json()["objects"][0]["actions"]["verify"]["href"]
    r2 = call("POST", ver_abs, body={"oid": ABSENT_OID, "size": size},
              content_type="application/vnd.git-lfs+json")
    report(r1.status_code == r2.status_code == 404 and
           r1.text.replace(oid, "X") == r2.text.replace(ABSENT_OID, "X"),
           f"{label}: verify answers alike for a foreign and an absent object",
           f"{r1.status_code} {r1.text} / {r2.status_code} {r2.text}")
    # A read token on the victim's public (gated) repository, without ref: same rules.
    if label == "gated":
        r = lfs_batch("victim/gated", "upload", [{"oid": oid, "size": size}], ATTACKER_READ,
                      ref=False)
        obj = r.json()["objects"][0] if r.status_code == 200 else {}
        href = obj.get("actions", {}).get("upload", {}).get("href", "")
        got = call("GET", href) if href else None
        report(got is None or (got.status_code == 403 and data not in got.content),
               "gated: a read token's upload href on the gated repo does not download",
               got.status_code if got else r.status_code)
        r = lfs_batch("victim/gated", "download", [{"oid": oid, "size": size}], ATTACKER_READ,
                      ref=False)
        report(r.status_code in (401, 403) and data not in r.content,
               "gated: batch download without an accepted request is refused", r.status_code)
    # Multipart completion with no parts, then with forged ETags.
    r = lfs_batch("attacker/mine", "upload", [{"oid": oid, "size": size}], ATTACKER,
                  transfers=("multipart", "basic"))
    obj = r.json()["objects"][0]
    done = obj.get("actions", {}).get("upload", {}).get("href", "")
    report("complete" in done, f"{label}: multipart upload offered", r.text)
    part_url = obj.get("actions", {}).get("upload", {}).get("header", {}).get("00001", "")
    r = call("PUT", part_url, body=os.urandom(1000), content_type="application/octet-stream")
    report(r.status_code == 200, f"{label}: a part can be sent (then abandoned)", r.status_code)
    for parts, what in [([], "no parts"),
                        ([{"partNumber": i + 1, "etag": "0" * 64} for i in range(3)],
                         "forged ETags")]:
        r = call("POST", done, body={"oid": oid, "parts": parts}) if done else None
        report(r is not None and r.status_code == 422,
               f"{label}: multipart completion with {what} is 422", r.text if r else "")
    # NDJSON operations naming the oid.
    for op in [{"key": "lfsFile", "value": {"path": "stolen.bin", "algo": "sha256", "oid": oid,
                                            "size": size}},
               {"key": "file", "value": {"path": "stolen.bin", "encoding": "base64",
                                         "content": base64.b64encode(
                                             pointer(oid, size).encode()).decode()}},
               {"key": "file", "value": {"path": "stolen.bin", "encoding": "utf-8",
                                         "content": pointer(oid, size)}}]:
        r = call("POST", "/api/models/attacker/mine/commit/main", ATTACKER,
                 ndjson(header(), op), "application/x-ndjson")
        report(r.status_code == 422, f"{label}: commit op {op['key']} "
               f"({op['value'].get('encoding', 'lfs')}) naming the oid is 422", r.status_code)
    r = call("GET", "/attacker/mine/resolve/main/stolen.bin")
    report(r.status_code == 404 and data not in r.content,
           f"{label}: nothing to resolve in the attacker's repository", r.status_code)
    # files[] at creation.
    r = call("POST", "/api/repos/create", ATTACKER,
             {"name": "grab-" + label, "files": [{"path": "w.bin", "content": pointer(oid, size)}]})
    report(r.status_code == 422, f"{label}: files[] with a pointer at creation is 422",
           r.status_code)
    r = call("GET", f"/attacker/grab-{label}/resolve/main/w.bin")
    report(data not in r.content, f"{label}: the refused repository serves nothing", r.status_code)
    # LFS batch download through the attacker's repository.
    r = lfs_batch("attacker/mine", "download", [{"oid": oid, "size": size}], ATTACKER)
    obj = r.json()["objects"][0] if r.status_code == 200 else {}
    report("actions" not in obj, f"{label}: batch download via another repository is refused",
           r.text)
    # The render route.
    r = call("GET", "/api/vitrine/render/models/attacker/mine/main/stolen.bin", ATTACKER)
    report(data not in r.content, f"{label}: render route serves nothing", r.status_code)

# git push of a pointer to the private object.
clone = os.path.join(WORK, "clone")
env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_LFS_SKIP_SMUDGE="1",
           HOME=WORK, GIT_CONFIG_NOSYSTEM="1")
host = BASE.split("://")[1]
tok = ATTACKER.split()[1]
url = f"http://attacker:{tok}@{host}/attacker/mine"
subprocess.run(["git", "clone", "-q", url, clone], env=env, check=True, capture_output=True)
with open(os.path.join(clone, "pushed.bin"), "w") as f:
    f.write(pointer(SECRET_OID, len(SECRET)))
subprocess.run(["git", "-C", clone, "add", "pushed.bin"], env=env, check=True)
subprocess.run(["git", "-C", clone, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm",
                "p"], env=env, check=True)
push = subprocess.run(["git", "-C", clone, "push", "-q", "origin", "main"], env=env,
                      capture_output=True, text=True)
report(push.returncode != 0 and "not on the server" in push.stderr,
       "git push of a pointer to a foreign object is refused", push.stderr[-300:])
r = call("GET", "/attacker/mine/resolve/main/pushed.bin")
report(SECRET not in r.content, "the refused push serves nothing", r.status_code)

# A Xet read token stops working when the repository turns private.
must(call("POST", "/api/repos/create", VICTIM, {"name": "turning"}), "create turning")
upload_lfs("victim/turning", os.urandom(2000), VICTIM)
r = must(call("GET", "/api/models/victim/turning/xet-read-token/main", ATTACKER), "xet token")
xet_token = r.json()["accessToken"]
info = must(call("GET", "/victim/turning/resolve/main/weights.bin", ATTACKER,
                 headers={"Accept": "application/vnd.xet-fileinfo+json"}), "xet file info")
xet_hash = info.json()["hash"]
r = call("GET", f"/v1/reconstructions/{xet_hash}", f"Bearer {xet_token}")
report(r.status_code == 200, "xet: the reader's token reads while the repo is public", r.status_code)
must(call("PUT", "/api/models/victim/turning/settings", VICTIM, {"private": True}), "go private")
r = call("GET", f"/v1/reconstructions/{xet_hash}", f"Bearer {xet_token}")
report(r.status_code == 401, "xet: the same token is refused once the repo is private",
       r.status_code)
# ... and once the access token it was issued through is revoked.
must(call("PUT", "/api/models/victim/turning/settings", VICTIM, {"private": False}), "go public")
short_token = "Bearer " + cli("token", "create", "--user", "attacker", "--role", "read",
                              "--name", "kept")
kept_id = [line.split("\t")[0] for line in cli("token", "list", "--user", "attacker").splitlines()
           if "\tkept\t" in line][0]
r = must(call("GET", "/api/models/victim/turning/xet-read-token/main", short_token), "xet token")
xet_token = r.json()["accessToken"]
r = call("GET", f"/v1/reconstructions/{xet_hash}", f"Bearer {xet_token}")
report(r.status_code == 200, "xet: a token from an access token reads", r.status_code)
cli("token", "revoke", kept_id, "--user", "attacker")
r = call("GET", f"/v1/reconstructions/{xet_hash}", f"Bearer {xet_token}")
report(r.status_code == 401, "xet: it is refused once that access token is revoked",
       r.status_code)
# A signed LFS download URL is re-checked the same way on each use.
turning_oid = [f for f in call("GET", "/api/models/victim/turning/tree/main", VICTIM).json()
               if f["path"] == "weights.bin"][0]["lfs"]["oid"]
r = lfs_batch("victim/turning", "download", [{"oid": turning_oid, "size": 2000}], ATTACKER,
              ref=False)
href = r.json()["objects"][0].get("actions", {}).get("download", {}).get("href", "")
got = call("GET", href) if href else None
report(got is not None and got.status_code == 200 and len(got.content) == 2000,
       "a signed download URL serves its reader", got.status_code if got else r.text)
must(call("PUT", "/api/models/victim/turning/settings", VICTIM, {"private": True}), "private again")
got = call("GET", href) if href else None
report(got is not None and got.status_code == 401,
       "the same URL is refused once the repository is private", got.status_code if got else "")
tampered = href.replace("&user=attacker", "&user=victim")
got = call("GET", tampered) if href else None
report(got is not None and got.status_code == 403, "a URL whose reader is changed is refused",
       got.status_code if got else "")

# ---- 2. unbounded parse, every route that reads a body ----------------------------------------
routes = json.loads(subprocess.run([BIN, "routes"], capture_output=True, text=True,
                                   check=True).stdout)
# A repository of its own, and an id no token has: the hostile bodies below are sent with the
# owner's token so that every parser runs, and must not touch anything else.
must(call("POST", "/api/repos/create", VICTIM, {"name": "probe"}), "create probe")
must(call("PUT", "/api/models/victim/probe/settings", VICTIM, {"gated": "auto"}), "gate probe")
FILL = {"{type}s": "models", "{repo}": "victim/probe", "{rev}": "main", "{name}": "x",
        "{id}": "999999", "{oid}": "a" * 64, "{size}": "1", "{part}": "1", "{prefix}": "",
        "{xorb}": "a" * 64, "{path*}": "README.md", "{page}": "x"}


def concrete(pattern):
    path = pattern.split("?")[0]
    for k, v in FILL.items():
        path = path.replace(k, v)
    return path


body_routes = [r for r in routes if r["method"] in ("POST", "PUT", "DELETE")]
DEEP = "[" * 60000 + "]" * 60000
DEEP_OBJ = '{"a":' * 30000 + "1" + "}" * 30000
WRONG_TYPES = {"name": 5, "organization": [], "private": "yes", "files": "x", "paths": 7,
               "operation": 3, "objects": {"oid": 1}, "transfers": 4, "ref": "x",
               "gated": 12, "fromRepo": 1, "toRepo": {}, "type": 9, "username": 1,
               "password": [], "content": 4, "scopes": "x", "role": 1, "user": 5, "parts": 7,
               "status": 1, "reason": [], "startingPoint": 1, "revision": 4}
before = rss_mib()
crashes = []
for route in body_routes:
    path = concrete(route["pattern"])
    for what, body, ctype in [("nested arrays", DEEP, "application/json"),
                              ("nested objects", DEEP_OBJ, "application/json"),
                              ("wrong types", json.dumps(WRONG_TYPES), "application/json"),
                              ("nested NDJSON", DEEP + "\n", "application/x-ndjson")]:
        for auth in (None, VICTIM):
            try:
                r = call(route["method"], path, auth, body, ctype, timeout=30)
                status = r.status_code
                leaked = DATA in r.headers.get("X-Error-Message", "") or DATA in r.text
            except requests.RequestException as e:
                status, leaked = f"no answer ({e.__class__.__name__})", False
            if not isinstance(status, int) or status >= 500 or leaked:
                if status != 501:
                    crashes.append(f"{route['method']} {route['pattern']} {what} "
                                   f"{'auth' if auth else 'anon'}: {status}")
    if not alive():
        crashes.append(f"server died after {route['pattern']}")
        break
report(not crashes, f"{len(body_routes)} body routes x hostile JSON: no 5xx, no crash",
       "; ".join(crashes[:8]))
report(alive(), "the server is alive after the hostile bodies")

# Oversized bodies on every body route (3 MiB of JSON, over the 2 MiB default).
big = json.dumps({"x": ["a" * 1000] * 3000})
bad = []
for route in body_routes:
    if route["access"] in ("signed", "xet", "xet-write") or route["pattern"].endswith(
            ("git-receive-pack", "git-upload-pack", "/commit/{rev}")):
        continue  # own limits: signed objects are sized, git and commits stream
    r = call(route["method"], concrete(route["pattern"]), VICTIM, big, timeout=30)
    if r.status_code >= 500 and r.status_code != 501:  # 501: lock verification, by design
        bad.append(f"{route['pattern']}: {r.status_code}")
report(not bad, "oversized JSON bodies: never 5xx", "; ".join(bad[:8]))
r = call("POST", "/api/repos/create", VICTIM, big)
report(r.status_code == 413, "oversized JSON body: 413", r.status_code)

# YAML: a long list within the front-matter bound parses, a longer one is refused unparsed.
yaml_list = "---\nitems:\n" + "- a\n" * 400000 + "---\n"
rss0 = rss_mib()
r = call("POST", "/api/validate-yaml", None, {"content": yaml_list, "repoType": "model"})
report(r.status_code in (400, 413), "validate-yaml: 1.6 MB of YAML list refused", r.status_code)
r = call("POST", "/api/validate-yaml", None,
         {"content": "---\nitems:\n" + "- a\n" * 60000 + "---\n", "repoType": "model"})
report(r.status_code in (200, 400), "validate-yaml: 240 KB of YAML list answered", r.status_code)
report(rss_mib() - rss0 < 300, "validate-yaml: memory stays bounded",
       f"{rss_mib() - rss0:.0f} MiB")
r = call("POST", "/api/validate-yaml", None, "x" * (5 << 20))
report(r.status_code == 413, "validate-yaml: a 5 MiB body is 413", r.status_code)

# NDJSON: a line over --max-commit-line (64 MiB default) is refused while it is read.
rss0 = rss_mib()


def long_line():
    yield ndjson(header()).encode()
    yield b'{"key":"file","value":{"path":"big.txt","encoding":"base64","content":"'
    chunk = b"A" * (1 << 20)
    for _ in range(80):
        yield chunk
    yield b'"}}\n'


try:
    r = requests.post(BASE + "/api/models/victim/gated/commit/main", data=long_line(),
                      headers={"Authorization": VICTIM,
                               "Content-Type": "application/x-ndjson"}, timeout=120)
    status = r.status_code
except requests.RequestException:
    status = "closed"
report(status in (413, "closed"), "NDJSON line over the limit: 413", status)
report(rss_mib() - rss0 < 600, "NDJSON line over the limit: memory bounded",
       f"{rss_mib() - rss0:.0f} MiB")

# gzip bomb to git-upload-pack (anonymous, public repo): stops at --max-fetch-body.
bomb = gzip.compress(b"0" * (300 << 20), compresslevel=9)
du0 = shutil.disk_usage(WORK).free
r = call("POST", "/victim/gated.git/git-upload-pack", None, bomb,
         "application/x-git-upload-pack-request", headers={"Content-Encoding": "gzip"})
report(r.status_code == 413 or r.status_code in (401, 403),
       "gzip bomb to git-upload-pack is refused", r.status_code)
r = call("POST", "/victim/open.git/git-upload-pack", None, bomb,
         "application/x-git-upload-pack-request", headers={"Content-Encoding": "gzip"})
report(r.status_code == 413, "gzip bomb to a public repository's upload-pack: 413", r.status_code)
report(du0 - shutil.disk_usage(WORK).free < (150 << 20), "the bomb left no large spool on disk",
       f"{(du0 - shutil.disk_usage(WORK).free) >> 20} MiB")
report(rss_mib() - before < 600, "after every parse attack: RSS within 600 MiB of the start",
       f"{rss_mib() - before:.0f} MiB")

# Large NDJSON lines (regular files sent inline) cost about five times their size while read and
# parsed: at most two are, the others wait their turn. Six users' 32 MiB lines at once, on a
# restarted server (a fresh memory peak): all land, and the peak stays near two lines' worth.
WRITERS = []
for i in range(6):
    cli("user", "create", f"writer{i}")
    WRITERS.append("Bearer " + cli("token", "create", "--user", f"writer{i}", "--role", "write"))
    must(call("POST", "/api/repos/create", WRITERS[-1], {"name": "big"}), f"writer{i}/big")
stop()
start()
hwm0 = status_mib("VmHWM")


def big_line_commit(i):
    body = (ndjson(header(f"big {i}")).encode() +
            b'{"key":"file","value":{"path":"big%d.bin","encoding":"base64","content":"' % i +
            b"A" * (32 << 20) + b'"}}\n')
    return call("POST", f"/api/models/writer{i}/big/commit/main", WRITERS[i], body,
                "application/x-ndjson", timeout=120).status_code


with concurrent.futures.ThreadPoolExecutor(6) as pool:
    statuses = list(pool.map(big_line_commit, range(6)))
report(statuses == [200] * 6, "six concurrent 32 MiB NDJSON lines all land", statuses)
report(status_mib("VmHWM") - hwm0 < 600, "and the peak memory stays under 600 MiB (not 6 x 160)",
       f"{status_mib('VmHWM') - hwm0:.0f} MiB")

# ---- 3. unbounded answers -------------------------------------------------------------------
# Every GET route of the route table with hostile paging and expansion parameters (huge, negative,
# malformed, repeated): a clear answer (never a 5xx), quickly, and no bigger than a page.
FILL.update({"{user}": "victim", "{org}": "victim", "{index}": "0", "{status}": "pending",
             "{file}": "a" * 64, "{chunk}": "a" * 64})
HOSTILE_QUERY = "&".join([
    "limit=1000000000", "p=99999999999999999999", "per_page=-1", "offset=-5", "cursor=%00zz",
    "expand=x", "expand[]=lastCommit", "expand=1", "recursive=1", "depth=1000000", "full=1",
    "index=18446744073709551615", "tree_size=-1", "old=2", "new=1", "key=" + "k" * 5000,
    "file=" + "0" * 64, "search=a", "sort=x", "direction=-1", "range=0-99999999999"])
# The largest valid values too, so that the routes answer 200 where they can.
LARGEST_QUERY = "limit=1000000000&per_page=1000000000&recursive=1&expand=1&depth=1000000"
slow, failing, huge = [], [], []
for route in routes:
    if route["method"] != "GET":
        continue
    own = route["pattern"].partition("?")[2]
    for auth, query in [(a, q) for a in (None, VICTIM) for q in (HOSTILE_QUERY, LARGEST_QUERY)]:
        url = concrete(route["pattern"]) + "?" + (own + "&" if own else "") + query
        t0 = time.monotonic()
        try:
            r = call("GET", url, auth, timeout=30)
            status, size = r.status_code, len(r.content)
        except requests.RequestException as e:
            status, size = f"no answer ({e.__class__.__name__})", 0
        took = time.monotonic() - t0
        name = f"{route['pattern']} ({'owner' if auth else 'anonymous'})"
        if not isinstance(status, int) or (status >= 500 and status != 501):
            failing.append(f"{name}: {status}")
        if took > 5:
            slow.append(f"{name}: {took:.1f} s")
        if size > (4 << 20):
            huge.append(f"{name}: {size} bytes")
report(not failing, "every GET route with hostile paging parameters: never a 5xx",
       "; ".join(failing[:8]))
report(not slow, "and each answers within 5 s", "; ".join(slow[:8]))
report(not huge, "and none answers more than 4 MiB", "; ".join(huge[:8]))
report(alive(), "the server is alive after them")

objs = [{"oid": hashlib.sha256(str(i).encode()).hexdigest(), "size": 1} for i in range(1001)]
r = lfs_batch("attacker/mine", "upload", objs, ATTACKER)
report(r.status_code == 413, "LFS batch of 1001 objects: 413", r.status_code)
objs = [{"oid": hashlib.sha256(str(i).encode()).hexdigest(), "size": 64 << 30}
        for i in range(20)]
try:
    r = lfs_batch("attacker/mine", "upload", objs, ATTACKER, transfers=("multipart", "basic"))
    answer = r.json() if r.status_code == 200 else {}
    size, status = len(r.content), r.status_code
except requests.RequestException as e:
    answer, size, status = {}, 0, f"no answer in 60 s ({e.__class__.__name__})"
parts = sum(len(o.get("actions", {}).get("upload", {}).get("header", {})) for o in
            answer.get("objects", []))
report(status == 200 and size < 20 << 20 and parts <= 10000 + 20,
       "LFS batch of huge multipart objects: part URLs capped",
       f"{status} {size} bytes {parts} parts")
errors = [o for o in answer.get("objects", []) if o.get("error", {}).get("code") == 413]
report(len(errors) > 0, "objects past the part budget get a per-object 413", len(errors))
r = lfs_batch("attacker/mine", "upload", {"oid": 5}, ATTACKER)
report(r.status_code == 400, "LFS batch with objects of the wrong type: 400", r.status_code)
r = call("POST", "/attacker/mine.git/info/lfs/objects/batch", ATTACKER,
         {"operation": 7, "objects": []}, "application/vnd.git-lfs+json")
report(r.status_code in (400, 422), "LFS batch with an operation of the wrong type: 4xx",
       r.status_code)

# ---- access decisions and commits -------------------------------------------------------------
cli("user", "create", "scoped")
must(call("POST", "/api/repos/create", "Bearer " + cli("token", "create", "--user", "scoped",
                                                       "--role", "write"),
          {"name": "one", "private": True}), "create scoped/one")
SCOPED_WRITE = "Bearer " + cli("token", "create", "--user", "scoped", "--role", "write")
for name in ("two", "three"):
    must(call("POST", "/api/repos/create", SCOPED_WRITE, {"name": name, "private": True}),
         "create " + name)
SCOPED = "Bearer " + cli("token", "create", "--user", "scoped", "--role", "fineGrained",
                         "--scope", "model:scoped/one=read")
ids = sorted(m["id"] for m in call("GET", "/api/models?author=scoped", SCOPED).json())
report(ids == ["scoped/one"], "a token scoped to one repository lists only that one", ids)
ids = sorted(m["id"] for m in call("GET", "/api/models?search=scoped", SCOPED).json())
report(ids == ["scoped/one"], "and searches only that one", ids)
ids = sorted(m["id"] for m in call("GET", "/api/models?author=scoped", SCOPED_WRITE).json())
report(ids == ["scoped/one", "scoped/three", "scoped/two"], "the user's plain token lists all",
       ids)
r = call("GET", "/api/models?" + "&".join(f"search=a{i}" for i in range(1000)))
report(r.status_code == 400, "a listing with 1000 search parameters is a 400", r.status_code)

# Commits without parentCommit apply to the current head: 60 at once on distinct paths.
must(call("POST", "/api/repos/create", VICTIM, {"name": "busy"}), "create busy")


def commit_one(i):
    return call("POST", "/api/models/victim/busy/commit/main", VICTIM,
                ndjson(header(f"c{i}"), {"key": "file", "value": {
                    "path": f"d{i % 6}/f{i}.txt", "encoding": "utf-8", "content": str(i)}}),
                "application/x-ndjson").status_code


with concurrent.futures.ThreadPoolExecutor(16) as pool:
    statuses = list(pool.map(commit_one, range(60)))
report(statuses.count(200) == 60, "60 concurrent commits without parentCommit all land",
       {s: statuses.count(s) for s in set(statuses)})
files = {f["path"] for f in call("GET", "/api/models/victim/busy/tree/main?recursive=1",
                                 VICTIM).json()}
report(all(f"d{i % 6}/f{i}.txt" in files for i in range(60)), "and every file is there",
       len(files))

for path, blocker in [("d0", "d0"), ("d0/f0.txt/x", "d0/f0.txt")]:
    r = call("POST", "/api/models/victim/busy/commit/main", VICTIM,
             ndjson(header(), {"key": "file", "value": {"path": path, "encoding": "utf-8",
                                                        "content": "x"}}),
             "application/x-ndjson")
    report(r.status_code == 400 and f"'{blocker}'" in r.headers.get("X-Error-Message", ""),
           f"committing '{path}' over '{blocker}' is a 400 naming it",
           f"{r.status_code} {r.headers.get('X-Error-Message')}")
files_after = {f["path"] for f in call("GET", "/api/models/victim/busy/tree/main?recursive=1",
                                       VICTIM).json()}
report(files_after == files, "and nothing was deleted", len(files_after))

# The commits listing pages a cached history: counted once per commit, extended as the branch
# moves, the same pages as before.
def commit_pages(limit):
    ids, page = [], 0
    while True:
        r = call("GET", f"/api/models/victim/busy/commits/main?limit={limit}&p={page}")
        ids += [c["id"] for c in r.json()]
        if "Link" not in r.headers:
            return ids, int(r.headers.get("X-Total-Count", -1))
        page += 1


listed, total = commit_pages(50)
report(total == 61 and len(listed) == 61 and len(set(listed)) == 61,
       "commits listing: 61 commits over two pages, each once", (total, len(listed)))
report(commit_pages(7)[0] == listed, "other page sizes list the same order")
r = call("POST", "/api/models/victim/busy/commit/main", VICTIM,
         ndjson(header("one more"), {"key": "file", "value": {
             "path": "more.txt", "encoding": "utf-8", "content": "more"}}),
         "application/x-ndjson")
newer, total = commit_pages(50)
report(total == 62 and newer == [r.json().get("commitOid")] + listed,
       "after a commit: it comes first, then the same history", (total, len(newer)))
stop()

# ---- 4. slow and greedy clients -------------------------------------------------------------
start("--request-head-timeout", "3", "--max-connections-per-address", "16",
      "--rate-limit-auth-failures", "5")


def hwm_mib():
    return status_mib("VmHWM")


# Large files in git are streamed: eight HEADs and GETs at once (one a Range) stay small.
def fetch_big(i):
    h = {"Range": "bytes=1000000-1000099"} if i == 6 else {}
    if i % 2:
        return requests.head(BASE + "/victim/open/resolve/main/big.txt", timeout=60)
    return requests.get(BASE + "/victim/open/resolve/main/big.txt", headers=h, timeout=60)


with concurrent.futures.ThreadPoolExecutor(8) as pool:
    answers = list(pool.map(fetch_big, range(8)))
report(all(a.status_code in (200, 206) for a in answers) and answers[0].content == BIG and
       answers[6].content == BIG[1000000:1000100] and
       answers[1].headers.get("Content-Length") == str(len(BIG)),
       "a 20 MB file in git: GET, HEAD and Range answer its bytes",
       [a.status_code for a in answers])
report(hwm_mib() < 100, "eight concurrent reads of it: peak memory under 100 MiB",
       f"{hwm_mib():.0f} MiB")

socks = []
for _ in range(16):
    s = socket.create_connection(("127.0.0.1", int(BASE.rsplit(":", 1)[1])))
    s.sendall(b"GET /api/models HTTP/1.1\r\n")
    socks.append(s)
time.sleep(0.3)


def read_answer(sock):
    sock.settimeout(5)
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except OSError:
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
              if line.lower().startswith(b"content-length:")]
    return head, body, length[0] if length else None


extra = socket.create_connection(("127.0.0.1", int(BASE.rsplit(":", 1)[1])))
head, body, length = read_answer(extra)
report(head.startswith(b"HTTP/1.1 429") and length == len(body) and b"Retry-After" in head,
       "a connection past the per-address cap gets a well-formed 429", head[:60] + body)
try:  # the same server, from another client address (127.0.0.2 as the source)
    other = socket.create_connection(("127.0.0.1", int(BASE.rsplit(":", 1)[1])), timeout=10,
                                     source_address=("127.0.0.2", 0))
    other.sendall(b"GET /api/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    served = other.recv(100)[:12]
    other.close()
except OSError as e:
    served = str(e)
report(served == b"HTTP/1.1 200", "another address is served meanwhile", served)
# Trickle one byte a second: the head deadline (3 s) closes the connection anyway.
t0 = time.time()
slow = socks[0]
slow.settimeout(10)
closed_after = None
try:
    for i in range(10):
        slow.sendall(b"X")
        time.sleep(1)
except OSError:
    closed_after = time.time() - t0
if closed_after is None:
    try:
        closed_after = time.time() - t0 if slow.recv(100) == b"" else None
    except OSError:
        closed_after = time.time() - t0
report(closed_after is not None and closed_after < 8,
       "a head trickled byte by byte is cut at the head deadline", closed_after)
for s in socks:
    s.close()
time.sleep(4)
big_head = socket.create_connection(("127.0.0.1", int(BASE.rsplit(":", 1)[1])))
big_head.sendall(b"GET /api/models HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 70000 + b"\r\n\r\n")
head, body, length = read_answer(big_head)
report(head.startswith(b"HTTP/1.1 431") and length == len(body),
       "a request head over 64 KiB gets a well-formed 431", head[:60] + body)
r = requests.get(BASE + "/api/models", timeout=10)
report(r.status_code == 200, "slots are given back when the slow connections end",
       r.status_code)

# Large NDJSON lines: one turn per caller at a time, and a line holding a turn must keep
# arriving (256 KiB/s after a 10 s grace). The attacker opens two commits whose line stops just
# past 1 MiB: the second waits for the first (10 s) and is refused, the victim's large line still
# lands meanwhile, and the stalled one is cut with 408 at its deadline (about 14 s after its turn
# began), not at the 60 s progress timeout.
PORT = int(BASE.rsplit(":", 1)[1])


def stalled_line(auth):
    start_of = (ndjson(header("stalled")) +
                '{"key":"file","value":{"path":"s.bin","encoding":"base64","content":"').encode()
    sent = (1 << 20) + 1024  # just past the large-line mark: the server reads all of it
    sock = socket.create_connection(("127.0.0.1", PORT))
    sock.sendall(b"POST /api/models/attacker/mine/commit/main HTTP/1.1\r\nHost: x\r\n"
                 b"Authorization: " + auth.encode() + b"\r\n"
                 b"Content-Type: application/x-ndjson\r\n"
                 b"Content-Length: %d\r\n\r\n" % (len(start_of) + (8 << 20)) +
                 start_of + b"A" * sent)
    return sock


stalled_at = time.time()
first = stalled_line(ATTACKER)
time.sleep(1)
second = stalled_line(ATTACKER)
second.settimeout(15)
try:
    head = second.recv(40)
except OSError:
    head = b""
report(head.startswith(b"HTTP/1.1 429"),
       "a caller's second large line waits for their first, then gets 429", head[:40])
second.close()
t0 = time.time()
r = call("POST", "/api/models/victim/open/commit/main", VICTIM,
         ndjson(header("big while stalled")).encode() +
         b'{"key":"file","value":{"path":"while.bin","encoding":"base64","content":"' +
         b"A" * (2 << 20) + b'"}}\n', "application/x-ndjson")
report(r.status_code == 200 and time.time() - t0 < 8,
       "another user's large line lands meanwhile", (r.status_code, round(time.time() - t0, 1)))
select.select([first], [], [], 40)  # it sends nothing more: the server answers first
head, _, _ = read_answer(first)
took = time.time() - stalled_at
report(head.startswith(b"HTTP/1.1 408") and 10 < took < 25,
       "the stalled line is cut with 408 at its deadline (10 s grace + 1 s per 256 KiB)",
       (head[:40], round(took)))
first.close()

# Concurrent sign-ins cannot pass the failure budget (5), and a valid token still works.
subprocess.run([BIN, "user", "set-password", "victim", "--data", DATA], input="a long password\n",
               text=True, check=True, capture_output=True)


def bad_login(_):
    return requests.post(BASE + "/api/vitrine/login",
                         json={"username": "victim", "password": "wrong password!"},
                         timeout=60).status_code


with concurrent.futures.ThreadPoolExecutor(12) as pool:
    statuses = list(pool.map(bad_login, range(12)))
report(statuses.count(401) <= 5 and statuses.count(429) >= 7,
       "12 concurrent bad sign-ins: at most 5 checked, the rest 429", statuses)
for _ in range(3):
    call("GET", "/api/whoami-v2", "Bearer hf_notavalidtoken000000000000000")
r = call("GET", "/api/whoami-v2", VICTIM)
report(r.status_code == 200, "a valid token from the same address is still served",
       r.status_code)
r = call("GET", "/api/whoami-v2", "Bearer hf_notavalidtoken000000000000000")
report(r.status_code == 429, "a bad token over the budget gets 429", r.status_code)
stop()

# Behind a trusted proxy the client is X-Forwarded-For's address; from anyone else the header
# is ignored.
start("--trusted-proxy", "127.0.0.1", "--rate-limit-auth-failures", "2")
BAD = "Bearer hf_notavalidtoken000000000000000"
got = [call("GET", "/api/whoami-v2", BAD, headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.1"})
       .status_code for _ in range(3)]
report(got == [401, 401, 429], "through a trusted proxy, failures count per forwarded client",
       got)
r = call("GET", "/api/whoami-v2", BAD, headers={"X-Forwarded-For": "10.0.0.2"})
report(r.status_code == 401, "another forwarded client is not limited", r.status_code)
stop()
start("--rate-limit-auth-failures", "2")
got = [call("GET", "/api/whoami-v2", BAD, headers={"X-Forwarded-For": f"10.0.0.{i}"})
       .status_code for i in range(3)]
report(got == [401, 401, 429], "from an untrusted peer, X-Forwarded-For is ignored", got)
stop()

# ---- 5. what attacks leave on disk is collected ------------------------------------------------
parts_root = os.path.join(DATA, "lfs", "parts")
left = [d for d, _, files in os.walk(parts_root) if files]
report(len(left) > 0, "abandoned multipart parts are on disk before gc", len(left))
out = subprocess.run([BIN, "gc", "--grace-seconds", "0", "--data", DATA], capture_output=True,
                     text=True)
left = [d for d, _, files in os.walk(parts_root) if files]
report(out.returncode == 0 and not left and "abandoned multipart parts" in out.stdout,
       "vitrine gc removes abandoned multipart parts", f"{out.stdout} {out.stderr} {left}")

# ---- 6. the data folder is private to the hub's user ----------------------------------------
mode = os.stat(DATA).st_mode & 0o777
report(mode & 0o077 == 0, "the data folder is not readable by other users", oct(mode))

shutil.rmtree(WORK, ignore_errors=True)
finish()
