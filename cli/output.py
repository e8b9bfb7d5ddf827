"""Files the commands write: whole or not at all (`checker/output_files.py`),
with one-line errors, and checked before a long run so its result is not lost."""

from __future__ import annotations

from pathlib import Path

from contcheck.checker.explicit import Exploration, save_counterexample
from contcheck.checker.output_files import unwritable, write_atomically
from contcheck.checker.z3_interrupts import finishing

from .arguments import fail


def check_writable(*paths: Path | None, directories: tuple[Path | None, ...] = ()) -> None:
    """Fail (exit 2) now if any output cannot be written later."""
    for path, is_dir in [(p, False) for p in paths] + [(d, True) for d in directories]:
        if path is None:
            continue
        why = unwritable(path, directory=is_dir)
        if why:
            fail(f"cannot write {path}: {why}")


def write_text(path: Path, text: str) -> None:
    """Write whole: a Ctrl-C meanwhile takes effect once the file is written."""
    try:
        with finishing():
            write_atomically(path, text)
    except OSError as err:
        fail(f"cannot write {path}: {err.strerror or err}")


def write_traces(result: Exploration, trace_dir: Path) -> dict[str, Path]:
    """Every counterexample of a run as an ITF file, by property ID."""
    try:
        with finishing():
            return {
                pid: save_counterexample(result, found, trace_dir)
                for pid, found in sorted(result.found.items())
            }
    except OSError as err:
        fail(f"cannot write traces to {trace_dir}: {err.strerror or err}")
