"""Wire-level re-statement of what the Python `huggingface_hub` client sends and checks.

Written from reading the client source (huggingface/huggingface_hub: hf_api.py, file_download.py,
_commit_api.py, lfs.py, utils/_http.py, utils/_pagination.py, _snapshot_download.py; main
1.x and the requests-based 0.3x line), not copied from it. Each helper names the client function
whose requests it reproduces. Only `requests` is used, so the 0.x encoding of booleans
(`True`/`False`) is what `requests` produces natively; 1.x (httpx) spellings are passed
explicitly as strings where they differ.
"""

import base64
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Optional
from urllib.parse import quote, unquote, urlparse

import requests

UA = "huggingface_hub/0.36.2; python/3.11.2; torch/N/A; tensorflow/N/A; fastai/N/A"
TIMEOUT = 30

LFS_HEADERS = {
    "Accept": "application/vnd.git-lfs+json",
    "Content-Type": "application/vnd.git-lfs+json",
}
INVALID_CREDENTIALS = "Invalid credentials in Authorization header"
REPO_TYPES_URL_PREFIXES = {"dataset": "datasets/", "space": "spaces/"}
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SHA1_RE = re.compile(r"^[0-9a-f]{40}$")


# --------------------------------------------------------------------------- headers
def build_headers(token: Optional[str]) -> dict:
    """utils/_headers.py build_hf_headers + utils/_http.py session: lowercase `authorization`
    (absent without token), a user agent and a random X-Amzn-Trace-Id per request."""
    h = {"user-agent": UA, "X-Amzn-Trace-Id": str(uuid.uuid4())}
    if token:
        h["authorization"] = f"Bearer {token}"
    return h


# --------------------------------------------------------------------------- errors
class HfError(Exception):
    def __init__(self, kind: str, message: str, response: requests.Response, server_message: str):
        super().__init__(message)
        self.kind = kind
        self.response = response
        self.server_message = server_message


def _format(custom_message: str, response: requests.Response):
    """utils/_http.py _format: header X-Error-Message + body `error` (str or list) + body
    `errors[].message`; the server message is appended only when it is not already contained
    (case-insensitively); the X-Request-Id is inserted before the first newline."""
    server_errors = []
    from_headers = response.headers.get("X-Error-Message")
    if from_headers is not None:
        server_errors.append(from_headers)
    try:
        data = response.json()
        error = data.get("error") if isinstance(data, dict) else None
        if error is not None:
            server_errors.extend(error if isinstance(error, list) else [error])
        errors = data.get("errors") if isinstance(data, dict) else None
        for e in errors or []:
            if "message" in e:
                server_errors.append(e["message"])
    except ValueError:
        ctype = response.headers.get("Content-Type", "")
        if response.text and "html" not in ctype.lower():
            server_errors.append(response.text)
    server_errors = [str(x).strip() for x in server_errors if str(x).strip()]
    server_errors = list(dict.fromkeys(server_errors))
    server_message = "\n".join(server_errors)
    msg = custom_message
    if server_message and server_message.lower() not in custom_message.lower():
        msg += ("\n" if "\n\n" in custom_message else "\n\n") + server_message
    request_id = str(response.headers.get("X-Request-Id", ""))
    if request_id and request_id.lower() not in msg.lower():
        rid = f" (Request ID: {request_id})"
        if "\n" in msg:
            i = msg.index("\n")
            msg = msg[:i] + rid + msg[i:]
        else:
            msg += rid
    return msg.strip(), server_message


def raise_for_status(response: requests.Response, endpoint_name: Optional[str] = None) -> None:
    """utils/_http.py hf_raise_for_status (same decision order in 0.36 and 1.x). The 401 fallback
    regex only matches `https://` URLs, so over plain http the X-Error-Code header decides."""
    if response.status_code < 400:
        return
    code = response.headers.get("X-Error-Code")
    emsg = response.headers.get("X-Error-Message")
    url = response.url
    sc = response.status_code
    if code == "RevisionNotFound":
        kind, custom = "RevisionNotFoundError", f"{sc} Client Error.\n\nRevision Not Found for url: {url}."
    elif code == "EntryNotFound":
        kind, custom = "EntryNotFoundError", f"{sc} Client Error.\n\nEntry Not Found for url: {url}."
    elif code == "GatedRepo":
        kind, custom = "GatedRepoError", f"{sc} Client Error.\n\nCannot access gated repo for url {url}."
    elif emsg == "Access to this resource is disabled.":
        kind, custom = "DisabledRepoError", f"{sc} Client Error.\n\nCannot access repository for url {url}."
    elif code == "RepoNotFound" or (
        sc == 401 and emsg != INVALID_CREDENTIALS and url.startswith("https://") and "/api/" in url
    ):
        kind = "RepositoryNotFoundError"
        custom = (
            f"{sc} Client Error.\n\nRepository Not Found for url: {url}."
            "\nPlease make sure you specified the correct `repo_id` and `repo_type`."
            "\nIf you are trying to access a private or gated repo, make sure you are authenticated."
            " For more details, see https://huggingface.co/docs/huggingface_hub/authentication"
        )
    elif sc == 400:
        kind = "BadRequestError"
        custom = f"\n\nBad request for {endpoint_name} endpoint:" if endpoint_name else "\n\nBad request:"
    elif sc == 403:
        kind = "HfHubHTTPError"
        custom = f"\n\n{sc} Forbidden: {emsg}.\nCannot access content at: {url}."
    else:
        kind, custom = "HfHubHTTPError", f"{sc} Client Error: {response.reason} for url: {url}"
    msg, server_message = _format(custom, response)
    raise HfError(kind, msg, response, server_message)


# --------------------------------------------------------------------------- small helpers
def git_blob_sha1(data: bytes) -> str:
    """utils/sha.py git_hash: sha1 of `blob <len>\\0<data>` (what preupload `oid` is compared to)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalize_etag(etag: Optional[str]) -> Optional[str]:
    """file_download.py _normalize_etag: drop a weak `W/` prefix and the quotes."""
    if etag is None:
        return None
    return etag.lstrip("W/").strip('"')


def api_repo_path(base: str, repo_id: str, repo_type: Optional[str]) -> str:
    return f"{base}/api/{repo_type or 'model'}s/{repo_id}"


def paginate(url: str, params: dict, headers: dict):
    """utils/_pagination.py paginate: first GET with params, then follow `Link: <…>; rel="next"`
    (as parsed by `requests`' Response.links) without re-sending params. Returns (items, responses)."""
    r = requests.get(url, params=params, headers=headers, timeout=TIMEOUT)
    raise_for_status(r)
    items, pages = list(r.json()), [r]
    nxt = r.links.get("next", {}).get("url")
    while nxt is not None:
        r = requests.get(nxt, headers=headers, timeout=TIMEOUT)
        raise_for_status(r)
        items.extend(r.json())
        pages.append(r)
        nxt = r.links.get("next", {}).get("url")
        assert len(pages) < 1000, "pagination does not end"
    return items, pages


# --------------------------------------------------------------------------- repo info
def repo_info(base, repo_id, token, revision=None, repo_type=None, params=None):
    """hf_api.py model_info/dataset_info: GET /api/{type}s/{id}[/revision/{quote(rev, safe='')}]."""
    path = api_repo_path(base, repo_id, repo_type)
    if revision is not None:
        path += f"/revision/{quote(revision, safe='')}"
    r = requests.get(path, headers=build_headers(token), params=params or {}, timeout=TIMEOUT)
    raise_for_status(r)
    data = r.json()
    assert "id" in data, f"repo info without `id` (ModelInfo pops it): {data}"
    return data


def create_repo(base, repo_id, token, private=None, visibility=None, repo_type=None, exist_ok=False):
    """hf_api.py create_repo: POST /api/repos/create JSON {name, organization, private?|visibility?,
    type?}; exist_ok accepts a 409 and reads `url` from the 409 body. Returns (url, response)."""
    organization, name = repo_id.split("/") if "/" in repo_id else (None, repo_id)
    payload = {"name": name, "organization": organization}
    if private is not None:
        payload["private"] = private
    if visibility is not None:
        payload["visibility"] = visibility
    if repo_type is not None:
        payload["type"] = repo_type
    r = requests.post(f"{base}/api/repos/create", headers=build_headers(token), json=payload, timeout=TIMEOUT)
    try:
        raise_for_status(r)
    except HfError as e:
        if not (exist_ok and e.response.status_code == 409):
            raise
    return r.json()["url"], r


# --------------------------------------------------------------------------- download
@dataclass
class FileMetadata:
    commit_hash: Optional[str]
    etag: Optional[str]
    location: str
    size: Optional[int]
    response: requests.Response


def hf_hub_url(base, repo_id, filename, revision=None, repo_type=None) -> str:
    """file_download.py hf_hub_url: revision fully encoded, filename quoted with `/` kept."""
    prefix = REPO_TYPES_URL_PREFIXES.get(repo_type or "model", "")
    rev = quote(revision or "main", safe="")
    return f"{base}/{prefix}{repo_id}/resolve/{rev}/{quote(filename)}"


def request_wrapper(method, url, follow_relative_redirects=False, **kw) -> requests.Response:
    """file_download.py _request_wrapper: with follow_relative_redirects, a 3xx whose Location has
    no netloc is followed by replacing only the path of the original URL; absolute ones are not."""
    if follow_relative_redirects:
        r = request_wrapper(method, url, False, **kw)
        if 300 <= r.status_code <= 399:
            target = urlparse(r.headers["Location"])
            if target.netloc == "":
                next_url = urlparse(url)._replace(path=target.path).geturl()
                return request_wrapper(method, next_url, True, **kw)
        return r
    r = requests.request(method, url, timeout=TIMEOUT, **kw)
    raise_for_status(r)
    return r


def get_hf_file_metadata(url, token) -> FileMetadata:
    """file_download.py get_hf_file_metadata: HEAD, `Accept-Encoding: identity`, no automatic
    redirects (relative ones followed by hand); commit from X-Repo-Commit, etag from X-Linked-Etag
    or ETag, size from X-Linked-Size or Content-Length, location from Location or the URL."""
    h = build_headers(token)
    h["Accept-Encoding"] = "identity"
    r = request_wrapper("HEAD", url, follow_relative_redirects=True, headers=h, allow_redirects=False)
    size = r.headers.get("X-Linked-Size") or r.headers.get("Content-Length")
    return FileMetadata(
        commit_hash=r.headers.get("X-Repo-Commit"),
        etag=normalize_etag(r.headers.get("X-Linked-Etag") or r.headers.get("ETag")),
        location=r.headers.get("Location") or r.request.url,
        size=int(size) if size is not None else None,
        response=r,
    )


def hf_hub_download(base, repo_id, filename, token, revision=None, repo_type=None):
    """file_download.py hf_hub_download → _get_metadata_or_catch_error + http_get: HEAD metadata
    (commit, etag, size all required), then GET the location (Authorization dropped when the
    location is on another host), then the size consistency check. Returns (bytes, metadata)."""
    url = hf_hub_url(base, repo_id, filename, revision, repo_type)
    meta = get_hf_file_metadata(url, token)
    assert meta.commit_hash is not None, "Distant resource does not seem to be on huggingface.co (no X-Repo-Commit)"
    assert SHA1_RE.match(meta.commit_hash), f"X-Repo-Commit is not a full commit: {meta.commit_hash}"
    assert meta.etag, "Distant resource does not have an ETag"
    assert meta.size is not None, "Distant resource does not have a size"
    headers = build_headers(token)
    if url != meta.location and urlparse(url).netloc != urlparse(meta.location).netloc:
        headers.pop("authorization", None)
    r = request_wrapper("GET", meta.location, headers=headers, stream=True)
    content = r.content
    assert len(content) == meta.size, (
        f"Consistency check failed: file should be of size {meta.size} but has size {len(content)}"
    )
    return content, meta


# --------------------------------------------------------------------------- upload
@dataclass
class Add:
    path: str
    data: bytes
    upload_mode: Optional[str] = None
    should_ignore: Optional[bool] = None
    remote_oid: Optional[str] = None

    @property
    def local_oid(self):
        """_commit_api.py CommitOperationAdd._local_oid: sha256 for lfs, git-sha1 for regular."""
        if self.upload_mode is None:
            return None
        return sha256_hex(self.data) if self.upload_mode == "lfs" else git_blob_sha1(self.data)


@dataclass
class Delete:
    path: str
    is_folder: bool = False


@dataclass
class CommitResult:
    oid: str
    commit_url: str
    pr_url: Optional[str]
    skipped_noop: int
    requests_log: list


def validate_yaml(base, content, token, repo_type="model"):
    """hf_api.py _validate_yaml: POST /api/validate-yaml {content, repoType}; the body is parsed
    as JSON before the status is looked at (400 → 'Invalid metadata in README.md')."""
    r = requests.post(
        f"{base}/api/validate-yaml", headers=build_headers(token),
        json={"content": content, "repoType": repo_type}, timeout=TIMEOUT,
    )
    content_json = r.json()  # must be JSON whatever the status
    if r.status_code == 400:
        errors = "\n".join(e["message"] for e in content_json.get("errors", []))
        raise ValueError(f"Invalid metadata in README.md.\n{errors}")
    raise_for_status(r)
    return content_json


def fetch_upload_modes(base, repo_id, repo_type, adds, token, revision_q, create_pr, gitignore_content, log):
    """_commit_api.py _fetch_upload_modes: POST /api/{type}s/{id}/preupload/{rev} JSON
    {files:[{path, sample(base64 of ≤512 bytes), size}], gitIgnore?}, `?create_pr=1` for PRs;
    reads uploadMode (lfs|regular), shouldIgnore (indexed directly) and oid (optional)."""
    for i in range(0, len(adds), 256):
        chunk = adds[i:i + 256]
        payload = {"files": [
            {"path": a.path, "sample": base64.b64encode(a.data[:512]).decode("ascii"), "size": len(a.data)}
            for a in chunk
        ]}
        if gitignore_content is not None:
            payload["gitIgnore"] = gitignore_content
        r = requests.post(
            f"{api_repo_path(base, repo_id, repo_type)}/preupload/{revision_q}",
            json=payload, headers=build_headers(token),
            params={"create_pr": "1"} if create_pr else None, timeout=TIMEOUT,
        )
        log.append(("preupload", r))
        raise_for_status(r)
        info = r.json()
        assert isinstance(info.get("files"), list), f"preupload_info is improperly formatted: {info}"
        by_path = {}
        for f in info["files"]:
            assert isinstance(f, dict) and isinstance(f.get("path"), str), f
            assert f.get("uploadMode") in ("lfs", "regular"), f"bad uploadMode: {f}"
            assert "shouldIgnore" in f, f"preupload entry without shouldIgnore (KeyError in client): {f}"
            by_path[f["path"]] = f
        for a in chunk:
            assert a.path in by_path, f"preupload answer lacks {a.path}"
            a.upload_mode = by_path[a.path]["uploadMode"]
            a.should_ignore = by_path[a.path]["shouldIgnore"]
            a.remote_oid = by_path[a.path].get("oid")
    for a in adds:
        if len(a.data) == 0:
            a.upload_mode = "regular"


def _validate_lfs_action(action):
    assert isinstance(action.get("href"), str), f"lfs action without href: {action}"
    assert action.get("header") is None or isinstance(action.get("header"), dict), action


def post_lfs_batch_info(base, repo_id, repo_type, adds, token, revision_q, log):
    """lfs.py post_lfs_batch_info: POST {base}/{prefix}{id}.git/info/lfs/objects/batch with the
    vnd.git-lfs+json Accept/Content-Type + Bearer; body {operation:upload, transfers:[basic,
    multipart], objects:[{oid,size}], hash_algo:sha256, ref:{name}} (ref omitted for PRs).
    Every object needs `oid` (str) and `size` (int); errors need error.code/message."""
    prefix = REPO_TYPES_URL_PREFIXES.get(repo_type or "model", "")
    payload = {
        "operation": "upload",
        "transfers": ["basic", "multipart"],
        "objects": [{"oid": sha256_hex(a.data), "size": len(a.data)} for a in adds],
        "hash_algo": "sha256",
    }
    if revision_q is not None:
        payload["ref"] = {"name": unquote(revision_q)}
    r = requests.post(
        f"{base}/{prefix}{repo_id}.git/info/lfs/objects/batch",
        headers={**LFS_HEADERS, **build_headers(token)}, json=payload, timeout=TIMEOUT,
    )
    log.append(("lfs-batch", r))
    raise_for_status(r)
    objects = r.json().get("objects")
    assert isinstance(objects, list), f"Malformed response from server: {r.text}"
    actions, errors = [], []
    for obj in objects:
        assert isinstance(obj.get("oid"), str) and isinstance(obj.get("size"), int), f"bad batch object {obj}"
        if "error" in obj:
            err = obj["error"]
            assert isinstance(err, dict) and isinstance(err.get("message"), str) and isinstance(err.get("code"), int)
            errors.append(obj)
        else:
            for name in ("upload", "verify"):
                act = (obj.get("actions") or {}).get(name)
                if act is not None:
                    _validate_lfs_action(act)
            actions.append(obj)
    return actions, errors, r


def lfs_upload(add: Add, action: dict, token, log):
    """lfs.py lfs_upload: no `actions` → already stored. Otherwise PUT the bytes to `href` with
    no Authorization and none of `header` (basic), or — when header.chunk_size is present — PUT
    each slice to the numeric-key part URLs (each answer needs an ETag) and POST the completion
    {oid, parts:[{partNumber, etag}]} to href with only the LFS headers; then, if present, POST
    verify {oid, size} with the Bearer token."""
    actions = action.get("actions")
    if actions is None:
        return "skipped"
    upload = actions["upload"]
    verify = actions.get("verify")
    header = upload.get("header") or {}
    chunk_size = header.get("chunk_size")
    if chunk_size is not None:
        chunk_size = int(chunk_size)
        parts = sorted((int(k), v) for k, v in header.items() if k.isdigit())
        n = -(-len(add.data) // chunk_size)
        assert len(parts) == n, f"Invalid server response to upload large LFS file: {len(parts)} parts, want {n}"
        etags = []
        for i, (_, url) in enumerate(parts):
            pr = requests.put(url, data=add.data[i * chunk_size:(i + 1) * chunk_size], timeout=TIMEOUT)
            log.append(("lfs-part", pr))
            raise_for_status(pr)
            etag = pr.headers.get("etag")
            assert etag, f"Invalid etag (`{etag}`) returned for part {i + 1}"
            etags.append(etag)
        cr = requests.post(
            upload["href"], headers=dict(LFS_HEADERS), timeout=TIMEOUT,
            json={"oid": sha256_hex(add.data), "parts": [{"partNumber": i + 1, "etag": e} for i, e in enumerate(etags)]},
        )
        log.append(("lfs-complete", cr))
        raise_for_status(cr)
        mode = "multipart"
    else:
        pr = requests.put(upload["href"], data=add.data, timeout=TIMEOUT)
        log.append(("lfs-put", pr))
        raise_for_status(pr)
        mode = "basic"
    if verify is not None:
        vr = requests.post(
            verify["href"], headers=build_headers(token), timeout=TIMEOUT,
            json={"oid": sha256_hex(add.data), "size": len(add.data)},
        )
        log.append(("lfs-verify", vr))
        raise_for_status(vr)
    return mode


def create_commit(base, repo_id, operations, token, commit_message="commit", revision=None,
                  repo_type=None, create_pr=False, parent_commit=None, gitignore_content=None,
                  commit_description=None):
    """hf_api.py create_commit + preupload_lfs_files: validate-yaml when README.md is added,
    preupload, LFS batch/PUT/verify for non-ignored lfs files, drop no-op additions (remote oid ==
    local oid; if nothing is left, repo_info(revision) gives the sha and no commit is sent), then
    POST /api/{type}s/{id}/commit/{quote(rev)} as application/x-ndjson ([?create_pr=1])."""
    repo_type = repo_type or "model"
    unquoted = revision or "main"
    revision_q = quote(unquoted, safe="")
    log = []
    adds = [op for op in operations if isinstance(op, Add)]
    dels = [op for op in operations if isinstance(op, Delete)]

    for a in adds:
        if a.path == "README.md":
            validate_yaml(base, a.data.decode(), token, repo_type)
            break

    if gitignore_content is None:
        for a in adds:
            if a.path == ".gitignore":
                gitignore_content = a.data.decode()
                break
    if adds:
        fetch_upload_modes(base, repo_id, repo_type, adds, token, revision_q, create_pr, gitignore_content, log)

    lfs_adds = [a for a in adds if a.upload_mode == "lfs" and not a.should_ignore]
    for i in range(0, len(lfs_adds), 256):
        chunk = lfs_adds[i:i + 256]
        actions, errors, _ = post_lfs_batch_info(
            base, repo_id, repo_type, chunk, token, None if create_pr else revision_q, log)
        assert not errors, f"LFS batch endpoint returned errors: {errors}"
        by_oid = {sha256_hex(a.data): a for a in chunk}
        for act in actions:
            lfs_upload(by_oid[act["oid"]], act, token, log)

    kept = [op for op in operations
            if not (isinstance(op, Add) and op.remote_oid is not None and op.remote_oid == op.local_oid)]
    skipped = len(operations) - len(kept)
    if not kept:
        info = repo_info(base, repo_id, token, revision=unquoted, repo_type=repo_type)
        prefix = "" if repo_type == "model" else f"/{repo_type}s"
        return CommitResult(info["sha"], f"{base}{prefix}/{repo_id}/commit/{info['sha']}", None, skipped, log)

    header = {"summary": commit_message, "description": commit_description or ""}
    if parent_commit is not None:
        header["parentCommit"] = parent_commit
    lines = [{"key": "header", "value": header}]
    for op in kept:
        if isinstance(op, Add):
            if op.should_ignore:
                continue
            if op.upload_mode == "regular":
                lines.append({"key": "file", "value": {
                    "content": base64.b64encode(op.data).decode(), "path": op.path, "encoding": "base64"}})
            else:
                lines.append({"key": "lfsFile", "value": {
                    "path": op.path, "algo": "sha256", "oid": sha256_hex(op.data), "size": len(op.data)}})
        else:
            lines.append({"key": "deletedFolder" if op.is_folder else "deletedFile", "value": {"path": op.path}})
    body = b"".join(json.dumps(item).encode() + b"\n" for item in lines)
    r = requests.post(
        f"{api_repo_path(base, repo_id, repo_type)}/commit/{revision_q}",
        headers={"Content-Type": "application/x-ndjson", **build_headers(token)},
        data=body, params={"create_pr": "1"} if create_pr else None, timeout=TIMEOUT,
    )
    log.append(("commit", r))
    raise_for_status(r, endpoint_name="commit")
    data = r.json()
    pr_url = data["pullRequestUrl"] if create_pr else None
    return CommitResult(data["commitOid"], data["commitUrl"], pr_url, skipped, log)


def parse_pr_revision(pr_url: str) -> str:
    """hf_api.py _parse_revision_from_pr_url: `.*/discussions/(\\d+)$` → refs/pr/N."""
    m = re.match(r".*/discussions/(\d+)$", pr_url)
    assert m, f"Unable to parse PR number from url {pr_url}"
    return f"refs/pr/{m.group(1)}"
