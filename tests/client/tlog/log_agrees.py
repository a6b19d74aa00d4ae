#!/usr/bin/env python3
"""Checks that a hub's transparency log and its repositories agree.

Usage: log_agrees.py BASE_URL TOKEN REPO_ID...   (REPO_ID like models/alice/r0)

Reads every entry of the published log (/api/tlog/entries/N), drops the intents a `void` entry
names, replays the rest per (repository, ref), and compares with the refs the hub serves
(/api/models/{repo}/refs). Also checks that every replayed ref entry starts where the previous
one left the ref (compare-and-swap order). Prints one line per problem; exit 1 if any.
"""
import json
import sys
import urllib.request

base, token, repos = sys.argv[1], sys.argv[2], sys.argv[3:]


def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


size = get("/api/tlog/proof/inclusion?index=0")["tree_size"]
entries = [get(f"/api/tlog/entries/{i}") for i in range(size)]
voided = {e["entry"]["voids"] for e in entries if e["entry"]["kind"] == "void"}
state = {}  # (repo_id, ref) -> commit
names = {}  # repo name -> repo_id
problems = []
counts = {"ref": 0, "void": len(voided), "create": 0}
for e in entries:
    x = e["entry"]
    if e["index"] in voided:
        continue
    if x["kind"] == "repo" and x["action"] == "create":
        counts["create"] += 1
        names[x["repo"]] = x["repo_id"]
        for ref, commit in x["refs"].items():
            state[(x["repo_id"], ref)] = commit
    elif x["kind"] == "ref":
        counts["ref"] += 1
        key = (x["repo_id"], x["ref"])
        before = state.get(key, "")
        if before != x["old"]:
            problems.append(f"entry {e['index']}: {x['ref']} moved from {x['old'][:12]!r} "
                            f"but the log had it at {before[:12]!r}")
        state[key] = x["new"]

for repo in repos:
    uid = names.get(repo)
    if uid is None:
        problems.append(f"{repo}: no create entry")
        continue
    refs = get(f"/api/{repo.split('/')[0]}/{repo.split('/', 1)[1]}/refs?include_prs=1")
    actual = {}
    for kind in ("branches", "tags", "converts", "pullRequests"):
        for r in refs.get(kind, []):
            actual[r["ref"]] = r["targetCommit"]
    logged = {ref: c for (rid, ref), c in state.items() if rid == uid and c}
    for ref in sorted(set(actual) | set(logged)):
        if actual.get(ref) != logged.get(ref):
            problems.append(f"{repo} {ref}: hub serves {actual.get(ref)!r}, log says {logged.get(ref)!r}")

for p in problems:
    print("MISMATCH", p)
print(f"log of {size} entries: {counts['create']} creates, {counts['ref']} ref moves, "
      f"{counts['void']} voided intents; {len(problems)} problems")
sys.exit(1 if problems else 0)
