"""The state reductions of model.canonical are sound: they only identify
states the runtime cannot tell apart (§3.10, I20: no reuse, so revisions can be
cut to current/stale; contref numbers are addresses compared for identity)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from contcheck.checker.explicit.bfs import explore
from contcheck.model import Bounds, ContinuationModel, State, Version
from contcheck.model.canonical import canonical, canonical_key, decode, encode, relabel
from contcheck.properties import by_id, state_violations

BOUNDS = Bounds(contrefs=3, tags=2, clauses=2, host_depth=2, handles=3)


def random_walk(version: Version, choices: list[int]) -> list[State]:
    model = ContinuationModel(version, BOUNDS)
    state = model.init_states()[0]
    states = [state]
    for choice in choices:
        actions = model.actions(state)
        if not actions:
            break
        state = model.next_state(state, actions[choice % len(actions)]).state
        states.append(state)
    return states


walks = st.tuples(
    st.sampled_from([Version.V44, Version.V48]), st.lists(st.integers(0, 10_000), max_size=25)
)


@settings(max_examples=150, deadline=None)
@given(walks)
def test_keys_round_trip(walk: tuple[Version, list[int]]) -> None:
    """A key decodes to the representative, which is its own representative."""
    for state in random_walk(*walk):
        rep = canonical(state)
        assert decode(canonical_key(state)) == rep
        assert encode(rep) == canonical_key(state) == canonical_key(rep)


@settings(max_examples=150, deadline=None)
@given(walks, st.randoms(use_true_random=False))
def test_keys_ignore_contref_numbering(walk: tuple[Version, list[int]], rnd: random.Random) -> None:
    """Renumbering the contrefs of a state does not change its key."""
    for state in random_walk(*walk):
        order = list(range(len(state.continuations)))
        rnd.shuffle(order)
        assert canonical_key(relabel(state, order)) == canonical_key(state)


def test_symmetry_reduction_preserves_verdicts() -> None:
    """Exploring with and without symmetry reduction finds the same violated
    properties at the same shortest lengths, with fewer states when reduced."""
    bounds = Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2)
    for version in (Version.V44, Version.V48):
        props = by_id(None, version)
        runs = [
            explore(ContinuationModel(version, bounds, sym), props, workers=2)
            for sym in (True, False)
        ]
        reduced, full = runs
        assert reduced.exhaustive and full.exhaustive
        assert {p: f.length for p, f in reduced.found.items()} == {
            p: f.length for p, f in full.found.items()
        }
        assert reduced.stats.states < full.stats.states


def test_states_faulted_alike_share_one_key() -> None:
    """After undefined behaviour a state has no successors and S0 alone judges
    it, by its fault (spec Appendix A, error states): the key keeps the fault
    and nothing else, and the properties judge the kept state as the state."""
    model = ContinuationModel(Version.V44, Bounds(contrefs=2, host_depth=2, handles=2))
    props = by_id(None, model.version)
    faulted: dict[str, set[State]] = {}
    for key in explore(model, props, max_states=3000).store.keys:
        state = decode(key)
        for action in model.actions(state):
            after = model.next_state(state, action).state
            if after.fault:
                faulted.setdefault(after.fault, set()).add(after)
    assert len(faulted) >= 3 and max(len(alike) for alike in faulted.values()) > 100
    keys = {fault: {canonical_key(s) for s in alike} for fault, alike in faulted.items()}
    assert all(len(k) == 1 for k in keys.values())
    assert len({k for ks in keys.values() for k in ks}) == len(faulted)
    for fault, alike in faulted.items():
        kept = decode(canonical_key(next(iter(alike))))
        assert kept.fault == fault and not model.actions(kept)
        verdicts = {tuple(state_violations(props, s, model.version)) for s in alike}
        assert verdicts == {tuple(state_violations(props, kept, model.version))}
