"""The summary a person reads after `contcheck check`."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from contcheck.checker.explicit import Exploration

from .status import VIOLATED, explicit_status


def render_summary(run: Exploration, trace_files: dict[str, Path], console: Console) -> None:
    table = Table(title=_title(run), title_justify="left")
    table.add_column("property")
    table.add_column("status")
    table.add_column("steps", justify="right")
    table.add_column("counterexample", overflow="fold")
    for p in run.properties:
        found = run.found.get(p.id)
        if found is None:
            status = explicit_status(run, p.id)
            table.add_row(p.id, f"[{'green' if run.exhaustive else 'yellow'}]{status}[/]", "", "")
        else:
            where = trace_files.get(p.id)
            detail = found.message + (f"\n[dim]{where}[/]" if where else "")
            table.add_row(p.id, f"[red]{VIOLATED}[/]", str(found.length), detail)
    console.print(table)
    console.print(_stats_line(run))
    if not run.store.exact:
        chance = run.store.collision_probability(run.stats.transitions)
        console.print(
            f"fingerprint collision probability (TLC's optimistic estimate): {chance:.1e}"
        )


def _title(run: Exploration) -> str:
    bounds = ", ".join(f"{k}={v}" for k, v in run.model.bounds.as_dict().items())
    scope = "exhaustive" if run.exhaustive else f"stopped early ({run.stop_reason})"
    return f"contcheck v{int(run.model.version)} semantics, {bounds}: {scope}"


def _stats_line(run: Exploration) -> str:
    s = run.stats
    return (
        f"{s.states:,} distinct states, {s.transitions:,} transitions, depth {s.depth}, "
        f"{s.seconds:.1f} s, {s.rate:,.0f} states/s, peak memory {s.peak_memory_kb / 1024:.0f} MiB"
    )
