"""The compiled build (setup.py, mypyc) and the pure-Python modules give the
same outputs; CONTCHECK_PURE=1 selects the latter even where both exist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from check_baseline import CASES, recorded

HERE = Path(__file__).parent
CASE = "v48-deep"
PROGRAM = """
import json, sys
from pathlib import Path
from check_baseline import CASES, outputs
from contcheck.pure import compiled
files = outputs(CASES[sys.argv[1]], Path(sys.argv[2]), workers=1)
print(json.dumps({"compiled": compiled(), "files": files}))
"""


def run(tmp: Path, pure: bool) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "CONTCHECK_PURE"}
    if pure:
        env["CONTCHECK_PURE"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, CASE, str(tmp)],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_pure_and_compiled_give_the_same_outputs(tmp_path: Path) -> None:
    pure = run(tmp_path / "pure", pure=True)
    default = run(tmp_path / "default", pure=False)
    assert pure["compiled"] is False
    assert pure["files"] == default["files"] == recorded(CASE)
    assert CASE in CASES


def test_the_build_is_used_where_it_exists() -> None:
    from contcheck.model import semantics

    built = list(Path(semantics.__file__ or "").parent.glob("semantics.*.so"))
    if built and not os.environ.get("CONTCHECK_PURE"):
        assert not (semantics.__file__ or "").endswith(".py")
