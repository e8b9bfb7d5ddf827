"""Files the commands write: whole or not at all, with one-line errors."""

from __future__ import annotations

from pathlib import Path

from contcheck.checker.explicit import Exploration, save_counterexample

from .arguments import fail


def write_text(path: Path, text: str) -> None:
    """Write through a temporary file, so an interrupted write loses nothing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text)
        tmp.replace(path)
    except OSError as err:
        fail(f"cannot write {path}: {err.strerror}")


def write_traces(result: Exploration, trace_dir: Path) -> dict[str, Path]:
    """Every counterexample of a run as an ITF file, by property ID."""
    try:
        return {
            pid: save_counterexample(result, found, trace_dir)
            for pid, found in sorted(result.found.items())
        }
    except OSError as err:
        fail(f"cannot write traces to {trace_dir}: {err.strerror}")
