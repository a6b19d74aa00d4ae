"""The Python `huggingface_hub` flows, replayed request by request against a real `vitrine serve`.

Source read: huggingface/huggingface_hub `main` (1.x, httpx; hf_api.py at commit 1fb0107) for
hf_api.py, utils/_pagination.py; the requests-based 0.3x line (commit 63e47cc of a mirror of
0.3x) for file_download.py, _commit_api.py, lfs.py, utils/_http.py. 0.36.x and 1.x send the same
requests except where a docstring says otherwise (booleans `True`/`False` vs `true`/`false`,
`private` vs `visibility`, siblings- vs tree-based snapshot). Contract:
/work/shared/reference/hf-api-contract.md.
"""

import base64
import hashlib
import os
import uuid
from urllib.parse import quote, urlparse

import pytest
import requests

import hfwire as hw
from hfwire import Add, Delete, HfError, build_headers

T = hw.TIMEOUT
PRECONDITION_MSG = "The branch was updated since you opened this page. Please refresh and try again."


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def alice(hub):
    return hub.token("alice")


@pytest.fixture
def bob(hub):
    return hub.token("bob")


@pytest.fixture
def repo(hub, alice):
    """A fresh public model repo of alice's (create_repo, exist_ok=False)."""
    rid = f"alice/{uniq('flows')}"
    hw.create_repo(hub.base, rid, alice)
    return rid


def head_commit(hub, rid, token, revision=None, repo_type=None):
    return hw.repo_info(hub.base, rid, token, revision=revision, repo_type=repo_type)["sha"]


# ============================================================================ whoami
def test_whoami_fields(hub, alice):
    """hf_api.py HfApi.whoami (1.x) / 0.36 same: GET /api/whoami-v2 with the Bearer token; the
    caller reads `name` (get_full_repo_name), `type`, `fullname`, `orgs[].name`,
    `auth.accessToken.role|displayName` (login); a 401 means "Invalid user token"."""
    r = requests.get(f"{hub.base}/api/whoami-v2", headers=build_headers(alice), timeout=T)
    hw.raise_for_status(r)
    d = r.json()
    assert d["name"] == "alice"
    assert d["type"] == "user"
    assert isinstance(d.get("orgs"), list)
    assert all("name" in o for o in d["orgs"])
    assert "fullname" in d
    assert d["auth"]["type"] == "access_token"
    assert d["auth"]["accessToken"]["role"] == "write"
    assert "displayName" in d["auth"]["accessToken"]
    assert r.headers.get("X-Request-Id")

    ro = requests.get(f"{hub.base}/api/whoami-v2", headers=build_headers(hub.token("bob", "read")), timeout=T)
    assert ro.status_code == 200 and ro.json()["auth"]["accessToken"]["role"] == "read"

    bad = requests.get(f"{hub.base}/api/whoami-v2", headers=build_headers("hf_" + "x" * 34), timeout=T)
    assert bad.status_code == 401
    assert bad.headers.get("X-Error-Message") == hw.INVALID_CREDENTIALS
    anon = requests.get(f"{hub.base}/api/whoami-v2", headers=build_headers(None), timeout=T)
    assert anon.status_code == 401


# ============================================================================ create_repo
def test_create_repo_private_0x_and_exist_ok(hub, alice, bob):
    """hf_api.py create_repo (0.36 and 1.x < 1.8 send `private`): POST /api/repos/create
    {"name","organization","private":true}; `url` read from the 200 body, and with exist_ok=True
    from the 409 body (r.json()["url"]); RepoUrl parses it back relative to the endpoint."""
    rid = f"alice/{uniq('priv')}"
    url, r = hw.create_repo(hub.base, rid, alice, private=True)
    assert r.status_code == 200
    assert url == f"{hub.base}/{rid}"
    assert hw.repo_info(hub.base, rid, alice)["private"] is True

    # exist_ok=True: the 409 must be JSON with `url`
    r2 = requests.post(f"{hub.base}/api/repos/create", headers=build_headers(alice),
                       json={"name": rid.split("/")[1], "organization": "alice", "private": True}, timeout=T)
    assert r2.status_code == 409, r2.text
    assert r2.json()["url"] == f"{hub.base}/{rid}"
    assert "error" in r2.json()
    url2, _ = hw.create_repo(hub.base, rid, alice, private=True, exist_ok=True)
    assert url2 == url

    # organization null → the token owner's namespace
    name = uniq("nullorg")
    url3, _ = hw.create_repo(hub.base, name, alice)
    assert url3 == f"{hub.base}/alice/{name}"

    # private repo: invisible to bob (404) and to anonymous (401), both RepoNotFound
    with pytest.raises(HfError) as e:
        hw.repo_info(hub.base, rid, bob)
    assert e.value.kind == "RepositoryNotFoundError" and e.value.response.status_code == 404
    with pytest.raises(HfError) as e:
        hw.repo_info(hub.base, rid, None)
    assert e.value.kind == "RepositoryNotFoundError" and e.value.response.status_code == 401


def test_create_repo_visibility_1x_and_dataset(hub, alice):
    """hf_api.py create_repo (1.x ≥ 1.8, per contract §3.6) sends `visibility`; the dataset url is
    {endpoint}/datasets/{id} (RepoUrl → repo_type dataset). The initial commit holds .gitattributes
    (list_repo_commits on a fresh repo)."""
    rid = f"alice/{uniq('vis')}"
    url, _ = hw.create_repo(hub.base, rid, alice, visibility="private", repo_type="dataset")
    assert url == f"{hub.base}/datasets/{rid}"
    info = hw.repo_info(hub.base, rid, alice, repo_type="dataset")
    assert info["private"] is True
    assert hw.SHA1_RE.match(info["sha"])
    assert any(s["rfilename"] == ".gitattributes" for s in info["siblings"])
    commits, _ = hw.paginate(f"{hub.base}/api/datasets/{rid}/commits/main", {}, build_headers(alice))
    assert len(commits) == 1

    rid2 = f"alice/{uniq('vispub')}"
    hw.create_repo(hub.base, rid2, alice, visibility="public")
    assert hw.repo_info(hub.base, rid2, None)["private"] is False


# ============================================================================ upload + download
def test_upload_file_regular_with_readme_then_hf_hub_download(hub, alice, repo):
    """hf_api.py upload_file → create_commit (validate-yaml for README.md, preupload, NDJSON
    commit; commitUrl == {endpoint}/{repo}/commit/{oid}); then file_download.py hf_hub_download:
    HEAD resolve (commit, ETag = git blob sha1, exact Content-Length, no gzip), then GET."""
    readme = b"---\nlicense: mit\n---\n# hello\n"
    cfg = b'{"hidden_size": 8}\n'
    res = hw.create_commit(hub.base, repo, [Add("README.md", readme), Add("sub dir/config,v1.json", cfg)], alice,
                           commit_message="Upload README.md with huggingface_hub")
    assert hw.SHA1_RE.match(res.oid)
    assert res.commit_url == f"{hub.base}/{repo}/commit/{res.oid}"
    pre = [r for k, r in res.requests_log if k == "preupload"][0].json()["files"]
    modes = {f["path"]: f["uploadMode"] for f in pre}
    assert modes == {"README.md": "regular", "sub dir/config,v1.json": "regular"}

    for path, data in (("README.md", readme), ("sub dir/config,v1.json", cfg)):
        content, meta = hw.hf_hub_download(hub.base, repo, path, alice)
        assert content == data
        assert meta.commit_hash == res.oid
        assert meta.etag == hw.git_blob_sha1(data)
        assert meta.response.status_code == 200
        assert int(meta.response.headers["Content-Length"]) == len(data)
        assert meta.response.headers.get("Content-Encoding", "identity") == "identity"
        assert "X-Xet-Hash" not in meta.response.headers

    # the resolve URL shape the client builds (quote(path) keeps '/', encodes ' ' and ',')
    url = hw.hf_hub_url(hub.base, repo, "sub dir/config,v1.json")
    assert "/resolve/main/sub%20dir/config%2Cv1.json" in url
    # a 40-hex commit as revision
    content, meta = hw.hf_hub_download(hub.base, repo, "README.md", alice, revision=res.oid)
    assert content == readme and meta.commit_hash == res.oid


def test_upload_lfs_basic_then_download_private(hub, alice, bob):
    """_commit_api.py _upload_lfs_files + lfs.py post_lfs_batch_info/lfs_upload: `*.bin` is lfs
    (default .gitattributes); batch with vnd.git-lfs+json, objects need oid+size, PUT to href with
    NO auth, verify POST with auth; commit `lfsFile` with size. Download (hf_hub_download):
    X-Linked-Etag = sha256 (cache blob name; local_dir re-hashes), X-Linked-Size/size; an absolute
    Location on another host is fetched without Authorization, so it must be self-authenticating."""
    rid = f"alice/{uniq('lfs')}"
    hw.create_repo(hub.base, rid, alice, private=True)
    data = os.urandom(3000) + b"\0"
    res = hw.create_commit(hub.base, rid, [Add("weights/model.bin", data)], alice)
    kinds = [k for k, _ in res.requests_log]
    assert kinds[:2] == ["preupload", "lfs-batch"], kinds
    assert "lfs-put" in kinds
    batch = dict(res.requests_log)["lfs-batch"]
    assert batch.headers.get("Content-Type", "").startswith("application/vnd.git-lfs+json")
    obj = batch.json()["objects"][0]
    assert obj["oid"] == hw.sha256_hex(data) and obj["size"] == len(data)
    assert batch.json().get("transfer", "basic") in ("basic", "multipart")

    content, meta = hw.hf_hub_download(hub.base, rid, "weights/model.bin", alice)
    assert content == data
    assert meta.etag == hw.sha256_hex(data)
    assert meta.size == len(data)
    assert meta.commit_hash == res.oid
    h = meta.response.headers
    # stored in Xet form: hf_xet (when installed) would download it through the CAS API
    assert len(h.get("X-Xet-Hash", "")) == 64
    assert 'rel="xet-auth"' in h.get("Link", "")
    if meta.response.status_code in (301, 302, 303, 307, 308):
        assert h.get("X-Linked-Size") == str(len(data))

    # the tree entry carries lfs {oid,size,pointerSize} and the same xetHash as the download
    tree, _ = hw.paginate(f"{hub.base}/api/models/{rid}/tree/main/weights", {"recursive": False, "expand": False},
                          build_headers(alice))
    entry = [e for e in tree if e["path"] == "weights/model.bin"][0]
    assert entry["lfs"]["oid"] == hw.sha256_hex(data) and entry["lfs"]["size"] == len(data)
    assert isinstance(entry["lfs"]["pointerSize"], int) and entry["size"] == len(data)
    assert entry["xetHash"] == h["X-Xet-Hash"]

    # uploading the same object again: the batch answers without `actions`
    actions, errors, _ = hw.post_lfs_batch_info(hub.base, rid, "model", [Add("x.bin", data)], alice, "main", [])
    assert not errors and actions[0].get("actions") is None

    # bob cannot see the private LFS file
    with pytest.raises(HfError) as e:
        hw.hf_hub_download(hub.base, rid, "weights/model.bin", bob)
    assert e.value.kind == "RepositoryNotFoundError"


def test_upload_lfs_multipart(hub, alice, repo):
    """lfs.py _upload_multi_part: when the upload action's `header` has `chunk_size`, PUT each
    slice to the numeric keys sorted (exactly ceil(size/chunk) parts, each answer with an ETag),
    then POST {oid, parts:[{partNumber, etag}]} to href with only the LFS headers (no auth)."""
    data = os.urandom(1300 * 1024)
    res = hw.create_commit(hub.base, repo, [Add("big.safetensors", data)], alice)
    kinds = [k for k, _ in res.requests_log]
    assert "lfs-complete" in kinds, f"server did not offer multipart for {len(data)} bytes: {kinds}"
    assert kinds.count("lfs-part") == -(-len(data) // (256 * 1024))
    content, meta = hw.hf_hub_download(hub.base, repo, "big.safetensors", alice)
    assert hashlib.sha256(content).hexdigest() == hw.sha256_hex(data)
    assert meta.etag == hw.sha256_hex(data)


def test_upload_noop_detection_via_preupload_oid(hub, alice, repo):
    """hf_api.py create_commit: additions whose preupload `oid` equals the local oid (git-sha1 of a
    regular file, sha256 of an LFS file; _commit_api.py CommitOperationAdd._local_oid) are dropped
    ("Removing 2 file(s) from commit that have not changed."); with nothing left, no commit is sent
    and repo_info gives the sha ("No files have been modified since last commit")."""
    reg, lfs = b"same content\n", os.urandom(500) + b"\0"
    first = hw.create_commit(hub.base, repo, [Add("a.txt", reg), Add("b.bin", lfs)], alice)
    second = hw.create_commit(hub.base, repo, [Add("a.txt", reg), Add("b.bin", lfs)], alice)
    pre = dict(second.requests_log)["preupload"].json()["files"]
    oids = {f["path"]: f.get("oid") for f in pre}
    assert oids["a.txt"] == hw.git_blob_sha1(reg), f"regular oid should be git-sha1: {pre}"
    assert oids["b.bin"] == hw.sha256_hex(lfs), f"lfs oid should be sha256: {pre}"
    assert second.skipped_noop == 2
    assert "commit" not in [k for k, _ in second.requests_log]
    assert second.oid == first.oid
    assert len(hw.paginate(f"{hub.base}/api/models/{repo}/commits/main", {}, build_headers(alice))[0]) == 2
    # a changed file is not a no-op
    third = hw.create_commit(hub.base, repo, [Add("a.txt", reg + b"x"), Add("b.bin", lfs)], alice)
    assert third.skipped_noop == 1 and third.oid != first.oid


def test_upload_folder_gitignore_already_on_hub(hub, alice, repo):
    """hf_api.py upload_folder → create_commit → _fetch_upload_modes: without a .gitignore in the
    commit, the server applies the .gitignore of the revision; files with shouldIgnore=true are
    neither uploaded nor committed (test_hf_api.py upload_folder gitignore tests)."""
    hw.create_commit(hub.base, repo, [Add(".gitignore", b"nested/*\n")], alice)
    ops = [Add("keep.txt", b"kept\n"), Add("nested/file.bin", os.urandom(100) + b"\0"),
           Add("nested/notes.txt", b"x\n")]
    res = hw.create_commit(hub.base, repo, ops, alice, commit_message="Upload folder using huggingface_hub")
    ign = {f["path"]: f["shouldIgnore"] for f in dict(res.requests_log)["preupload"].json()["files"]}
    assert ign == {"keep.txt": False, "nested/file.bin": True, "nested/notes.txt": True}
    assert "lfs-batch" not in [k for k, _ in res.requests_log]
    files, _ = hw.paginate(f"{hub.base}/api/models/{repo}/tree/main", {"recursive": True, "expand": False},
                           build_headers(alice))
    paths = {e["path"] for e in files if e["type"] == "file"}
    assert "keep.txt" in paths and "nested/file.bin" not in paths and "nested/notes.txt" not in paths


def test_upload_folder_gitignore_in_same_commit(hub, alice, repo):
    """hf_api.py preupload_lfs_files: when `.gitignore` is among the additions its text is sent as
    `gitIgnore` in the preupload payload and decides shouldIgnore for the other files."""
    ops = [Add(".gitignore", b"nested/*\n"), Add("nested/file.bin", os.urandom(64) + b"\0"),
           Add("top.txt", b"top\n")]
    res = hw.create_commit(hub.base, repo, ops, alice)
    ign = {f["path"]: f["shouldIgnore"] for f in dict(res.requests_log)["preupload"].json()["files"]}
    assert ign["nested/file.bin"] is True
    assert ign["top.txt"] is False and ign[".gitignore"] is False
    assert hw.repo_info(hub.base, repo, alice)["sha"] == res.oid
    sib = {s["rfilename"] for s in hw.repo_info(hub.base, repo, alice)["siblings"]}
    assert {".gitignore", "top.txt"} <= sib and "nested/file.bin" not in sib


def test_validate_yaml_always_json(hub, alice):
    """hf_api.py _validate_yaml: POST /api/validate-yaml {content, repoType}; r.json() is read
    before the status, so 200 and 400 must both be JSON; 400 carries errors[].message."""
    ok = requests.post(f"{hub.base}/api/validate-yaml", headers=build_headers(alice),
                       json={"content": "---\nlicense: mit\n---\nhi\n", "repoType": "model"}, timeout=T)
    assert ok.status_code == 200 and isinstance(ok.json(), dict)
    none = requests.post(f"{hub.base}/api/validate-yaml", headers=build_headers(alice),
                         json={"content": "# no metadata\n", "repoType": "model"}, timeout=T)
    assert none.status_code == 200 and isinstance(none.json(), dict)
    bad = requests.post(f"{hub.base}/api/validate-yaml", headers=build_headers(alice),
                        json={"content": "---\n- a\n- : b: c\n---\n", "repoType": "model"}, timeout=T)
    assert bad.status_code == 400, bad.text
    assert all("message" in e for e in bad.json()["errors"])
    with pytest.raises(ValueError, match="Invalid metadata in README.md"):
        hw.validate_yaml(hub.base, "---\n- a\n- : b: c\n---\n", alice)


# ============================================================================ listing / snapshot
def _seed_tree(hub, token, rid):
    files = {
        "README.md": b"---\nlicense: mit\n---\n",
        "config.json": b"{}\n",
        "a/b/c.txt": b"c\n",
        "a/d.txt": b"d\n",
        "e/f.bin": os.urandom(40) + b"\0",
        "g.txt": b"g\n",
    }
    res = hw.create_commit(hub.base, rid, [Add(p, d) for p, d in files.items()], token)
    files[".gitattributes"] = None
    return files, res.oid


def test_list_repo_files_tree_pagination(hub, alice, repo):
    """hf_api.py list_repo_files → list_repo_tree(recursive=True): GET
    /api/models/{id}/tree/{quote(rev)}?recursive=True&expand=False (0.x requests booleans;
    `true`/`false` in 1.x), following `Link: <abs>; rel="next"`; entries of type file|directory
    with `oid`, `size`, `path`. recursive=False must list only the top level."""
    files, sha = _seed_tree(hub, alice, repo)
    for params in ({"recursive": True, "expand": False}, {"recursive": "true", "expand": "false"}):
        items, pages = hw.paginate(f"{hub.base}/api/models/{repo}/tree/main", params, build_headers(alice))
        assert len(pages) > 1, "tree page size 3 should paginate"
        for p in pages[:-1]:
            nxt = p.links["next"]["url"]
            assert nxt.startswith(hub.base + "/"), f"Link must be absolute on the public base: {nxt}"
        assert "next" not in pages[-1].links
        got_files = sorted(e["path"] for e in items if e["type"] == "file")
        assert got_files == sorted(files)
        dirs = sorted(e["path"] for e in items if e["type"] == "directory")
        assert dirs == ["a", "a/b", "e"]
        for e in items:
            assert {"type", "oid", "size", "path"} <= set(e), e
            assert "xetHash" not in e or ("lfs" in e and len(e["xetHash"]) == 64), e
    top, _ = hw.paginate(f"{hub.base}/api/models/{repo}/tree/main", {"recursive": False, "expand": False},
                         build_headers(alice))
    assert sorted(e["path"] for e in top) == sorted([".gitattributes", "README.md", "config.json", "a", "e", "g.txt"])
    # subfolder path is sent as ONE encoded segment (quote(path, safe=""))
    sub, _ = hw.paginate(f"{hub.base}/api/models/{repo}/tree/{quote(sha, safe='')}/{quote('a/b', safe='')}",
                         {"recursive": False, "expand": False}, build_headers(alice))
    assert [e["path"] for e in sub] == ["a/b/c.txt"]
    with pytest.raises(HfError) as e:
        hw.paginate(f"{hub.base}/api/models/{repo}/tree/main/nope", {"recursive": False, "expand": False},
                    build_headers(alice))
    assert e.value.kind == "EntryNotFoundError"


def test_snapshot_download_0x_siblings(hub, alice):
    """_snapshot_download.py (0.36, ≤ 1.9): repo_info(revision) once → `sha` and
    `siblings[].rfilename`; then hf_hub_download(revision=sha) per file (HEAD+GET at the commit)."""
    rid = f"alice/{uniq('snap0')}"
    hw.create_repo(hub.base, rid, alice, private=True)
    files, sha = _seed_tree(hub, alice, rid)
    for rev in (None, "main"):
        info = hw.repo_info(hub.base, rid, alice, revision=rev)
        assert info["sha"] == sha
        names = sorted(s["rfilename"] for s in info["siblings"])
        assert names == sorted(files)
        for name in names:
            content, meta = hw.hf_hub_download(hub.base, rid, name, alice, revision=info["sha"])
            assert meta.commit_hash == sha
            if files[name] is not None:
                assert content == files[name]


def test_snapshot_download_1x_tree(hub, alice):
    """_snapshot_download.py (1.x ≥ 1.10): GET /api/models/{id}/revision/{rev} → `sha`, then
    list_repo_tree(revision=sha, recursive=True) paginated, then a download per file at the sha."""
    rid = f"alice/{uniq('snap1')}"
    hw.create_repo(hub.base, rid, alice)
    files, sha = _seed_tree(hub, alice, rid)
    info = hw.repo_info(hub.base, rid, None, revision="main")
    assert info["sha"] == sha
    items, _ = hw.paginate(f"{hub.base}/api/models/{rid}/tree/{sha}", {"recursive": "true", "expand": "false"},
                           build_headers(None))
    names = sorted(e["path"] for e in items if e["type"] == "file")
    assert names == sorted(files)
    for name in names:
        content, meta = hw.hf_hub_download(hub.base, rid, name, None, revision=sha)
        assert meta.commit_hash == sha
        if files[name] is not None:
            assert content == files[name]


def test_list_models_search(hub, alice, bob):
    """hf_api.py list_models(search=…): GET /api/models?search=<q> (list → repeated key),
    paginated; each item must have `id` (ModelInfo pops it); private repos only for the owner."""
    tag = uniq("srch")
    pub, priv = f"alice/{tag}-pub", f"alice/{tag}-priv"
    hw.create_repo(hub.base, pub, alice)
    hw.create_repo(hub.base, priv, alice, private=True)
    for token, expect in ((alice, {pub, priv}), (bob, {pub}), (None, {pub})):
        items, _ = hw.paginate(f"{hub.base}/api/models", {"search": [tag]}, build_headers(token))
        assert {i["id"] for i in items} == expect, (token, items)
        for i in items:
            assert "id" in i and isinstance(i.get("private"), bool)
    items, _ = hw.paginate(f"{hub.base}/api/models", {"search": [tag], "author": "alice", "sort": "createdAt",
                                                      "direction": -1, "limit": 100}, build_headers(alice))
    assert {i["id"] for i in items} == {pub, priv}


# ============================================================================ refs
def test_create_branch_exist_ok(hub, alice, repo):
    """hf_api.py create_branch: POST /api/models/{id}/branch/{quote(branch, safe='')} JSON {} or
    {"startingPoint": rev}; exist_ok swallows only a 409 (or a 403 when list_repo_refs lists it)."""
    url = f"{hub.base}/api/models/{repo}/branch/{quote('feature/x', safe='')}"
    r = requests.post(url, headers=build_headers(alice), json={}, timeout=T)
    hw.raise_for_status(r)
    r2 = requests.post(url, headers=build_headers(alice), json={}, timeout=T)
    assert r2.status_code == 409, r2.text
    with pytest.raises(HfError) as e:
        hw.raise_for_status(r2)
    assert "Reference refs/heads/feature/x already exists" in str(e.value)
    # from a starting point
    sha = head_commit(hub, repo, alice)
    r3 = requests.post(f"{hub.base}/api/models/{repo}/branch/dev", headers=build_headers(alice),
                       json={"startingPoint": sha}, timeout=T)
    hw.raise_for_status(r3)
    refs = requests.get(f"{hub.base}/api/models/{repo}/refs", headers=build_headers(alice), timeout=T).json()
    names = {b["name"]: b["targetCommit"] for b in refs["branches"]}
    assert names.get("feature/x") == sha and names.get("dev") == sha
    # commit to the slashed branch, encoded like the client does
    res = hw.create_commit(hub.base, repo, [Add("f.txt", b"f\n")], alice, revision="feature/x")
    assert head_commit(hub, repo, alice, revision="feature/x") == res.oid
    # invalid name → 400
    bad = requests.post(f"{hub.base}/api/models/{repo}/branch/{quote('refs/pr/5', safe='')}",
                        headers=build_headers(alice), json={}, timeout=T)
    assert bad.status_code == 400, bad.text


def test_create_tag_and_list_refs(hub, alice, repo):
    """hf_api.py create_tag: POST /api/models/{id}/tag/{quote(rev)} {"tag","message"?}; 409 when it
    exists (exist_ok), RevisionNotFound for a missing revision. list_repo_refs: GET refs
    [?include_prs=1]; `branches`, `converts`, `tags` (and `pullRequests`) are indexed directly,
    each item needs name/ref/targetCommit."""
    sha = head_commit(hub, repo, alice)
    r = requests.post(f"{hub.base}/api/models/{repo}/tag/main", headers=build_headers(alice),
                      json={"tag": "v1.0", "message": "first"}, timeout=T)
    hw.raise_for_status(r)
    again = requests.post(f"{hub.base}/api/models/{repo}/tag/main", headers=build_headers(alice),
                          json={"tag": "v1.0"}, timeout=T)
    assert again.status_code == 409, again.text
    missing = requests.post(f"{hub.base}/api/models/{repo}/tag/{quote('no/such', safe='')}",
                            headers=build_headers(alice), json={"tag": "v2"}, timeout=T)
    with pytest.raises(HfError) as e:
        hw.raise_for_status(missing)
    assert e.value.kind == "RevisionNotFoundError"
    refs = requests.get(f"{hub.base}/api/models/{repo}/refs", headers=build_headers(alice), timeout=T)
    hw.raise_for_status(refs)
    d = refs.json()
    for key in ("branches", "converts", "tags"):
        assert isinstance(d[key], list)
        for item in d[key]:
            assert {"name", "ref", "targetCommit"} <= set(item)
    assert {"name": "v1.0", "ref": "refs/tags/v1.0", "targetCommit": sha}.items() <= \
        [t for t in d["tags"] if t["name"] == "v1.0"][0].items()
    assert [b for b in d["branches"] if b["name"] == "main"][0]["ref"] == "refs/heads/main"
    d2 = requests.get(f"{hub.base}/api/models/{repo}/refs", params={"include_prs": 1},
                      headers=build_headers(alice), timeout=T).json()
    assert isinstance(d2["pullRequests"], list)
    # the tag resolves like a revision
    assert head_commit(hub, repo, alice, revision="v1.0") == sha


def test_list_repo_commits(hub, alice, repo):
    """hf_api.py list_repo_commits: paginate GET /api/models/{id}/commits/{quote(rev)}, with
    params {"expand[]": "formatted"} only when formatted=True; each item needs id, authors[].user,
    date (parse_datetime: %Y-%m-%dT%H:%M:%S[.f]Z), title, message; newest first."""
    hw.create_commit(hub.base, repo, [Add("one.txt", b"1")], alice, commit_message="first upload",
                     commit_description="details here")
    c2 = hw.create_commit(hub.base, repo, [Add("two.txt", b"2")], alice, commit_message="second upload")
    items, pages = hw.paginate(f"{hub.base}/api/models/{repo}/commits/main", {}, build_headers(alice))
    assert len(items) == 3
    assert items[0]["id"] == c2.oid
    assert items[0]["title"] == "second upload"
    assert items[1]["title"] == "first upload" and "details here" in items[1]["message"]
    for it in items:
        assert {"id", "authors", "date", "title", "message"} <= set(it)
        assert hw.SHA1_RE.match(it["id"])
        assert all("user" in a for a in it["authors"])
        assert __import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", it["date"]), it["date"]
        assert "formatted" not in it
    assert [a["user"] for a in items[0]["authors"]] == ["alice"]
    assert pages[0].headers.get("X-Total-Count") == "3"
    fmt, _ = hw.paginate(f"{hub.base}/api/models/{repo}/commits/main", {"expand[]": "formatted"},
                         build_headers(alice))
    assert {"title", "message"} <= set(fmt[0]["formatted"])
    with pytest.raises(HfError) as e:
        hw.paginate(f"{hub.base}/api/models/{repo}/commits/nope", {}, build_headers(alice))
    assert e.value.kind == "RevisionNotFoundError"
    with pytest.raises(HfError) as e:
        hw.paginate(f"{hub.base}/api/models/alice/{uniq('missing')}/commits/main", {}, build_headers(alice))
    assert e.value.kind == "RepositoryNotFoundError"


# ============================================================================ commits / PRs
def test_create_commit_parent_commit_412(hub, alice, repo):
    """hf_api.py create_commit(parent_commit=…): header.parentCommit; a stale parent on a branch
    answers 412 with "The branch was updated since you opened this page. Please refresh and try
    again." (test_hf_api.py commit conflict test, contract §4.4); the current head succeeds."""
    base_sha = head_commit(hub, repo, alice)
    hw.create_commit(hub.base, repo, [Add("x.txt", b"x")], alice)
    with pytest.raises(HfError) as e:
        hw.create_commit(hub.base, repo, [Add("y.txt", b"y")], alice, parent_commit=base_sha)
    assert e.value.response.status_code == 412
    assert PRECONDITION_MSG in str(e.value)
    now = head_commit(hub, repo, alice)
    ok = hw.create_commit(hub.base, repo, [Add("y.txt", b"y")], alice, parent_commit=now)
    assert hw.SHA1_RE.match(ok.oid)


def test_create_pr_then_commit_to_pr(hub, alice, repo):
    """hf_api.py create_commit(create_pr=True): preupload and commit with `?create_pr=1`, LFS batch
    without `ref`; pullRequestUrl required and parsed by `.*/discussions/(\\d+)$` → refs/pr/N
    (test: pr_url == {endpoint}/{repo}/discussions/1). A later commit to revision refs/pr/1 is sent
    as /commit/refs%2Fpr%2F1; downloads and commits listing at refs%2Fpr%2F1 see it."""
    main_before = head_commit(hub, repo, alice)
    lfs = os.urandom(256) + b"\0"
    pr = hw.create_commit(hub.base, repo, [Add("pr.txt", b"in pr\n"), Add("pr.bin", lfs)], alice,
                          create_pr=True, commit_message="Open PR")
    assert pr.pr_url == f"{hub.base}/{repo}/discussions/1"
    batch_req = dict(pr.requests_log)["lfs-batch"].request
    assert b'"ref"' not in batch_req.body
    rev = hw.parse_pr_revision(pr.pr_url)
    assert rev == "refs/pr/1"
    assert head_commit(hub, repo, alice) == main_before  # main untouched
    assert head_commit(hub, repo, alice, revision=rev) == pr.oid

    res = hw.create_commit(hub.base, repo, [Add("pr2.txt", b"second\n")], alice, revision=rev)
    assert dict(res.requests_log)["commit"].request.url.endswith("/commit/refs%2Fpr%2F1")
    assert head_commit(hub, repo, alice, revision=rev) == res.oid
    content, meta = hw.hf_hub_download(hub.base, repo, "pr2.txt", alice, revision=rev)
    assert content == b"second\n" and meta.commit_hash == res.oid
    content, _ = hw.hf_hub_download(hub.base, repo, "pr.bin", alice, revision=rev)
    assert content == lfs
    items, _ = hw.paginate(f"{hub.base}/api/models/{repo}/commits/{quote(rev, safe='')}", {}, build_headers(alice))
    assert [i["id"] for i in items[:2]] == [res.oid, pr.oid]
    refs = requests.get(f"{hub.base}/api/models/{repo}/refs", params={"include_prs": 1},
                        headers=build_headers(alice), timeout=T).json()
    assert [p["ref"] for p in refs["pullRequests"]] == ["refs/pr/1"]
    with pytest.raises(HfError) as e:
        hw.create_commit(hub.base, repo, [Add("z.txt", b"z")], alice, revision=main_before, create_pr=True)
    assert e.value.kind == "RevisionNotFoundError"


def test_create_pr_on_foreign_repo_with_read_token(hub, alice, repo):
    """hf_api.py create_commit(create_pr=True) with a read token on someone else's public repo:
    preupload?create_pr=1, LFS batch without `ref`, PUT, commit?create_pr=1 all succeed (the
    create_pr-by-non-owner test); a direct commit without create_pr is refused."""
    bob_read = hub.token("bob", "read")
    lfs = os.urandom(128) + b"\0"
    pr = hw.create_commit(hub.base, repo, [Add("from-bob.txt", b"hi\n"), Add("from-bob.bin", lfs)], bob_read,
                          create_pr=True)
    assert pr.pr_url.startswith(f"{hub.base}/{repo}/discussions/")
    with pytest.raises(HfError) as e:
        hw.create_commit(hub.base, repo, [Add("direct.txt", b"no\n")], bob_read)
    assert e.value.response.status_code in (401, 403)


def test_commit_delete_file_and_folder(hub, alice, repo):
    """_commit_api.py _prepare_commit_payload: deletedFile for paths, deletedFolder for paths with a
    trailing '/' (is_folder); a missing file gives EntryNotFound (client adds a hint when the
    message contains "A file with this name doesn't exist")."""
    hw.create_commit(hub.base, repo, [Add("d/1.txt", b"1"), Add("d/2.txt", b"2"), Add("keep.txt", b"k")], alice)
    hw.create_commit(hub.base, repo, [Delete("keep.txt")], alice)
    hw.create_commit(hub.base, repo, [Delete("d/", is_folder=True)], alice)
    sib = {s["rfilename"] for s in hw.repo_info(hub.base, repo, alice)["siblings"]}
    assert sib == {".gitattributes"}
    with pytest.raises(HfError) as e:
        hw.create_commit(hub.base, repo, [Delete("nope.txt")], alice)
    assert e.value.kind == "EntryNotFoundError"


# ============================================================================ settings / move / delete
def test_update_repo_settings_and_visibility(hub, alice, bob, repo):
    """hf_api.py update_repo_settings: PUT /api/models/{id}/settings JSON {"private": bool} and/or
    {"gated": "auto"|"manual"|False} (1.x ≥ 1.8 also `visibility`); 0.x update_repo_visibility
    parses the body as JSON. Read back through model_info; a gated repo keeps metadata visible and
    refuses file contents with GatedRepo (401 anonymous / 403 authenticated)."""
    url = f"{hub.base}/api/models/{repo}/settings"
    r = requests.put(url, headers=build_headers(alice), json={"private": True}, timeout=T)
    hw.raise_for_status(r)
    r.json()  # update_repo_visibility (0.x) returns r.json()
    assert hw.repo_info(hub.base, repo, alice)["private"] is True
    r = requests.put(url, headers=build_headers(alice), json={"visibility": "public"}, timeout=T)
    hw.raise_for_status(r)
    assert hw.repo_info(hub.base, repo, alice)["private"] is False
    r = requests.put(url, headers=build_headers(alice), json={"gated": "auto"}, timeout=T)
    hw.raise_for_status(r)
    info = hw.repo_info(hub.base, repo, bob)
    assert info["gated"] == "auto"
    with pytest.raises(HfError) as e:
        hw.hf_hub_download(hub.base, repo, ".gitattributes", bob)
    assert e.value.kind == "GatedRepoError" and e.value.response.status_code == 403
    with pytest.raises(HfError) as e:
        hw.hf_hub_download(hub.base, repo, ".gitattributes", None)
    assert e.value.kind == "GatedRepoError" and e.value.response.status_code == 401
    r = requests.put(url, headers=build_headers(alice), json={"gated": False}, timeout=T)
    hw.raise_for_status(r)
    assert hw.repo_info(hub.base, repo, alice)["gated"] is False
    # bob may not change alice's settings
    r = requests.put(url, headers=build_headers(bob), json={"private": True}, timeout=T)
    assert r.status_code in (401, 403, 404)


def test_move_repo_and_relative_redirect(hub, alice, bob):
    """hf_api.py move_repo: POST /api/repos/move {"fromRepo","toRepo","type":"model"}. Then
    hf_hub_download through the OLD id of a private repo: the HEAD gets a 3xx with a RELATIVE
    Location, file_download.py _request_wrapper follows it keeping Authorization (same host)."""
    old = f"alice/{uniq('old')}"
    new = f"alice/{uniq('new')}"
    hw.create_repo(hub.base, old, alice, private=True)
    hw.create_commit(hub.base, old, [Add("file.txt", b"moved\n")], alice)
    r = requests.post(f"{hub.base}/api/repos/move", headers=build_headers(alice),
                      json={"fromRepo": old, "toRepo": new, "type": "model"}, timeout=T)
    hw.raise_for_status(r)
    assert hw.repo_info(hub.base, new, alice)["id"] == new

    raw = requests.head(hw.hf_hub_url(hub.base, old, "file.txt"), allow_redirects=False,
                        headers={**build_headers(alice), "Accept-Encoding": "identity"}, timeout=T)
    assert raw.status_code in (301, 302, 307, 308), raw.status_code
    loc = raw.headers["Location"]
    assert urlparse(loc).netloc == "", f"rename redirect must be relative: {loc}"
    assert urlparse(loc).path == f"/{new}/resolve/main/file.txt"
    content, meta = hw.hf_hub_download(hub.base, old, "file.txt", alice)
    assert content == b"moved\n"
    # bob still cannot see it through the old name
    with pytest.raises(HfError) as e:
        hw.hf_hub_download(hub.base, old, "file.txt", bob)
    assert e.value.kind == "RepositoryNotFoundError"
    # target exists → error message "A model repository called … already exists"
    other = f"alice/{uniq('other')}"
    hw.create_repo(hub.base, other, alice)
    r = requests.post(f"{hub.base}/api/repos/move", headers=build_headers(alice),
                      json={"fromRepo": new, "toRepo": other, "type": "model"}, timeout=T)
    with pytest.raises(HfError) as e:
        hw.raise_for_status(r)
    assert __import__("re").search(r"A model repository called .* already exists", str(e.value)), str(e.value)


def test_delete_repo(hub, alice):
    """hf_api.py delete_repo: DELETE /api/repos/delete JSON {"name","organization"[, "type"]};
    a missing repo → 404 RepoNotFound with X-Request-Id (missing_ok swallows RepositoryNotFoundError)."""
    rid = f"alice/{uniq('del')}"
    hw.create_repo(hub.base, rid, alice, repo_type="dataset")
    org, name = rid.split("/")
    r = requests.request("DELETE", f"{hub.base}/api/repos/delete", headers=build_headers(alice),
                         json={"name": name, "organization": org, "type": "dataset"}, timeout=T)
    hw.raise_for_status(r)
    with pytest.raises(HfError) as e:
        hw.repo_info(hub.base, rid, alice, repo_type="dataset")
    assert e.value.kind == "RepositoryNotFoundError"
    r = requests.request("DELETE", f"{hub.base}/api/repos/delete", headers=build_headers(alice),
                         json={"name": name, "organization": org, "type": "dataset"}, timeout=T)
    assert r.status_code == 404
    assert r.headers.get("X-Error-Code") == "RepoNotFound"
    assert r.headers.get("X-Request-Id")
    with pytest.raises(HfError) as e:
        hw.raise_for_status(r)
    assert f"(Request ID: {r.headers['X-Request-Id']})" in str(e.value)
    # model type omitted (client only adds `type` when repo_type is given)
    rid2 = f"alice/{uniq('del2')}"
    hw.create_repo(hub.base, rid2, alice)
    r = requests.request("DELETE", f"{hub.base}/api/repos/delete", headers=build_headers(alice),
                         json={"name": rid2.split("/")[1], "organization": "alice"}, timeout=T)
    hw.raise_for_status(r)


# ============================================================================ paths-info / exists
def test_get_paths_info_form_encoded(hub, alice, repo):
    """hf_api.py get_paths_info: POST /api/models/{id}/paths-info/{quote(rev)} as a FORM
    (`paths=a&paths=b&expand=False` with requests; `expand=false` with httpx); unknown paths are
    omitted, a directory gives a `directory` entry; RepoFile needs path/size/oid (+lfs
    {size, oid, pointerSize}), RepoFolder path/oid."""
    lfs = os.urandom(64) + b"\0"
    hw.create_commit(hub.base, repo, [Add("dir/a.txt", b"a\n"), Add("dir/w.bin", lfs)], alice)
    for expand in (False, "false"):
        r = requests.post(f"{hub.base}/api/models/{repo}/paths-info/main", headers=build_headers(alice),
                          data={"paths": ["dir/a.txt", "dir/w.bin", "dir", "missing.txt"], "expand": expand},
                          timeout=T)
        assert r.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        hw.raise_for_status(r)
        by = {e["path"]: e for e in r.json()}
        assert set(by) == {"dir/a.txt", "dir/w.bin", "dir"}
        assert by["dir"]["type"] == "directory" and "oid" in by["dir"]
        assert by["dir/a.txt"]["oid"] == hw.git_blob_sha1(b"a\n") and by["dir/a.txt"]["size"] == 2
        lf = by["dir/w.bin"]["lfs"]
        assert lf["oid"] == hw.sha256_hex(lfs) and lf["size"] == len(lfs) and "pointerSize" in lf
    with pytest.raises(HfError) as e:
        hw.raise_for_status(requests.post(f"{hub.base}/api/models/{repo}/paths-info/nope",
                                          headers=build_headers(alice), data={"paths": ["x"], "expand": False}, timeout=T))
    assert e.value.kind == "RevisionNotFoundError"


def test_repo_file_revision_exists(hub, alice, bob, repo):
    """hf_api.py repo_exists (repo_info; GatedRepo → True, RepositoryNotFound → False),
    revision_exists (repo_info(revision); RevisionNotFound → False), file_exists (HEAD resolve via
    get_hf_file_metadata; RepositoryNotFound/EntryNotFound/RevisionNotFound → False)."""
    def repo_exists(rid, token):
        try:
            hw.repo_info(hub.base, rid, token)
            return True
        except HfError as e:
            if e.kind == "GatedRepoError":
                return True
            if e.kind == "RepositoryNotFoundError":
                return False
            raise

    def revision_exists(rid, rev, token):
        try:
            hw.repo_info(hub.base, rid, token, revision=rev)
            return True
        except HfError as e:
            if e.kind in ("RevisionNotFoundError", "RepositoryNotFoundError"):
                return False
            raise

    def file_exists(rid, fn, token, rev=None):
        try:
            hw.get_hf_file_metadata(hw.hf_hub_url(hub.base, rid, fn, rev), token)
            return True
        except HfError as e:
            if e.kind in ("RepositoryNotFoundError", "EntryNotFoundError", "RevisionNotFoundError"):
                return False
            raise

    assert repo_exists(repo, alice) and repo_exists(repo, None)
    assert not repo_exists(f"alice/{uniq('nope')}", alice)
    assert not repo_exists("repo-that-does-not-exist", alice)
    assert revision_exists(repo, "main", alice)
    assert not revision_exists(repo, "nope", alice)
    assert file_exists(repo, ".gitattributes", alice)
    assert not file_exists(repo, "nope.txt", alice)
    assert not file_exists(repo, ".gitattributes", alice, rev="nope")
    assert not file_exists(f"alice/{uniq('nope')}", ".gitattributes", alice)


# ============================================================================ error mapping
def test_error_mapping(hub, alice, bob):
    """utils/_http.py hf_raise_for_status: X-Error-Code decides (RepoNotFound / RevisionNotFound /
    EntryNotFound / GatedRepo); over http the 401 fallback regex never matches, so the header is
    mandatory. Every response carries X-Request-Id; messages include "(Request ID: …)". 401 for
    anonymous vs 404 for authenticated on a private/missing repo. A missing repo's message should
    be "Repository not found" so the client does not append it (exact-message test of a commit to
    a missing repo); a bad token answers 401 "Invalid credentials in Authorization header"."""
    priv = f"alice/{uniq('err')}"
    hw.create_repo(hub.base, priv, alice, private=True)
    sha = head_commit(hub, priv, alice)
    cases = [
        ("GET", f"{hub.base}/api/models/{priv}", None, 401, "RepoNotFound"),
        ("GET", f"{hub.base}/api/models/{priv}", bob, 404, "RepoNotFound"),
        ("HEAD", hw.hf_hub_url(hub.base, priv, ".gitattributes"), None, 401, "RepoNotFound"),
        ("HEAD", hw.hf_hub_url(hub.base, priv, ".gitattributes"), bob, 404, "RepoNotFound"),
        ("GET", f"{hub.base}/api/models/alice/{uniq('missing')}", alice, 404, "RepoNotFound"),
        ("GET", f"{hub.base}/api/models/alice/{uniq('missing')}", None, 401, "RepoNotFound"),
        ("HEAD", hw.hf_hub_url(hub.base, priv, "nope.txt"), alice, 404, "EntryNotFound"),
        ("HEAD", hw.hf_hub_url(hub.base, priv, "x.txt", revision="nope"), alice, 404, "RevisionNotFound"),
        ("GET", f"{hub.base}/api/models/{priv}/revision/nope", alice, 404, "RevisionNotFound"),
        ("GET", f"{hub.base}/api/models/{priv}/tree/nope", alice, 404, "RevisionNotFound"),
    ]
    for method, url, token, status, code in cases:
        r = requests.request(method, url, headers=build_headers(token), allow_redirects=False, timeout=T)
        assert (r.status_code, r.headers.get("X-Error-Code")) == (status, code), (method, url, token, r.status_code,
                                                                                  dict(r.headers))
        assert r.headers.get("X-Request-Id"), (method, url)
        if method != "HEAD":
            assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
            assert isinstance(r.json().get("error"), str)
    # EntryNotFound on resolve carries X-Repo-Commit (cached as .no_exist/<commit>/<file>)
    r = requests.head(hw.hf_hub_url(hub.base, priv, "nope.txt"), headers=build_headers(alice), timeout=T)
    assert r.headers.get("X-Repo-Commit") == sha

    # exact message of a commit to a missing repo (test_hf_api.py, contract §1.5)
    missing = f"alice/{uniq('nothere')}"
    with pytest.raises(HfError) as e:
        hw.create_commit(hub.base, missing, [Add("a.txt", b"a")], alice)
    rid_hdr = e.value.response.headers["X-Request-Id"]
    expected = (
        f"404 Client Error. (Request ID: {rid_hdr})\n\nRepository Not Found for url: "
        f"{hub.base}/api/models/{missing}/preupload/main.\nPlease make sure you specified the correct "
        "`repo_id` and `repo_type`.\nIf you are trying to access a private or gated repo, make sure you are "
        "authenticated. For more details, see https://huggingface.co/docs/huggingface_hub/authentication"
    )
    assert str(e.value) == expected, f"server message {e.value.server_message!r} was appended"

    # a bad token is not silently anonymous
    r = requests.get(f"{hub.base}/api/models/{priv}", headers=build_headers("hf_" + "Z" * 34), timeout=T)
    assert r.status_code == 401
    assert r.headers.get("X-Error-Message") == hw.INVALID_CREDENTIALS

    # success responses carry X-Request-Id too
    ok = requests.get(f"{hub.base}/api/models/{priv}", headers=build_headers(alice), timeout=T)
    assert ok.status_code == 200 and ok.headers.get("X-Request-Id")


def test_commit_rejects_bad_paths(hub, alice, repo):
    """_commit_api.py sends paths as given after client-side checks (`..` prefix, `.git/`); the
    server must refuse traversal such as `..\\\\ddd` with 422 (test_hf_api.py relative-path test)."""
    body = (
        b'{"key":"header","value":{"summary":"x","description":""}}\n'
        + b'{"key":"file","value":{"path":"..\\\\ddd","content":"' + base64.b64encode(b"x") + b'","encoding":"base64"}}\n'
    )
    r = requests.post(f"{hub.base}/api/models/{repo}/commit/main",
                      headers={"Content-Type": "application/x-ndjson", **build_headers(alice)}, data=body, timeout=T)
    assert r.status_code == 422, (r.status_code, r.text)


# ============================================================================ more client details
def test_repo_info_blobs_expand_and_case(hub, alice, bob, repo):
    """hf_api.py model_info: files_metadata=True sends `blobs=True` and ModelInfo indexes
    sibling["lfs"]["sha256"|"size"|"pointerSize"] directly; expand=["xetEnabled"] (0.30–0.35 on
    every upload) must not fail and must not say true; securityStatus=True is tolerated.
    Repo ids are case-insensitive (test_hf_api.py commits to repo_id.lower())."""
    lfs = os.urandom(80) + b"\0"
    hw.create_commit(hub.base, repo, [Add("w.bin", lfs), Add("r.txt", b"r\n")], alice)
    info = hw.repo_info(hub.base, repo, alice, params={"blobs": True})
    sib = {s["rfilename"]: s for s in info["siblings"]}
    assert sib["r.txt"]["size"] == 2 and sib["r.txt"]["blobId"] == hw.git_blob_sha1(b"r\n")
    lf = sib["w.bin"]["lfs"]
    assert lf["sha256"] == hw.sha256_hex(lfs) and lf["size"] == len(lfs) and isinstance(lf["pointerSize"], int)
    x = hw.repo_info(hub.base, repo, alice, params={"expand": ["xetEnabled"]})
    assert x.get("xetEnabled") in (None, False)
    hw.repo_info(hub.base, repo, alice, params={"securityStatus": True})
    for k in ("lastModified", "createdAt"):
        if k in info:
            assert __import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", info[k]), info[k]

    mixed = f"alice/{uniq('MixedCase')}"
    hw.create_repo(hub.base, mixed, alice)
    res = hw.create_commit(hub.base, mixed.lower(), [Add("lower.txt", b"l\n")], alice)
    assert head_commit(hub, mixed, alice) == res.oid

    # exist_ok by someone without write access to the namespace: 403 (then repo_info) or 409
    r = requests.post(f"{hub.base}/api/repos/create", headers=build_headers(bob),
                      json={"name": repo.split("/")[1], "organization": "alice"}, timeout=T)
    assert r.status_code in (403, 409), (r.status_code, r.text)
    if r.status_code == 409:
        assert r.json()["url"] == f"{hub.base}/{repo}"


def test_empty_file_matching_lfs_pattern(hub, alice, repo):
    """_commit_api.py _fetch_upload_modes: empty files are forced to "regular" whatever preupload
    says, and committed as a `file` line with empty base64 content (empty LFS-pattern test)."""
    res = hw.create_commit(hub.base, repo, [Add("empty.bin", b""), Add("empty.txt", b"")], alice)
    assert "lfs-batch" not in [k for k, _ in res.requests_log]
    content, meta = hw.hf_hub_download(hub.base, repo, "empty.bin", alice)
    assert content == b"" and meta.size == 0


def test_download_resume_range(hub, alice, repo):
    """file_download.py http_get: a resumed download sends `Range: bytes=<n>-` (via
    _adjust_range_header) and takes the total from Content-Range; the rest of the bytes must match."""
    data = bytes(range(256)) * 4
    lfs = os.urandom(2048) + b"\0"
    hw.create_commit(hub.base, repo, [Add("r.txt", data), Add("r.bin", lfs)], alice)
    for name, blob in (("r.txt", data), ("r.bin", lfs)):
        meta = hw.get_hf_file_metadata(hw.hf_hub_url(hub.base, repo, name), alice)
        r = hw.request_wrapper("GET", meta.location, headers={**build_headers(alice), "Range": "bytes=100-"},
                               stream=True)
        assert r.status_code == 206, r.status_code
        assert r.headers["Content-Range"] == f"bytes 100-{len(blob) - 1}/{len(blob)}"
        assert r.content == blob[100:]


def test_dataset_upload_and_download_prefix(hub, alice):
    """lfs.py post_lfs_batch_info / file_download.py hf_hub_url for repo_type="dataset": batch at
    {endpoint}/datasets/{id}.git/info/lfs/objects/batch, resolve at {endpoint}/datasets/{id}/resolve/…,
    API at /api/datasets/{id}; commitUrl {endpoint}/datasets/{id}/commit/{oid}."""
    rid = f"alice/{uniq('ds')}"
    hw.create_repo(hub.base, rid, alice, repo_type="dataset")
    pq = os.urandom(300) + b"\0"
    res = hw.create_commit(hub.base, rid, [Add("data/train.parquet", pq), Add("README.md", b"---\n---\n")], alice,
                           repo_type="dataset")
    assert dict(res.requests_log)["lfs-batch"].request.url == f"{hub.base}/datasets/{rid}.git/info/lfs/objects/batch"
    assert res.commit_url == f"{hub.base}/datasets/{rid}/commit/{res.oid}"
    content, meta = hw.hf_hub_download(hub.base, rid, "data/train.parquet", alice, repo_type="dataset")
    assert content == pq and meta.etag == hw.sha256_hex(pq)


def test_delete_tag_and_branch(hub, alice, repo):
    """hf_api.py delete_tag / delete_branch: DELETE …/tag/{quote(tag)} (missing → RevisionNotFound),
    DELETE …/branch/{quote(branch)} (main → error 'Cannot delete refs/heads/main'; missing →
    'Invalid rev id')."""
    hw.raise_for_status(requests.post(f"{hub.base}/api/models/{repo}/tag/main", headers=build_headers(alice),
                                      json={"tag": "t1"}, timeout=T))
    hw.raise_for_status(requests.delete(f"{hub.base}/api/models/{repo}/tag/t1", headers=build_headers(alice), timeout=T))
    r = requests.delete(f"{hub.base}/api/models/{repo}/tag/t1", headers=build_headers(alice), timeout=T)
    with pytest.raises(HfError) as e:
        hw.raise_for_status(r)
    assert e.value.kind == "RevisionNotFoundError"
    hw.raise_for_status(requests.post(f"{hub.base}/api/models/{repo}/branch/b1", headers=build_headers(alice),
                                      json={}, timeout=T))
    hw.raise_for_status(requests.delete(f"{hub.base}/api/models/{repo}/branch/b1", headers=build_headers(alice),
                                        timeout=T))
    r = requests.delete(f"{hub.base}/api/models/{repo}/branch/main", headers=build_headers(alice), timeout=T)
    with pytest.raises(HfError) as e:
        hw.raise_for_status(r)
    assert "Cannot delete refs/heads/main" in str(e.value)
    r = requests.delete(f"{hub.base}/api/models/{repo}/branch/b1", headers=build_headers(alice), timeout=T)
    with pytest.raises(HfError) as e:
        hw.raise_for_status(r)
    assert "Invalid rev id" in str(e.value)


def test_list_models_full_and_carddata_flags(hub, alice):
    """hf_api.py list_models(full=True, cardData=True, fetch_config=True): params full=True,
    cardData=True, config=True (0.x spelling); every item still parses (id; siblings, when
    present, with rfilename)."""
    tag = uniq("full")
    rid = f"alice/{tag}"
    hw.create_repo(hub.base, rid, alice)
    hw.create_commit(hub.base, rid, [Add("README.md", b"---\nlicense: mit\ntags:\n- demo\n---\n")], alice)
    items, _ = hw.paginate(f"{hub.base}/api/models", {"search": [tag], "full": True, "cardData": True,
                                                      "config": True}, build_headers(alice))
    assert [i["id"] for i in items] == [rid]
    for s in items[0].get("siblings") or []:
        assert "rfilename" in s
    if items[0].get("cardData") is not None:
        assert items[0]["cardData"].get("license") == "mit"
