"""Where a run's traces go: one folder per semantics and bounds, so a run at
other bounds never overwrites another's, and a rerun leaves no stale file."""

from __future__ import annotations

from pathlib import Path

from contcheck.model import Bounds, Version

from .arguments import fail


def run_folder(trace_dir: Path, version: Version, bounds: Bounds) -> Path:
    """`traces/v48-contrefs3-tags1-clauses1-host_depth2-handles2`."""
    parts = [f"{name}{value}" for name, value in bounds.as_dict().items()]
    return trace_dir / "-".join([f"v{int(version)}", *parts])


def clear_stale(folder: Path, checked: list[str], prefix: str = "") -> None:
    """Remove the earlier trace of every property this run checked, before it
    writes its own: what remains next to the new files was not checked now."""
    for pid in checked:
        try:
            (folder / f"{prefix}{pid}.itf.json").unlink(missing_ok=True)
        except OSError as err:
            fail(f"cannot remove the earlier trace in {folder}: {err.strerror}")
