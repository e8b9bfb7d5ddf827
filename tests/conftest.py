"""The tests run the pure-Python modules even where the mypyc build is
installed: several tests patch the model (seeded mutants, broken steps), and
compiled code calls its functions directly, past any patch. The compiled
build is checked against the pure one in subprocesses (test_compiled.py)."""

import os

os.environ["CONTCHECK_PURE"] = "1"

import contcheck  # noqa: E402,F401  (its import installs the source-only finder)
