#!/usr/bin/env python3
"""docs/api.md's route table is the router's: the block between `<!-- routes:begin` and
`<!-- routes:end -->` lists every row of `vitrine routes` (method, pattern, access), in order,
and nothing else. On a mismatch the test prints the block to paste.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hub_test import BIN, finish, report  # noqa: E402

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "docs", "api.md")

table = json.loads(subprocess.run([BIN, "routes"], check=True, capture_output=True,
                                  text=True).stdout)
expected = ["| Method | Path | Access |", "|---|---|---|"]
expected += [f"| {r['method']} | `{r['pattern']}` | {r['access']} |" for r in table]

with open(DOC) as f:
    text = f.read()
begin, end = text.find("<!-- routes:begin"), text.find("<!-- routes:end -->")
report(0 <= begin < end, "docs/api.md has the route table's markers")
documented = [line for line in text[begin:end].splitlines()[1:] if line.startswith("|")]
report(documented == expected, "docs/api.md lists every route of the table, as the table has it",
       "expected block:\n" + "\n".join(expected))
report(len(table) > 50 and all(r["access"] for r in table), "the table is the router's")
finish()
