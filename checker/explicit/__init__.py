"""The explicit engine: breadth-first search over every reachable state.

Entry points: `explore` (the search, `bfs.py`) returns an `Exploration`;
`concrete_trace` and `model_run` (`paths.py`) turn a finding into a run;
`save_counterexample`, `write_run` and `verify_trace` (`tracefile.py`) write
runs as ITF files and re-check them on the model.
"""

from .bfs import Exploration, Progress, Stats, explore
from .paths import TraceStep, concrete_trace, model_run, violation_at_end
from .tracefile import save_counterexample, step_meta, verify_trace, write_run

__all__ = [
    "concrete_trace",
    "Exploration",
    "explore",
    "model_run",
    "Progress",
    "save_counterexample",
    "Stats",
    "step_meta",
    "TraceStep",
    "verify_trace",
    "violation_at_end",
    "write_run",
]
