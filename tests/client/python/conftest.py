"""Session fixture: a real `vitrine serve` on a free port, with users alice and bob.

The server gets a throw-away data folder, tokens made with the real CLI, a small tree page
size (so that tree listings paginate through `Link` headers) and a small multipart threshold
(so that the HF multipart LFS transfer is exercised with a ~1.3 MB file).

Environment:
  VITRINE_BIN   server binary, absolute or relative to the repository root (default build/vitrine)
  VITRINE_KEEP  keep the data folder after the run (its path is printed)
"""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]

TREE_PAGE_SIZE = 3
MULTIPART_THRESHOLD = 1024 * 1024
MULTIPART_CHUNK = 256 * 1024


def _bin() -> str:
    b = os.environ.get("VITRINE_BIN", "build/vitrine")
    p = Path(b) if os.path.isabs(b) else REPO_ROOT / b
    if not p.is_file() or not os.access(p, os.X_OK):
        pytest.exit(f"vitrine binary not found at {p} (set VITRINE_BIN or build it)", returncode=2)
    return str(p)


def _cli(binary, *args) -> str:
    return subprocess.run(
        [binary, *args], check=True, capture_output=True, text=True, timeout=30
    ).stdout.strip()


@dataclass
class Hub:
    base: str
    data: str
    tokens: dict = field(default_factory=dict)
    proc: subprocess.Popen = None
    stderr_lines: list = field(default_factory=list)

    def token(self, user: str, role: str = "write") -> str:
        return self.tokens[(user, role)]


@pytest.fixture(scope="session")
def hub():
    binary = _bin()
    data = tempfile.mkdtemp(prefix="vitrine-py-")
    tokens = {}
    for user in ("alice", "bob"):
        _cli(binary, "user", "create", user, "--data", data)
        for role in ("write", "read"):
            tok = _cli(binary, "token", "create", "--user", user, "--role", role, "--data", data)
            assert re.fullmatch(r"hf_[A-Za-z0-9]+", tok), f"token create printed {tok!r}"
            tokens[(user, role)] = tok

    proc = subprocess.Popen(
        [
            binary, "serve", "--data", data, "--listen", "127.0.0.1:0",
            "--tree-page-size", str(TREE_PAGE_SIZE),
            "--multipart-threshold", str(MULTIPART_THRESHOLD),
            "--multipart-chunk-size", str(MULTIPART_CHUNK),
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    h = Hub(base="", data=data, tokens=tokens, proc=proc)

    def drain_stderr():
        for line in proc.stderr:
            h.stderr_lines.append(line)
            if os.environ.get("VITRINE_SERVER_LOG"):
                print(line, end="")

    threading.Thread(target=drain_stderr, daemon=True).start()

    deadline = time.time() + 20
    base = None
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            base = m.group(1).rstrip("/")
            break
    if base is None:
        proc.kill()
        pytest.exit("server did not print 'listening on': " + "".join(h.stderr_lines[-20:]), returncode=2)
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    h.base = base

    yield h

    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if os.environ.get("VITRINE_KEEP"):
        print(f"# kept {data}")
    else:
        shutil.rmtree(data, ignore_errors=True)
