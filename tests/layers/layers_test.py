#!/usr/bin/env python3
"""The layers of src/ (src/README.md) hold: a file includes only headers of its own layer and of
the layers below it. Each layer is also its own library in CMakeLists.txt, linked only to the
layers below, so a call that goes up does not link; this test catches the include first, with
the file and line.

    util <- domain <- formats <- storage <- service <- api <- cli;   util <- http <- api

Storage is private to the service layer: api/ and cli/ neither include a storage header, nor
name a storage type, nor take a store from the hub (Hub::db(), xet(), blobs(), a log's store()), and the build refuses a storage header outside storage/ and service/
(storage/storage_private.hpp); the last check compiles one both ways to show it does.

KNOWN lists the includes that go around a layer today, to be removed, never added to.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
BELOW = {
    "util": set(),
    "domain": {"util"},
    "formats": {"domain", "util"},
    "http": {"util"},
    "storage": {"formats", "domain", "util"},
    "service": {"storage", "formats", "domain", "util"},
    "api": {"service", "http", "formats", "domain", "util"},
    "cli": {"api", "service", "http", "formats", "domain", "util"},
}
# Layers above the service layer, which reach storage only through services.
ABOVE_SERVICE = {"api", "cli"}
KNOWN = set()

failures = []
seen_known = set()
checked = 0
for root, _, files in os.walk(SRC):
    for name in files:
        if not name.endswith((".cpp", ".hpp")):
            continue
        path = os.path.join(root, name)
        rel = os.path.relpath(path, SRC)
        layer = rel.split(os.sep)[0]
        if layer not in BELOW:
            failures.append(f"{rel}: in no layer (add its folder to src/README.md and here)")
            continue
        checked += 1
        with open(path) as f:
            for number, line in enumerate(f, 1):
                if layer in ABOVE_SERVICE and re.search(r"\bstorage::", line):
                    failures.append(f"{rel}:{number}: {layer}/ names a storage type ({line.strip()})")
                if layer in ABOVE_SERVICE and re.search(r"\b(db|xet|blobs|store)\(\)", line):
                    failures.append(f"{rel}:{number}: {layer}/ takes a store from the hub "
                                    f"(services own them) ({line.strip()})")
                m = re.match(r'\s*#include "([a-z_]+)/', line)
                if not m:
                    continue
                target = m.group(1)
                if target == layer or target in BELOW[layer]:
                    continue
                if (rel, target) in KNOWN:
                    seen_known.add((rel, target))
                    continue
                failures.append(f"{rel}:{number}: {layer}/ includes {target}/ ({line.strip()})")
for rel, target in sorted(KNOWN - seen_known):
    failures.append(f"{rel}: no longer includes {target}/: remove it from KNOWN")

def compiles(source, defines):
    """Whether `source` compiles (syntax only) with src/ on the include path."""
    compiler = shutil.which("c++") or shutil.which("g++")
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
        f.write(source)
    try:
        run = subprocess.run([compiler, "-std=c++20", "-fsyntax-only", "-I", SRC] +
                             [f"-D{d}" for d in defines] + [f.name],
                             capture_output=True, text=True)
        return run.returncode == 0, run.stderr
    finally:
        os.unlink(f.name)


# A storage header compiles where the build defines VITRINE_STORAGE_INTERNAL (storage,
# service, the tests of storage) and nowhere else.
if shutil.which("c++") or shutil.which("g++"):
    source = '#include "storage/metadata/metadata_db.hpp"\nint main() {}\n'
    ok, err = compiles(source, ["VITRINE_STORAGE_INTERNAL"])
    if not ok:
        failures.append(f"a storage header does not compile inside the service layer: {err[:400]}")
    ok, err = compiles(source, [])
    if ok or "private to service" not in err:
        failures.append("a storage header compiles outside storage/ and service/ "
                        "(storage/storage_private.hpp no longer refuses it)")
else:
    failures.append("no C++ compiler to check that storage headers stay private")

for f in failures:
    print("not ok -", f)
print(f"{checked} files checked, {len(failures)} problems")
sys.exit(1 if failures or checked < 100 else 0)
