"""What the Python client tests share: TAP-style lines with a tally, the `vitrine` CLI on a
test's data folder, and a real `vitrine serve` started on a free port of loopback.

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
    from hub_test import report, serve, tally
"""
import json
import os
import subprocess
import sys
import threading

import requests

BIN = os.path.realpath(os.environ.get("VITRINE_BIN", "build/vitrine"))


class Tally:
    passed = 0
    failed = 0


tally = Tally()


def report(ok, name, detail=""):
    """One `ok - name` or `not ok - name: detail` line, counted in `tally`."""
    if ok:
        tally.passed += 1
        print(f"ok - {name}", flush=True)
    else:
        tally.failed += 1
        print(f"not ok - {name}{': ' + str(detail)[:400] if detail else ''}", flush=True)


def finish():
    """Prints the tally and exits 1 if anything failed."""
    print(f"{tally.passed} passed, {tally.failed} failed")
    sys.exit(1 if tally.failed else 0)


def run_cli(data, *args, check=True):
    """`vitrine ARGS --data DATA`, its output captured as text."""
    return subprocess.run([BIN, *args, "--data", data], check=check, capture_output=True,
                          text=True)


def serve(data, *extra):
    """Starts `vitrine serve` on the data folder (a free port; rate limits off unless `extra`
    sets them) and returns (process, base URL). Exits the test when it does not start. The
    server's log is drained in the background, so it never blocks on a full pipe."""
    process = subprocess.Popen([BIN, "serve", "--data", data, "--listen", "127.0.0.1:0",
                                "--log-level", "warn", "--rate-limit-requests", "0", *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = None
    for _ in range(200):
        line = process.stdout.readline()
        if line.startswith("listening on "):
            base = line.split()[-1]
            break
    if not base:
        print("not ok - server did not start")
        process.kill()
        sys.exit(1)
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, base


def request(base, method, path, auth=None, body=None, content_type="application/json",
            headers=None, timeout=60, session=requests):
    """One request to the hub at `base` (or to a full URL), redirects not followed: `auth` is
    the Authorization value; `body` goes as is when bytes or text, else as JSON."""
    h = dict(headers or {})
    if auth:
        h["Authorization"] = auth
    data = None
    if body is not None:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        h["Content-Type"] = content_type
    url = path if path.startswith("http") else base + path
    return session.request(method, url, headers=h, data=data, allow_redirects=False,
                           timeout=timeout)


def must(resp, what):
    """The answer of a fixture step, or the test ends: a fixture that failed proves nothing."""
    if resp.status_code >= 300:
        print(f"not ok - fixture: {what}: {resp.status_code} {resp.text[:300]}")
        sys.exit(1)
    return resp
