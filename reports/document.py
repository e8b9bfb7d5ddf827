"""The stable JSON document of a `check` run (for tools)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contcheck.checker.explicit import Exploration


def run_document(run: Exploration, trace_files: dict[str, Path]) -> dict[str, Any]:
    stats = run.stats
    return {
        "semantics": f"v{int(run.model.version)}",
        "bounds": run.model.bounds.as_dict(),
        "exhaustive": run.exhaustive,
        "stop_reason": run.stop_reason or None,
        "stats": {
            "states": stats.states,
            "transitions": stats.transitions,
            "depth": stats.depth,
            "seconds": round(stats.seconds, 3),
            "states_per_second": round(stats.rate, 1),
            "peak_memory_kb": stats.peak_memory_kb,
        },
        "properties": [
            {
                "id": p.id,
                "status": "violated" if p.id in run.found else "holds",
                "trace_length": run.found[p.id].length if p.id in run.found else None,
                "trace_file": str(trace_files[p.id]) if p.id in trace_files else None,
                "message": run.found[p.id].message if p.id in run.found else None,
            }
            for p in run.properties
        ],
    }
