"""The explicit engine: breadth-first search over every reachable state.

Entry points: `explore` (the search, `bfs.py`) returns an `Exploration`;
`concrete_trace` and `model_run` (`paths.py`) turn a finding into a run;
`save_counterexample`, `write_run` and `verify_trace` (`tracefile.py`) write
runs as ITF files and re-check them on the model. `explore_partitioned`
(`distributed.py`) is the same search over shards of the visited set, in
this process (`local_shards`) or on Ray (`ray_shards`), with checkpoints.
"""

from .bfs import Exploration, Progress, Stats, explore, peak_memory_kb
from .checkpoint import CheckpointError
from .distributed import Checkpoints, explore_partitioned
from .partitioned import Level, Shards
from .paths import TraceStep, concrete_trace, model_run, violation_at_end
from .shards import RayUnavailable, local_shards, ray_shards
from .tracefile import save_counterexample, step_meta, verify_trace, write_run
from .visited import Spill

__all__ = [
    "CheckpointError",
    "Checkpoints",
    "concrete_trace",
    "Exploration",
    "explore",
    "explore_partitioned",
    "Level",
    "local_shards",
    "model_run",
    "peak_memory_kb",
    "Progress",
    "ray_shards",
    "RayUnavailable",
    "save_counterexample",
    "Shards",
    "Spill",
    "Stats",
    "step_meta",
    "TraceStep",
    "verify_trace",
    "violation_at_end",
    "write_run",
]
