#!/usr/bin/env python3
"""A data folder written by release 8414a8d (the last before schema versioning) opens with this
build and upgrades in place: every repository, file, ref, token, access request, log entry and
download count as the old release answered them (tests/fixtures/upgrade/expected.json, made by
make_fixture.py beside it), each database at its newest schema version, the upgrade done once.
A folder written by a newer release than this one is refused, untouched.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hub_test import BIN, finish, report, request, run_cli, serve  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "..", "fixtures", "upgrade")
with open(os.path.join(FIXTURE, "expected.json")) as f:
    EXPECTED = json.load(f)
TOKENS = EXPECTED["tokens"]
ROOT = "Bearer " + TOKENS["root_write"]
WORK = tempfile.mkdtemp(prefix="vitrine-upgrade-")
with tarfile.open(os.path.join(FIXTURE, "datafolder-8414a8d.tar.gz")) as tar:
    tar.extractall(WORK, filter="data")
DATA = os.path.join(WORK, "data")
DATABASES = {"vitrine.db": "vitrine.db", "xet index": "xet/index.sqlite",
             "transparency log": "tlog/log.sqlite"}


def versions(path):
    """The rows of a database's schema_version table, or None without one."""
    db = sqlite3.connect(os.path.join(DATA, path))
    try:
        return db.execute("SELECT version, description FROM schema_version ORDER BY version"
                          ).fetchall()
    except sqlite3.OperationalError:
        return None
    finally:
        db.close()


for name, path in DATABASES.items():
    report(versions(path) is None, f"the fixture's {name} predates schema versions")

# The CLI opens the folder too (each command upgrades what it opens): the log still checks.
check = run_cli(DATA, "tlog", "check", check=False)
report(check.returncode == 0, "`vitrine tlog check` passes on the upgraded log",
       check.stdout + check.stderr)
report(run_cli(DATA, "tlog", "key").stdout.strip() == EXPECTED["tlog_key"],
       "the log keeps its signing key")

process, base = serve(DATA)


def call(method, path, token=None, **kw):
    auth = None if token is None else ("Bearer " + TOKENS[token] if token in TOKENS else token)
    return request(base, method, path, auth, **kw)


applied = {}
for name, path in DATABASES.items():
    rows = versions(path) or []
    applied[name] = rows
    report(rows and [v for v, _ in rows] == list(range(1, len(rows) + 1)) and
           all(d for _, d in rows), f"{name} records its migrations 1..{len(rows)}", rows)

for repo, want in EXPECTED["repos"].items():
    kind = want["type"]
    info = call("GET", f"/api/{kind}s/{repo}", ROOT)
    report(info.status_code == 200, f"{repo}: found", info.text[:200])
    if info.status_code != 200:
        continue
    info = info.json()
    for field in ["sha", "private", "gated", "downloads"]:
        report(info.get(field) == want[field], f"{repo}: {field} as before",
               f"{info.get(field)!r} != {want[field]!r}")
    tree = call("GET", f"/api/{kind}s/{repo}/tree/main", ROOT).json()
    report(sorted([e["path"], e.get("oid")] for e in tree) == want["files"],
           f"{repo}: the same files", tree)
    refs = call("GET", f"/api/{kind}s/{repo}/refs", ROOT).json()
    # A dataset gains its Parquet export (refs/convert/parquet) once the upgraded hub processes
    # it; its branches and tags stay as they were.
    converts = refs.pop("converts", [])
    want_refs = {k: v for k, v in want["refs"].items() if k != "converts"}
    report(refs == want_refs, f"{repo}: the same branches and tags", refs)
    report(all(c["ref"] == "refs/convert/parquet" for c in converts) and
           (kind == "dataset" or not converts), f"{repo}: no other refs", converts)
    tlog = call("GET", f"/api/{kind}s/{repo}/tlog", ROOT).json()
    report(tlog["entries"] == want["tlog"]["entries"], f"{repo}: the same log entries")
    if want["private"]:
        anonymous = call("GET", f"/api/{kind}s/{repo}")
        outsider = call("GET", f"/api/{kind}s/{repo}", "carol_write")
        report(anonymous.status_code == 401 and outsider.status_code == 404,
               f"{repo}: still private", (anonymous.status_code, outsider.status_code))
        # The sealed entries stay sealed from an outsider after the lookup index's upgrade.
        seen = call("GET", f"/api/tlog/lookup?commit={want['sha']}", "carol_write").json()
        own = call("GET", f"/api/tlog/lookup?commit={want['sha']}", "alice_write"
                   if repo.startswith("alice/") else "bob_write").json()
        report(seen["entries"] == [] and len(own["entries"]) >= 1,
               f"{repo}: its log entries open to its readers only",
               (len(seen["entries"]), len(own["entries"])))
    else:
        seen = call("GET", f"/api/tlog/lookup?commit={want['sha']}").json()
        report(len(seen["entries"]) >= 1, f"{repo}: its log entries open to all")

for name in TOKENS:
    who = call("GET", "/api/whoami-v2", name)
    want = 401 if name == EXPECTED["revoked_token"] else 200
    report(who.status_code == want, f"token {name}: answers {want}", who.status_code)
scoped = [call("GET", f"/api/datasets/lab/private-data", "bob_scoped").status_code,
          call("GET", f"/api/models/alice/private-model", "bob_scoped").status_code]
report(scoped == [200, 404], "a fine-grained token keeps its scope", scoped)
read_only = call("POST", "/api/models/alice/public-model/branch/nope", "alice_read", body={})
report(read_only.status_code == 403, "a read token still cannot write", read_only.status_code)

weights = call("GET", "/alice/public-model/resolve/main/model.bin")
report(weights.status_code in (200, 302), "the large file downloads", weights.status_code)
if weights.status_code == 302:
    weights = request(base, "GET", weights.headers["Location"])
report(hashlib.sha256(weights.content).hexdigest() == EXPECTED["lfs_oid"],
       "the large file has its bytes")
gated = call("GET", "/datasets/lab/gated-data/resolve/main/data.jsonl", "carol_write")
pending = call("GET", "/api/datasets/lab/gated-data/user-access-request/pending", "alice_write")
report(gated.status_code == 403 and gated.headers.get("X-Error-Code") == "GatedRepo",
       "a pending access request still waits", gated.status_code)
report(pending.status_code == 200 and [r["user"]["user"] for r in pending.json()] == ["carol"],
       "the access request is listed for the owner", pending.text[:300])

# The dataset viewer processes the upgraded folder's datasets on the first start.
for dataset in ("lab/private-data", "lab/gated-data"):
    for _ in range(300):
        answer = call("GET", f"/datasets-server/first-rows?dataset={dataset}&config=default"
                      "&split=train", "alice_write")
        if answer.headers.get("X-Error-Code") != "ResponseNotReady":
            break
        time.sleep(0.1)
    report(answer.status_code == 200 and len(answer.json().get("rows", [])) >= 1,
           f"{dataset}: the viewer shows its first rows", answer.text[:300])

# Writes work on the upgraded folder, and a restart finds nothing more to do.
commit = call("POST", "/api/models/alice/public-model/commit/main", "alice_write",
              body='{"key":"header","value":{"summary":"after upgrade"}}\n'
                   '{"key":"file","value":{"path":"new.txt","content":"bmV3Cg==",'
                   '"encoding":"base64"}}\n', content_type="application/x-ndjson")
report(commit.status_code == 200, "a commit after the upgrade", commit.text[:200])
process.terminate()
process.wait(timeout=30)
process, base = serve(DATA)
info = call("GET", "/api/models/alice/public-model", ROOT).json()
report(info.get("sha") == commit.json().get("commitOid"), "the commit survives a restart")
report({name: versions(path) for name, path in DATABASES.items()} == applied,
       "a second start applies nothing again")
process.terminate()
process.wait(timeout=30)

# The job queue (a later migration) works on the upgraded folder: the first start queued the
# dataset viewer's processing of each dataset's head, and it ran; a job added is listed.
listed = subprocess.run([BIN, "jobs", "list", "--data", DATA], capture_output=True, text=True,
                        timeout=60)
lines = [line.split("\t") for line in listed.stdout.splitlines()]
report(listed.returncode == 0 and len(lines) >= 1
       and all(f[1] == "done" and f[2] == "dataset-revision" for f in lines),
       "the upgraded folder's datasets were processed for the viewer on the first start",
       listed.stdout[-300:] + listed.stderr[-200:])
db = sqlite3.connect(os.path.join(DATA, "vitrine.db"))
db.execute("INSERT INTO jobs(kind, key, state, created_ms) VALUES ('check', 'k', 'queued', 0)")
db.commit()
db.close()
listed = subprocess.run([BIN, "jobs", "list", "--state", "queued", "--data", DATA],
                        capture_output=True, text=True, timeout=60)
report(listed.returncode == 0 and len(listed.stdout.splitlines()) == 1
       and "\tqueued\tcheck\tk\t0\t0%" in listed.stdout,
       "and lists what is queued", listed.stdout[-200:] + listed.stderr[-200:])

# A folder from a newer release (a migration this build does not know) is refused untouched.
newer = os.path.join(WORK, "newer")
shutil.copytree(DATA, newer)
db = sqlite3.connect(os.path.join(newer, "vitrine.db"))
db.execute("INSERT INTO schema_version VALUES (999, 'from the future', 0)")
db.commit()
db.close()
before = hashlib.sha256(open(os.path.join(newer, "vitrine.db"), "rb").read()).hexdigest()
refused = subprocess.run([BIN, "serve", "--data", newer, "--listen", "127.0.0.1:0"],
                         capture_output=True, text=True, timeout=60)
report(refused.returncode != 0 and "newer release" in refused.stderr + refused.stdout,
       "a folder written by a newer release is refused", refused.stderr[-300:])
after = hashlib.sha256(open(os.path.join(newer, "vitrine.db"), "rb").read()).hexdigest()
report(before == after, "and left as it was")

shutil.rmtree(WORK, ignore_errors=True)
finish()
