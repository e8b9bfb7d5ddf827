"""The explicit checker: exhaustive verdicts, shortest and replayable traces."""

from __future__ import annotations

from pathlib import Path

import pytest

from contcheck.checker.explicit.bfs import Exploration, explore
from contcheck.checker.explicit.paths import concrete_trace, violation_at_end
from contcheck.checker.explicit.tracefile import save_counterexample, verify_trace
from contcheck.checker.itf import read_trace
from contcheck.model import Bounds, ContinuationModel, Kind, Version
from contcheck.model.canonical import decode
from contcheck.properties import PROPERTIES, by_id

SMALL = Bounds(contrefs=2, tags=1, clauses=1, host_depth=2, handles=2)


def run(version: Version, workers: int = 1, bounds: Bounds = SMALL) -> Exploration:
    return explore(ContinuationModel(version, bounds), by_id(None, version), workers=workers)


@pytest.fixture(scope="module")
def v44() -> Exploration:
    return run(Version.V44)


def test_v48_only_the_gc_walk_fails() -> None:
    """§6.2/§3.11: v48 keeps every invariant; only GC tracing of a suspended
    continuation (#14239) breaks, as S5 and the resulting panic S0."""
    result = run(Version.V48, workers=2)
    assert result.exhaustive
    assert set(result.found) == {"S0", "S5"}
    assert result.found["S5"].length == 4  # cont.new, resume, suspend, gc


def test_v44_known_defects_are_found_shortest(v44: Exploration) -> None:
    """§5.1-5.3: v44 breaks S1 (#13028), S2 (#13298) and S3 (#13322)."""
    result = v44
    assert result.exhaustive
    assert {"S1", "S2", "S3", "S5"} <= set(result.found)
    lengths = {p: f.length for p, f in result.found.items()}
    assert lengths["S3"] == 2  # host.call, return
    assert lengths["S1"] == 3  # cont.new, resume, trap
    assert lengths["S2"] == 4  # cont.new, resume, return, trap


def test_traces_replay_and_end_in_violation(v44: Exploration, tmp_path: Path) -> None:
    """Every counterexample is a concrete run that re-checks on the model."""
    result = v44
    for found in result.found.values():
        steps = concrete_trace(result, found)
        assert len(steps) - 1 == found.length
        prop = next(p for p in result.properties if p.id == found.property_id)
        assert violation_at_end(result.model, prop, steps)
        path = save_counterexample(result, found, tmp_path)
        assert verify_trace(read_trace(path)).ok


def test_parallel_run_matches_serial(v44: Exploration) -> None:
    """Two worker processes explore the same states and find the same traces."""
    serial, parallel = v44, run(Version.V44, workers=2)
    assert serial.stats.states == parallel.stats.states
    assert serial.stats.transitions == parallel.stats.transitions
    assert {p: (f.length, f.message) for p, f in serial.found.items()} == {
        p: (f.length, f.message) for p, f in parallel.found.items()
    }


def test_properties_of_another_release_are_left_out_alike() -> None:
    """A property that does not apply to the model's release (I23 is v48's,
    §4) is checked neither serially nor by the workers, which rebuild the
    properties by ID: the two searches find the same violations."""
    model = ContinuationModel(Version.V44, SMALL)
    serial = explore(model, list(PROPERTIES))
    parallel = explore(model, list(PROPERTIES), workers=2)
    assert "I23" not in serial.found
    assert serial.found.keys() == parallel.found.keys()
    assert {p.id for p in serial.properties} == {p.id for p in by_id(None, Version.V44)}


def test_max_states_stops_early() -> None:
    result = explore(ContinuationModel(Version.V48, SMALL), by_id(None, Version.V48), max_states=50)
    assert not result.exhaustive and result.stop_reason == "max-states"
    assert result.stats.states == 50


def test_every_action_kind_is_explored() -> None:
    """The default environment reaches every kind of action (§3, issue bounds)."""
    model = ContinuationModel(Version.V48, SMALL)
    result = explore(model, by_id(["S4"], Version.V48), workers=2)
    assert result.exhaustive
    kinds = set()
    for key in result.store.keys:
        kinds.update(a.kind for a in model.actions(decode(key)))
    assert kinds == set(Kind)
