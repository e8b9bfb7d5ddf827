"""The partitioned search as a run: shards seeded or restored from a
checkpoint, levels explored, checkpoints written every `every` seconds and
when the run is interrupted, the shards closed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contcheck.model import ContinuationModel
from contcheck.properties import Property

from .bfs import Exploration, Progress
from .checkpoint import identity, load, save
from .partitioned import LevelSink, Run, Search, Shards


@dataclass
class Checkpoints:
    folder: Path
    every: float  # seconds between checkpoints
    resume: bool = False  # continue from the checkpoint in `folder`


def explore_partitioned(
    model: ContinuationModel,
    properties: list[Property],
    shards: Shards,
    max_states: int | None = None,
    progress: Progress | None = None,
    on_level: LevelSink | None = None,
    checkpoints: Checkpoints | None = None,
    gather_keys: bool = True,
) -> Exploration:
    """Explore as `explore` does, over `shards`; the same states, indices,
    violations and shortest traces (the store's keys only with `gather_keys`).
    CheckpointError for a checkpoint that does not fit this run."""
    run = Run(model, properties, shards, max_states, progress, on_level)
    ident = identity(model, [p.id for p in properties])
    try:
        if checkpoints is not None and checkpoints.resume:
            load(checkpoints.folder, ident, run.search, shards)
        else:
            run.seed()
        if checkpoints is not None:
            run.after_level = _Writer(run, ident, checkpoints)
        run.explore()
        if checkpoints is not None and run.stop_reason == "interrupted":
            save(checkpoints.folder, ident, run.search, shards, run.stats().seconds)
        return run.result(gather_keys)
    finally:
        shards.close()


class _Writer:
    """After each complete level, a checkpoint if `every` seconds have passed
    (not after a level cut short by --max-states: it cannot be continued)."""

    def __init__(self, run: Run, ident: dict[str, Any], checkpoints: Checkpoints) -> None:
        self.run, self.ident, self.checkpoints = run, ident, checkpoints
        self.last = time.monotonic()

    def __call__(self, search: Search) -> None:
        if self.run.stop_reason or time.monotonic() - self.last < self.checkpoints.every:
            return
        seconds = self.run.stats().seconds
        save(self.checkpoints.folder, self.ident, search, self.run.shards, seconds)
        self.last = time.monotonic()
