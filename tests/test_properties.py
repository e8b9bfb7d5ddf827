"""Each property holds on a correct state and fails on one broken the way its
spec §4 entry forbids: a property that cannot fail checks nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contcheck.model import Action, Event, Kind, State, Version, VMStackState
from contcheck.model.machine import Unwind
from contcheck.model.state import (
    ABSENT,
    HOST_STACK,
    ControlContext,
    CtrlKind,
    Handle,
    continuation,
    initial_stack,
)
from contcheck.properties import (
    PROPERTIES,
    UNMODELLED,
    by_id,
    state_violations,
    transition_violations,
)

from program import Program, child_suspended_to_parent

S = VMStackState


def running_k0_with_suspended_k1() -> State:
    """init0 -> k0 (Running, clause on e0); k1 Suspended to k0; k2 Fresh."""
    p = Program()
    child_suspended_to_parent(p)
    p.new()
    assert p.running == "k0"
    return p.state


def cont(s: State, i: int, **fields: object) -> State:
    conts = list(s.continuations)
    conts[i] = conts[i]._replace(**fields)
    return s._replace(continuations=tuple(conts))


def init(s: State, **fields: object) -> State:
    act = s.activations[0]
    return s._replace(activations=(act._replace(csi=act.csi._replace(**fields)),))


BROKEN: dict[str, Callable[[State], State]] = {
    "I1": lambda s: s._replace(stack_chain=ABSENT),
    "I2": lambda s: cont(s, 1, parent_chain=initial_stack(0)),
    "I3": lambda s: init(s, state=S.SUSPENDED),
    "I4": lambda s: cont(s, 0, handlers=(0,)),
    "I6": lambda s: cont(s, 2, last_ancestor=0),
    "I7": lambda s: s._replace(vmctx=s.vmctx._replace(stack_limit=HOST_STACK)),
    "I8": lambda s: init(s, limits=s.activations[0].csi.limits._replace(entry_fp=ABSENT)),
    "I9": lambda s: cont(s, 2, limits=s.continuations[2].limits._replace(entry_fp=continuation(2))),
    "I11": lambda s: s._replace(handles=(Handle(0, s.continuations[0].revision),)),
    "I12": lambda s: cont(s, 2, first_switch_handler_index=1),
    "I13": lambda s: cont(s, 0, values_len=1),
    "I14": lambda s: cont(s, 1, state=S.RUNNING),
    "I15": lambda s: cont(s, 2, cc=ControlContext(CtrlKind.RESUME_POINT, initial_stack(0))),
    "I16": lambda s: cont(s, 1, parent_chain=continuation(0)),
    "I18": lambda s: cont(s, 1, limits=s.continuations[1].limits._replace(stack_limit=0)),
    "I23": lambda s: s._replace(vmctx=s.vmctx._replace(entry_trap_handler=initial_stack(0))),
    "I25": lambda s: cont(s, 1, state=S.RETURNED, args_len=1),
    "S0": lambda s: s._replace(fault="stale jump"),
}


@pytest.mark.parametrize("prop_id", sorted(BROKEN))
def test_state_property_detects_its_violation(prop_id: str) -> None:
    """§4: the property holds on a reachable state and fails once broken."""
    props = by_id([prop_id], Version.V48)
    good = running_k0_with_suspended_k1()
    assert state_violations(props, good, Version.V48) == []
    found = state_violations(props, BROKEN[prop_id](good), Version.V48)
    assert [pid for pid, _ in found] == [prop_id]


def _step(state: State, action: Action, **event: object) -> tuple[State, Action, State, Event]:
    return state, action, state, Event("test", **event)  # type: ignore[arg-type]


def test_i10_revision_must_grow_by_exactly_one() -> None:
    """§4 I10: consuming bumps exactly the operand's revision by one."""
    before = running_k0_with_suspended_k1()
    handle = Handle(1, before.continuations[1].revision)
    after = cont(before, 1, revision=handle.witness + 2)
    found = transition_violations(
        by_id(["I10"], Version.V48), before, Action(Kind.CONT_BIND, handle), after, Event("")
    )
    assert found and found[0][0] == "I10"


@pytest.mark.parametrize(
    ("prop_id", "event"),
    [
        ("I17", {"state_changes": ((continuation(0), S.RETURNED, S.RUNNING),)}),
        ("I19", {"deliveries": (("resume", "RESUME"),)}),
        ("S2", {"unwinds": (Unwind("trap", continuation(0), initial_stack(0)),)}),
    ],
)
def test_transition_property_detects_its_violation(prop_id: str, event: dict[str, object]) -> None:
    """§4 I17 (terminal states), I19 (payload routing), S2 (trap handler owner)."""
    state = running_k0_with_suspended_k1()
    found = transition_violations(
        by_id([prop_id], Version.V48), *_step(state, Action(Kind.TRAP), **event)
    )
    assert [pid for pid, _ in found] == [prop_id]


def test_i21_wrong_handler_is_detected() -> None:
    """§4 I21: the recomputed innermost, lowest-index handler must match."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0, 0))
    before = p.state
    p.suspend(0)
    assert p.event is not None and p.event.search is not None
    wrong = p.event._replace(search=(p.event.search[0], k0, 1))
    props = by_id(["I21"], Version.V48)
    assert transition_violations(props, before, Action(Kind.SUSPEND), p.state, p.event) == []
    assert transition_violations(props, before, Action(Kind.SUSPEND), p.state, wrong)


@pytest.mark.parametrize("version", [Version.V44, Version.V48])
def test_safety_properties_on_real_steps(version: Version) -> None:
    """S1 (§3.8), S3 (§3.9), S5 (§3.11) judged on steps the model takes: v44
    breaks S1 and S3, both releases break S5."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0)
    before = p.state
    p.trap()
    s1 = transition_violations(by_id(["S1"], version), before, Action(Kind.TRAP), p.state, p.event)  # type: ignore[arg-type]
    assert bool(s1) == (version == Version.V44)
    q = Program(version)
    q.new()
    q.resume(0, on=(0,))
    q.host_call()
    before = q.state
    q.ret()
    s3 = transition_violations(
        by_id(["S3"], version), before, Action(Kind.RETURN), q.state, q.event
    )  # type: ignore[arg-type]
    assert bool(s3) == (version == Version.V44)


@pytest.mark.parametrize("version", [Version.V44, Version.V48])
def test_s5_gc_over_a_suspended_chain(version: Version) -> None:
    """§3.11: the walk assumes a chain ending in an initial stack; a suspended
    chain ends in Absent in both releases."""
    p = Program(version)
    p.new()
    p.resume(0, on=(0,))
    p.suspend(0)
    before = p.state
    p.plain(Kind.GC)
    found = transition_violations(by_id(["S5"], version), before, Action(Kind.GC), p.state, p.event)  # type: ignore[arg-type]
    assert [pid for pid, _ in found] == ["S5"]


def test_s4_flags_a_cyclic_chain() -> None:
    """§5.6: a search over a cyclic chain would not terminate."""
    state = cont(running_k0_with_suspended_k1(), 0, parent_chain=continuation(0))
    found = transition_violations(by_id(["S4"], Version.V48), *_step(state, Action(Kind.SUSPEND)))
    assert found and found[0][0] == "S4"


def test_catalog_ids_and_sources() -> None:
    """§4: every invariant I1-I25 is either checked or listed as not modelled
    with a reason, and every property cites a source; S0-S5 are present."""
    ids = {p.id for p in PROPERTIES} | {u.id for u in UNMODELLED}
    assert {f"I{n}" for n in range(1, 26)} <= ids
    assert {f"S{n}" for n in range(0, 6)} <= ids
    assert all(p.source and p.statement for p in PROPERTIES)
    assert all(u.reason for u in UNMODELLED)
    assert "I23" not in {p.id for p in by_id(None, Version.V44)}


@pytest.mark.parametrize("version", [Version.V44, Version.V48])
def test_dispatch_skips_only_predicates_that_hold(version: Version) -> None:
    """A search calls a transition predicate only after the action kinds and
    on the events its Property names; on every step of a small state space
    (and with every event emptied) the skipped predicates hold."""
    from contcheck.checker.explicit import explore
    from contcheck.model import Bounds, ContinuationModel
    from contcheck.model.canonical import decode
    from contcheck.properties.evaluate import judge_transition, transition_checks

    model = ContinuationModel(version, Bounds(contrefs=2, host_depth=2, handles=1))
    props = by_id(None, version)
    checks = transition_checks(props)
    every = [(p.id, p.transition_check) for p in props if p.transition_check is not None]
    keys = explore(model, props, max_states=400, exact=True).store.keys
    steps = 0
    for key in keys:
        state = decode(key)
        for action in model.actions(state):
            step = model.next_state(state, action)
            for event in (step.event, Event(step.event.outcome)):
                dispatched = judge_transition(checks, state, action, step.state, event)
                plain = [(pid, m) for pid, c in every if (m := c(state, action, step.state, event))]
                assert dispatched == plain, action
                steps += 1
    assert steps > 1000
