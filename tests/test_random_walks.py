"""Long random runs past the exhaustive bounds: v48 keeps every property of
§4 and S1-S4 on programs with more contrefs, tags, clauses and host depth;
only GC over a suspended chain (S5, and its panic S0) may fail (§3.11)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from contcheck.model import Bounds, ContinuationModel, Kind, Version
from contcheck.properties import by_id, state_violations, transition_violations

WIDE = Bounds(contrefs=5, tags=2, clauses=3, host_depth=3, handles=4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 1 << 20), min_size=20, max_size=80))
def test_v48_random_runs_keep_the_invariants(choices: list[int]) -> None:
    model = ContinuationModel(Version.V48, WIDE)
    props = by_id(None, Version.V48)
    state = model.init_states()[0]
    for choice in choices:
        actions = [a for a in model.actions(state) if a.kind != Kind.GC]
        if not actions:
            break
        action = actions[choice % len(actions)]
        step = model.next_state(state, action)
        broken = transition_violations(props, state, action, step.state, step.event)
        broken += state_violations(props, step.state, model.version)
        assert broken == [], (action, broken)
        state = step.state
