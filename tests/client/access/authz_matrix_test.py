#!/usr/bin/env python3
"""Authorization matrix and enumeration checks against a real `vitrine serve`.

Every route printed by the hidden `vitrine routes` command is sent by every kind of caller
(anonymous, bad token, read and write tokens, fine-grained tokens in and out of scope,
organization members by role, an outsider, a hub admin) against a public, a private and a gated
repository, and the status is compared with the expectation derived below from docs/api.md
"Who may do what". A route without an entry in EXPECT fails the test, as does a route that the
router answers with its "not found" fallback (the table and the router have drifted).

Then: listings, search and counts never reveal a private repository to an outsider, and a
private repository answers as fast as a missing one.
"""
import base64
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hub_test import BIN, finish, must, report, request, run_cli, serve  # noqa: E402

WORK = tempfile.mkdtemp(prefix="vitrine-authz-")
DATA = os.path.join(WORK, "data")


def cli(*args):
    return run_cli(DATA, *args).stdout.strip()


# ---- fixture: users, organization, tokens -------------------------------------------------
for user in ["owner", "member-read", "member-write", "outsider"]:
    cli("user", "create", user)
cli("user", "create", "root", "--admin")
cli("org", "create", "lab", "--owner", "owner")
cli("org", "add-member", "lab", "member-read", "--role", "read")
cli("org", "add-member", "lab", "member-write", "--role", "write")


def token(user, role, *scopes):
    args = ["token", "create", "--user", user, "--role", role]
    for s in scopes:
        args += ["--scope", s]
    return cli(*args)


# Each caller: its Authorization header and what the rules need to know about it.
#   role: role in the `lab` namespace; admin: hub admin; write: the token may write;
#   scope: None, "in" (namespace:lab=read,write, no manage) or "out" (another repo only).
CALLERS = {
    "anonymous": dict(header=None, auth=False, role=None, admin=False, write=False, scope=None),
    "bad-token": dict(header="Bearer hf_notatokenatall0000000000", auth=False, bad=True,
                      role=None, admin=False, write=False, scope=None),
    "read-token": dict(header=token("owner", "read"), auth=True, role="admin", admin=False,
                       write=False, scope=None),
    "write-token": dict(header=token("owner", "write"), auth=True, role="admin", admin=False,
                        write=True, scope=None),
    "fine-grained-in": dict(header=token("owner", "fineGrained", "namespace:lab=read,write"),
                            auth=True, role="admin", admin=False, write=True, scope="in"),
    "fine-grained-out": dict(header=token("owner", "fineGrained", "model:lab/other=read"),
                             auth=True, role="admin", admin=False, write=True, scope="out"),
    "member-read": dict(header=token("member-read", "write"), auth=True, role="read",
                        admin=False, write=True, scope=None),
    "member-write": dict(header=token("member-write", "write"), auth=True, role="write",
                         admin=False, write=True, scope=None),
    "outsider": dict(header=token("outsider", "write"), auth=True, role=None, admin=False,
                     write=True, scope=None),
    "admin": dict(header=token("root", "write"), auth=True, role=None, admin=True, write=True,
                  scope=None),
}
for c in CALLERS.values():
    if c["header"] and not c["header"].startswith("Bearer "):
        c["header"] = "Bearer " + c["header"]
OWNER = CALLERS["write-token"]["header"]

server, BASE = serve(DATA, "--rate-limit-auth-failures", "0")

SESSION = requests.Session()


def call(method, path, auth=None, body=None, content_type="application/json"):
    return request(BASE, method, path, auth, body, content_type, timeout=None, session=SESSION)


def commit(repo, path, content):
    lines = [{"key": "header", "value": {"summary": "add " + path}},
             {"key": "file", "value": {"path": path, "encoding": "base64",
                                       "content": base64.b64encode(content).decode()}}]
    body = "\n".join(json.dumps(x) for x in lines) + "\n"
    must(call("POST", f"/api/models/{repo}/commit/main", OWNER, body, "application/x-ndjson"),
         "commit to " + repo)


SETTINGS = {"public": {"private": False}, "private": {"private": True},
            "gated": {"gated": "manual"}}


def make_repo(name, visibility):
    must(call("POST", "/api/repos/create", OWNER, {"name": name, "organization": "lab"}),
         "create " + name)
    must(call("PUT", f"/api/models/lab/{name}/settings", OWNER, SETTINGS[visibility]),
         "settings " + name)


VISIBILITIES = ["public", "private", "gated"]
for v in VISIBILITIES:
    make_repo(v, v)
    commit("lab/" + v, "w.txt", b"weights")
    # A dataset of the same name, for the routes that exist for datasets only.
    must(call("POST", "/api/repos/create", OWNER, {"name": v, "organization": "lab",
                                                   "type": "dataset"}), "create dataset " + v)
    must(call("PUT", f"/api/datasets/lab/{v}/settings", OWNER, SETTINGS[v]), "settings dataset " + v)

# ---- the expectation table --------------------------------------------------------------
# For each route: `ok` is the status when the caller may do it (a number, or one per
# visibility), for routes about a repository the refusals follow from the route's access:
#   read:   a private repository the caller cannot read answers as missing (401 anonymous,
#           404 authenticated);
#   files:  read, plus the gate on file contents: GatedRepo 401 anonymous / 403 authenticated
#           unless a namespace member or hub admin;
#   write/manage: read, then 401 anonymous / 403 without the right (read-only token,
#           read role, outsider, fine-grained token without the scope; manage needs the
#           `manage` scope).
# Routes not about a repository give `who`: the callers refused and with what status.
# A bad token is 401 everywhere (the router refuses it before routing), except at login,
# which does not look at the Authorization header.
OID = "a" * 64
TOKEN_REFUSALS = {"anonymous": 401, "read-token": 403, "fine-grained-in": 403,
                  "fine-grained-out": 403}
EXPECT = {
    "GET /": dict(ok=200),
    "GET /api/whoami-v2": dict(ok=200, refuse={"anonymous": 401}),
    "POST /api/validate-yaml": dict(ok=200, body={"repoType": "model",
                                                  "content": "---\nlicense: mit\n---\n"}),
    "GET /api/users/{user}/overview": dict(ok=200),
    "GET /api/organizations/{org}/members": dict(ok=200),
    "GET /api/organizations/{org}/overview": dict(ok=200),
    "POST /api/repos/create": dict(ok=200, setup="name", refuse={"anonymous": 401, "read-token": 403,
                                                  "fine-grained-out": 403, "member-read": 403,
                                                  "outsider": 403}),
    "POST /api/vitrine/login": dict(ok=401, bad_ok=True,
                                    body={"username": "owner", "password": "wrong"}),
    "POST /api/vitrine/logout": dict(ok=200),
    # Access tokens: a password session (not sent here) or a write token of the user; read and
    # fine-grained tokens may not (they would mint wider tokens). Another user's id, or none,
    # is 404 (999999 exists for no one).
    "GET /api/vitrine/tokens": dict(ok=200, refuse=TOKEN_REFUSALS),
    "POST /api/vitrine/tokens": dict(ok=201, refuse=TOKEN_REFUSALS,
                                     body={"name": "matrix", "role": "read"}),
    "DELETE /api/vitrine/tokens/{id}": dict(ok=404, refuse=TOKEN_REFUSALS),
    "GET /api/vitrine/audit": dict(ok=200, refuse={c: 403 for c in CALLERS if c != "admin"}
                                   | {"anonymous": 401}),
    # The transparency log is public; sealed entries are opened only for readers (checked in
    # the tlog tests). Without parameters the proof and lookup routes are bad requests.
    "GET /tlog/checkpoint": dict(ok=200),
    "GET /tlog/key": dict(ok=200),
    "GET /tlog/tile/{path*}": dict(ok=200, path="entries/000.p/1"),
    "GET /api/tlog/proof/inclusion": dict(ok=400),
    "GET /api/tlog/proof/consistency": dict(ok=400),
    "GET /api/tlog/entries/{index}": dict(ok=200),
    "GET /api/tlog/lookup": dict(ok=400),
    # Signed object URLs ignore credentials: without a valid signature everyone is refused.
    "PUT /api/vitrine/lfs/objects/{oid}/{size}": dict(ok=403),
    "GET /api/vitrine/lfs/objects/{oid}/{size}": dict(ok=403),
    "PUT /api/vitrine/lfs/parts/{oid}/{size}/{part}": dict(ok=403),
    "POST /api/vitrine/lfs/complete/{oid}/{size}": dict(ok=403),
    "POST /api/vitrine/lfs/verify/{oid}/{size}": dict(ok=403),
    "GET /api/spaces/{path*}": dict(ok=501),
    # The dataset viewer names its dataset in the query: without one, 422 for everyone (its
    # access rules are tested in tests/client/viewer/viewer_test.sh).
    **{f"GET /datasets-server/{e}": dict(ok=422)
       for e in ("is-valid", "splits", "first-rows", "rows", "search", "filter", "parquet", "info",
                 "size", "statistics", "croissant-crumbs")},
    # A media cell's bytes: a path that names none is 404 for everyone (access: viewer_parquet).
    "GET /datasets-server/assets/{path*}": dict(ok=404, path="a/b/--/x/--/c/s/0/col/image.png"),
    "GET /datasets-server/cached-assets/{path*}": dict(ok=404, path="a/b/--/x/--/c/s/0/col/i.png"),
    "GET /api/{type}s": dict(ok=200),
    # About a repository:
    "GET /api/{type}s/{repo}": dict(ok=200),
    "GET /api/{type}s/{repo}/revision/{rev}": dict(ok=200),
    "GET /api/{type}s/{repo}/tree/{rev}/{path*}": dict(ok=200, path=""),
    "POST /api/{type}s/{repo}/paths-info/{rev}": dict(ok=200, body={"paths": ["w.txt"]}),
    "GET /api/{type}s/{repo}/commits/{rev}": dict(ok=200),
    "GET /api/{type}s/{repo}/refs": dict(ok=200),
    "GET /api/{type}s/{repo}/tlog": dict(ok=200),
    # Lineage and openness are metadata, like repository info: read access, gated or not.
    "GET /api/datasets/{repo}/croissant": dict(ok=200),
    # The Parquet export's listing: the files' access (a gated dataset's export is its files).
    "GET /api/datasets/{repo}/parquet": dict(ok=200),
    "GET /api/datasets/{repo}/parquet/{path*}": dict(ok=404, path="default"),
    "GET /api/vitrine/lineage/{type}s/{repo}": dict(ok=200),
    "GET /api/vitrine/lineage/{type}s/{repo}/ancestors": dict(ok=200),
    "GET /api/vitrine/lineage/models/{repo}/descendants": dict(ok=200),
    "GET /api/vitrine/lineage/datasets/{repo}/models": dict(ok=200),
    "GET /api/vitrine/lineage/datasets/{repo}/impact": dict(ok=200, path_query="?revision=main"),
    "GET /api/vitrine/openness/models/{repo}": dict(ok=200),
    # The rendered card is metadata too: public in gated repositories, as on the Hub.
    "GET /api/vitrine/card/{type}s/{repo}": dict(ok=200),
    # The card editor's preview renders text sent by those who may commit it.
    "POST /api/vitrine/card/{type}s/{repo}": dict(ok=200, body={"content": "# Preview\n"}),
    # A commit's diffs show file contents: the gate applies, as to downloads.
    "GET /api/vitrine/diff/{type}s/{repo}/{rev}": dict(ok=200),
    # So does a file rendered as Markdown (the file viewer's view of a .md file).
    "GET /api/vitrine/render/{type}s/{repo}/{rev}/{path*}": dict(ok=200),
    "POST /api/{type}s/{repo}/branch/{name}": dict(ok=200),
    "DELETE /api/{type}s/{repo}/branch/{name}": dict(ok=200, setup="branch"),
    "POST /api/{type}s/{repo}/tag/{rev}": dict(ok=200),
    "DELETE /api/{type}s/{repo}/tag/{name}": dict(ok=200, setup="tag"),
    "PUT /api/{type}s/{repo}/settings": dict(ok=200, body="settings"),
    "GET /api/{type}s/{repo}/auth-check": dict(ok=200),
    "GET /api/{type}s/{repo}/auth-check/write": dict(ok=200),
    # Anyone who can see the repository may ask; only a gated one accepts requests, and
    # anonymous callers must sign in first.
    "POST /api/{type}s/{repo}/ask-access": dict(ok={"public": 400, "private": 400, "gated": 200},
                                                refuse_anonymous=401, body={}),
    "GET /api/{type}s/{repo}/user-access-request/{status}": dict(ok=200),
    # member-read asked for access to the gated repository in the ask-access cells; the
    # other repositories have no request to handle.
    "POST /api/{type}s/{repo}/user-access-request/handle": dict(
        ok={"public": 404, "private": 404, "gated": 200}, body={"user": "member-read", "status": "accepted"}),
    "POST /api/{type}s/{repo}/user-access-request/grant": dict(ok=200,
                                                               body={"user": "member-read"}),
    "POST /api/{type}s/{repo}/preupload/{rev}": dict(
        ok=200, body={"files": [{"path": "x.txt", "size": 1, "sample": "eA=="}]}),
    "POST /api/{type}s/{repo}/commit/{rev}": dict(ok=200, body="commit"),
    "GET /api/{type}s/{repo}/xet-read-token/{rev}": dict(ok=200),
    "GET /api/{type}s/{repo}/xet-write-token/{rev}": dict(ok=200),
    # The CAS API takes only Xet tokens (from the routes above): hub tokens get 401.
    "GET /v1/reconstructions/{file}": dict(ok=401, bad_ok=True),
    "GET /v2/reconstructions/{file}": dict(ok=401, bad_ok=True),
    "POST /v1/reconstructions": dict(ok=401, bad_ok=True, body=[]),
    "GET /v1/chunks/{prefix}/{chunk}": dict(ok=401, bad_ok=True),
    "POST /v1/xorbs/{prefix}/{xorb}": dict(ok=401, bad_ok=True, body=b"x",
                                           content_type="application/octet-stream"),
    "POST /v1/shards": dict(ok=401, bad_ok=True, body=b"x", content_type="application/octet-stream"),
    "POST /v2/shards": dict(ok=401, bad_ok=True, body=b"x", content_type="application/octet-stream"),
    "GET /v2/file-chunk-hashes/{file}": dict(ok=501, bad_ok=True),
    "GET /api/vitrine/xet/xorbs/{xorb}": dict(ok=403),
    "GET /{prefix}{repo}/resolve/{rev}/{path*}": dict(ok=200),
    "GET /{prefix}{repo}/raw/{rev}/{path*}": dict(ok=200),
    "POST /{prefix}{repo}.git/info/lfs/objects/batch": dict(
        ok=200, content_type="application/vnd.git-lfs+json",
        body={"operation": "download", "objects": [{"oid": OID, "size": 1}]}),
    "GET /{prefix}{repo}.git/info/lfs/locks": dict(ok=501),
    "POST /{prefix}{repo}.git/info/lfs/locks/verify": dict(
        ok=501, content_type="application/vnd.git-lfs+json", body={}),
    "GET /{prefix}{repo}.git/info/refs?service=git-upload-pack": dict(ok=200),
    "GET /{prefix}{repo}.git/info/refs?service=git-receive-pack": dict(ok=200),
    "POST /{prefix}{repo}.git/git-upload-pack": dict(
        ok=200, body=b"0000", content_type="application/x-git-upload-pack-request"),
    "POST /{prefix}{repo}.git/git-receive-pack": dict(
        ok=200, body=b"0000", content_type="application/x-git-receive-pack-request"),
    # The web interface: the same index.html for every page (the application asks the API
    # what the caller may see); a missing asset is 404 (with or without a web build).
    "GET /assets/{path*}": dict(ok=404, path="missing.js"),
    "GET /{page}": dict(ok=200),
    "GET /{prefix}{repo}": dict(ok=200),
    "GET /{prefix}{repo}/blob/{rev}/{path*}": dict(ok=200),
    "GET /{prefix}{repo}/edit/{rev}/{path*}": dict(ok=200),
    "GET /{prefix}{repo}/tree/{rev}/{path*}": dict(ok=200),
    "GET /{prefix}{repo}/commits/{rev}/{path*}": dict(ok=200),
    "GET /{prefix}{repo}/commit/{rev}": dict(ok=200),
    "GET /{prefix}{repo}/compare/{rev}": dict(ok=200),
    "GET /{prefix}{repo}/settings": dict(ok=200),
    # Repository ids in the body; each cell uses a throw-away repository.
    "DELETE /api/repos/delete": dict(ok=200, setup="throwaway"),
    "POST /api/repos/move": dict(ok=200, setup="throwaway"),
}


def readable(c, v):
    if v != "private":
        return True
    if c["scope"] == "out":
        return False
    return c["admin"] or c["role"] is not None


def may_write(c, manage=False):
    if not c["write"] or c["scope"] == "out" or (manage and c["scope"] == "in"):
        return False
    return c["admin"] or c["role"] in ("write", "admin")


def expected(route, access, exp, cname, v):
    c = CALLERS[cname]
    if c.get("bad") and not exp.get("bad_ok"):
        return 401
    ok = exp["ok"][v] if isinstance(exp["ok"], dict) and v else exp["ok"]
    if access in ("public", "user", "account", "admin", "signed", "none", "xet", "xet-write"):
        return exp.get("refuse", {}).get(cname, ok)
    if not readable(c, v):
        return 404 if c["auth"] else 401
    # A fine-grained token opens a gate only inside its scopes, whatever its user's role.
    if access == "files" and v == "gated" and (not (c["admin"] or c["role"]) or c["scope"] == "out"):
        return 403 if c["auth"] else 401
    if access in ("write", "manage") and not may_write(c, access == "manage"):
        return 403 if c["auth"] else 401
    if not c["auth"] and "refuse_anonymous" in exp:
        return exp["refuse_anonymous"]
    return ok


def instantiate(pattern, repo, unique, path="w.txt"):
    return (pattern.replace("/{path*}", "/" + path if path else "").replace("{type}s", "models").replace("{prefix}", "")
            .replace("{repo}", repo).replace("{rev}", "main").replace("{path*}", path)
            .replace("{user}", "owner").replace("{org}", "lab").replace("{oid}", OID)
            .replace("{size}", "1").replace("{part}", "1").replace("{status}", "pending")
            .replace("{name}", unique).replace("{index}", "0").replace("{id}", "999999").replace("{page}", "models"))


counter = 0


def send(route, exp, cname, v, repo_name):
    """Sends one cell's request; returns the response."""
    global counter
    counter += 1
    unique = f"n{counter}"
    repo = "lab/" + repo_name
    method = route["method"]
    body = exp.get("body")
    ctype = exp.get("content_type", "application/json")
    setup = exp.get("setup")
    if setup in ("branch", "tag") and v:
        where = "tag/main" if setup == "tag" else "branch/" + unique
        must(call("POST", f"/api/models/{repo}/{where}", OWNER, {"tag": unique}),
             f"{setup} {unique}")
    if setup == "name":
        body = {"name": unique, "organization": "lab"}
    if setup == "throwaway":
        make_repo(unique, v)
        repo = "lab/" + unique
        body = {"name": unique, "organization": "lab", "type": "model"}
        if "move" in route["pattern"]:
            body = {"fromRepo": repo, "toRepo": repo + "-moved", "type": "model"}
    if body == "settings":
        body = SETTINGS[v]
    elif body == "commit":
        lines = [{"key": "header", "value": {"summary": "cell"}},
                 {"key": "file", "value": {"path": unique + ".txt", "encoding": "base64",
                                           "content": "eA=="}}]
        body = "\n".join(json.dumps(x) for x in lines) + "\n"
        ctype = "application/x-ndjson"
    elif "/tag/" in route["pattern"] and method == "POST":
        body = {"tag": unique}
    path = instantiate(route["pattern"], repo, unique, exp.get("path", "w.txt"))
    path += exp.get("path_query", "")
    return call(method, path, CALLERS[cname]["header"], body, ctype)


def is_fallback(resp):
    """True when the router answered "no such endpoint" rather than a handler."""
    msg = resp.headers.get("X-Error-Message", "")
    return (resp.status_code == 404 and (msg.startswith("Not found") or msg.startswith("Unknown"))
            or resp.status_code == 501 and "is not implemented by this hub" in msg)


# ---- the matrix -------------------------------------------------------------------------
ROUTES = json.loads(subprocess.run([BIN, "routes"], check=True, capture_output=True,
                                   text=True).stdout)
cells = 0
for route in ROUTES:
    key = f"{route['method']} {route['pattern']}"
    exp = EXPECT.get(key)
    if exp is None:
        report(False, key, "no authorization expectation for this route in EXPECT")
        continue
    repo_bound = "{repo}" in route["pattern"] or exp.get("setup") == "throwaway"
    wrong = []
    for v in (VISIBILITIES if repo_bound else [None]):
        for cname in CALLERS:
            want = expected(route, route["access"], exp, cname, v)
            resp = send(route, exp, cname, v, v or "public")
            cells += 1
            if is_fallback(resp):
                wrong.append(f"{cname}/{v}: answered by the router's fallback")
            elif resp.status_code != want:
                wrong.append(f"{cname}/{v}: want {want} got {resp.status_code} "
                             f"{resp.headers.get('X-Error-Message', '')[:80]}")
    report(not wrong, key, "; ".join(wrong))
stale = sorted(set(EXPECT) - {f"{r['method']} {r['pattern']}" for r in ROUTES})
report(not stale, "every expectation names a served route", ", ".join(stale))

# Unknown paths and keywords reach the fallback (so is_fallback above can tell).
for method, path in [("GET", "/api/nothing-here"), ("GET", "/api/models/lab/public/bogus"),
                     ("GET", "/lab/public/bogus/main/w.txt"),
                     ("POST", "/lab/public.git/info/lfs/bogus"),
                     ("GET", "/api/vitrine/nothing")]:
    resp = call(method, path, CALLERS["admin"]["header"])
    report(is_fallback(resp), f"unknown {method} {path} reaches the fallback",
           f"{resp.status_code} {resp.headers.get('X-Error-Message', '')}")

# ---- enumeration ------------------------------------------------------------------------
OUT = CALLERS["outsider"]["header"]


def without_counters(content):
    # Download counts of public repositories move on their own (the hub writes the counts of
    # earlier cells' downloads every 2 s): they are not what a private repository could leak.
    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k not in ("downloads", "downloadsAllTime")}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    try:
        return json.dumps(strip(json.loads(content)), sort_keys=True).encode()
    except ValueError:
        return content


def snapshot(path, auth):
    r = call("GET", path, auth)
    return (r.status_code, without_counters(r.content), r.headers.get("X-Total-Count"),
            r.headers.get("Link"))


listings = ["/api/models?author=lab", "/api/models?author=lab&limit=1",
            "/api/models?search=secret", "/api/models?search=lab", "/api/models",
            "/api/users/owner/overview", "/api/organizations/lab/members",
            "/api/organizations/lab/overview",
            "/api/models?author=owner"]
for who, auth in [("outsider", OUT), ("anonymous", None)]:
    before = {p: snapshot(p, auth) for p in listings}
    make_repo("secret-enum", "private")
    must(call("POST", "/api/repos/create", OWNER, {"name": "hidden", "private": True}),
         "create owner/hidden")
    after = {p: snapshot(p, auth) for p in listings}
    for p in listings:
        leaked = [n for n in (b"lab/private", b"secret-enum", b"owner/hidden") if n in after[p][1]]
        report(not leaked and before[p] == after[p],
               f"enumeration ({who}): {p} shows nothing of private repositories",
               f"leaked {leaked}" if leaked else f"changed: {before[p][2:]} -> {after[p][2:]}")
    # Control: a member does see the new repository, so the snapshots above can tell.
    seen = call("GET", "/api/models?author=lab", OWNER).content
    report(b"lab/secret-enum" in seen, f"enumeration ({who}): control, a member sees it")
    call("DELETE", "/api/repos/delete", OWNER, {"name": "secret-enum", "organization": "lab"})
    call("DELETE", "/api/repos/delete", OWNER, {"name": "hidden"})


def timing(auth, label, paths=("/api/models/lab/private", "/api/models/lab/no-such-repo")):
    # Interleaved, after a warm-up; medians of 200 requests each.
    paths = list(paths)
    times = {p: [] for p in paths}
    bodies = {}
    for p in paths * 20:
        call("GET", p, auth)
    for i in range(400):
        p = paths[i % 2]
        t = time.perf_counter()
        r = call("GET", p, auth)
        times[p].append(time.perf_counter() - t)
        bodies[p] = (r.status_code, r.headers.get("X-Error-Code"),
                     r.headers.get("X-Error-Message"),
                     r.text if r.headers.get("Content-Type", "").startswith("application/json")
                     and r.status_code == 200 else None)
    a, b = (statistics.median(times[p]) for p in paths)
    close = abs(a - b) < max(0.2 * min(a, b), 0.0005)
    report(close and bodies[paths[0]] == bodies[paths[1]],
           f"timing ({label}): private and missing answer alike "
           f"(medians {a * 1000:.3f} ms vs {b * 1000:.3f} ms)", f"{bodies}")


timing(OUT, "outsider")
timing(None, "anonymous")
# The transparency log's lookup by name: a private repository's entries are not even scanned.
TLOG_PAIR = ("/api/tlog/lookup?repo=models/lab/private",
             "/api/tlog/lookup?repo=models/lab/no-such-repo")
timing(OUT, "tlog lookup, outsider", TLOG_PAIR)
timing(None, "tlog lookup, anonymous", TLOG_PAIR)
# By file hash: 30 sealed entries of the private repository name this file; a lookup by its
# hash must cost what a lookup of a hash nobody has costs (the query leaves them out unread).
SECRET_A, SECRET_B = b"only in the private repository\n", b"its other version\n"


def lfs_upload(repo, content):
    oid = hashlib.sha256(content).hexdigest()
    r = must(call("POST", f"/{repo}.git/info/lfs/objects/batch", OWNER,
                  {"operation": "upload", "transfers": ["basic"],
                   "objects": [{"oid": oid, "size": len(content)}]},
                  "application/vnd.git-lfs+json"), "LFS batch")
    obj = r.json()["objects"][0]
    if "actions" in obj:
        must(SESSION.put(obj["actions"]["upload"]["href"], data=content), "LFS PUT")
    return oid


OID_A, OID_B = lfs_upload("lab/private", SECRET_A), lfs_upload("lab/private", SECRET_B)
for i in range(60):
    oid, content = (OID_A, SECRET_A) if i % 2 == 0 else (OID_B, SECRET_B)
    lines = [{"key": "header", "value": {"summary": f"secret {i}"}},
             {"key": "lfsFile", "value": {"path": "secret.bin", "algo": "sha256", "oid": oid,
                                          "size": len(content)}}]
    must(call("POST", "/api/models/lab/private/commit/main", OWNER,
              "\n".join(json.dumps(x) for x in lines) + "\n", "application/x-ndjson"),
         "LFS commit")
time.sleep(2)  # the checkpoint that publishes them (lookups stop at the published size)
FILE_PAIR = ("/api/tlog/lookup?file=" + hashlib.sha256(SECRET_A).hexdigest(),
             "/api/tlog/lookup?file=" + hashlib.sha256(b"nobody has this").hexdigest())
r = call("GET", FILE_PAIR[0], OWNER)
report(r.status_code == 200 and len(r.json()["entries"]) >= 30,
       "tlog lookup by file: the owner sees the sealed entries", r.text[:200])
timing(OUT, "tlog lookup by file, outsider", FILE_PAIR)
timing(None, "tlog lookup by file, anonymous", FILE_PAIR)

server.terminate()
server.wait()
subprocess.run(["rm", "-rf", WORK])
print(f"{len(ROUTES)} routes, {cells} cells")
finish()
