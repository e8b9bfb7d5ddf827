"""The partitioned search, on Ray and with checkpoints (issue "Exploration
beyond one machine"): the same verdicts, shortest traces and state counts as
the local search; an interrupted run resumed ends as an uninterrupted one; a
checkpoint of another run is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contcheck import main
from contcheck.checker.explicit import (
    CheckpointError,
    Checkpoints,
    Exploration,
    Spill,
    explore,
    explore_partitioned,
    local_shards,
    ray_shards,
)
from contcheck.checker.explicit.shards import LocalShards
from contcheck.checker.explicit.visited import SpillingVisited
from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.properties import by_id

SMALL = Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2)
TINY = Bounds(contrefs=1, tags=1, clauses=1, host_depth=2, handles=2)  # v44: 998 states


def _model(version: Version, bounds: Bounds = SMALL) -> ContinuationModel:
    return ContinuationModel(version, bounds)


def _ids(model: ContinuationModel) -> list[str]:
    return [p.id for p in by_id(None, model.version)]


def _same(a: Exploration, b: Exploration) -> None:
    """Every number and index a run reports, and every trace's ingredients."""
    assert b.store.keys == a.store.keys
    assert list(b.store.parent) == list(a.store.parent)
    assert list(b.store.via) == list(a.store.via)
    assert list(b.store.depth) == list(a.store.depth)
    assert b.found == a.found
    assert (b.stats.states, b.stats.transitions, b.stats.depth) == (
        a.stats.states,
        a.stats.transitions,
        a.stats.depth,
    )
    assert (b.exhaustive, b.stop_reason) == (a.exhaustive, a.stop_reason)


@pytest.mark.parametrize("version", [Version.V44, Version.V48], ids=["v44", "v48"])
@pytest.mark.parametrize("max_states", [None, 1500], ids=["exhaustive", "max-states"])
def test_partitioned_search_is_the_local_search(version: Version, max_states: int | None) -> None:
    model = _model(version)
    props = by_id(None, version)
    local = explore(model, props, max_states)
    shards = local_shards(model, _ids(model), 3, None)
    _same(local, explore_partitioned(model, props, shards, max_states))


class _Recording(LocalShards):
    """Remembers, as the search closes it, which shards spilled to disk."""

    spilled: list[bool]

    def close(self) -> None:
        self.spilled = [
            isinstance(p.visited, SpillingVisited) and p.visited.on_disk for p in self.partitions
        ]
        super().close()


@pytest.mark.parametrize("after", [0, 1000], ids=["on disk", "spilled part-way"])
def test_visited_set_on_disk_gives_the_same_run(tmp_path: Path, after: int) -> None:
    """--spill moves a shard's keys into LMDB once it holds more than
    `after`: the same run, the LMDB folders removed after."""
    model = _model(Version.V44)
    props = by_id(None, model.version)
    shards = _Recording(local_shards(model, _ids(model), 2, Spill(tmp_path, after)).partitions)
    _same(explore(model, props), explore_partitioned(model, props, shards))
    assert shards.spilled == [True, True]
    assert list(tmp_path.iterdir()) == []


class _Interrupting(LocalShards):
    """Ctrl-C at the `at`-th call to the shards, before or after it runs."""

    def __init__(self, inner: LocalShards, at: int, after: bool) -> None:
        super().__init__(inner.partitions)
        self.calls, self.at, self.after = 0, at, after

    def call(self, method: str, args: list[tuple[Any, ...]]) -> list[Any]:
        self.calls += 1
        if self.calls == self.at and not self.after:
            raise KeyboardInterrupt
        result = super().call(method, args)
        if self.calls == self.at:
            raise KeyboardInterrupt
        return result


@pytest.mark.parametrize(
    ("at", "after"),
    [(2, False), (9, True), (12, False), (20, True), (31, True), (46, False), (53, True)],
    ids=lambda v: str(v),
)
def test_interrupted_run_resumed_ends_as_an_uninterrupted_one(
    tmp_path: Path, at: int, after: bool
) -> None:
    """Interrupted during expand, admit or commit (before or after a shard
    did its part), or while a checkpoint is written; then resumed on another
    number of shards."""
    model = _model(Version.V44, TINY)
    props = by_id(None, model.version)
    whole = explore(model, props)
    folder = tmp_path / "checkpoint"
    shards = _Interrupting(local_shards(model, _ids(model), 3, None), at, after)
    stopped = explore_partitioned(model, props, shards, checkpoints=Checkpoints(folder, 0.0))
    assert stopped.stop_reason == "interrupted"
    assert stopped.stats.states < whole.stats.states
    resumed = explore_partitioned(
        model,
        props,
        local_shards(model, _ids(model), 2, None),
        checkpoints=Checkpoints(folder, 3600.0, resume=True),
    )
    _same(whole, resumed)


def test_checkpoint_of_another_run_is_refused(tmp_path: Path, capsys: Any) -> None:
    folder = tmp_path / "cp"
    model = _model(Version.V44)
    props = by_id(None, model.version)
    shards = _Interrupting(local_shards(model, _ids(model), 1, None), 20, False)
    explore_partitioned(model, props, shards, checkpoints=Checkpoints(folder, 0.0))
    other = _model(Version.V44, Bounds(contrefs=1, tags=1, clauses=1, host_depth=1, handles=2))
    with pytest.raises(CheckpointError, match="bounds"):
        explore_partitioned(
            other,
            by_id(None, other.version),
            local_shards(other, _ids(other), 1, None),
            checkpoints=Checkpoints(folder, 60.0, resume=True),
        )
    argv = ["check", "--semantics", "v48", "--contrefs", "2", "--host-depth", "1"]
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--resume", str(folder)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"contcheck: error: checkpoint {folder} was written for semantics 'v44', this run has 'v48'"
    ]


def test_damaged_checkpoint_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "cp"
    model = _model(Version.V48)
    props = by_id(None, model.version)
    shards = _Interrupting(local_shards(model, _ids(model), 1, None), 20, False)
    explore_partitioned(model, props, shards, checkpoints=Checkpoints(folder, 0.0))
    keys = folder / "shard-0.keys"
    keys.write_bytes(keys.read_bytes()[:-3])
    with pytest.raises(CheckpointError, match="damaged"):
        explore_partitioned(
            model,
            props,
            local_shards(model, _ids(model), 1, None),
            checkpoints=Checkpoints(folder, 60.0, resume=True),
        )


def test_search_on_a_local_ray_cluster_is_the_local_search() -> None:
    """Two Ray actors on a local cluster started for the test."""
    model = _model(Version.V44)
    props = by_id(None, model.version)
    shards = ray_shards(model, _ids(model), 2, None, None)
    _same(explore(model, props, 2500), explore_partitioned(model, props, shards, 2500))


def _check(tmp_path: Path, name: str, *extra: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    out = tmp_path / name
    argv = ["check", "--semantics", "v44", "--contrefs", "1", "--host-depth", "2"]
    argv += ["--json", str(out / "run.json"), "--trace-dir", str(out / "traces"), *extra]
    assert main(argv) == 1  # v44 violates I1, S0-S3, S5 at these bounds
    document = json.loads((out / "run.json").read_text())
    for prop in document["properties"]:
        prop.pop("trace_file")
    for volatile in ("seconds", "states_per_second", "peak_memory_kb"):
        document["stats"].pop(volatile)
    folder = out / "traces"
    traces = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.json"))}
    return document, traces


def test_check_with_checkpoints_reports_as_without(tmp_path: Path) -> None:
    """`check --checkpoint DIR` runs the partitioned search: the same JSON
    document (but for timings) and the same trace files, byte for byte."""
    plain = _check(tmp_path, "plain")
    assert _check(tmp_path, "checkpointed", "--checkpoint", str(tmp_path / "cp")) == plain
