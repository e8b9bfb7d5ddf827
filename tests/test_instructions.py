"""Each instruction against its section of the spec, field by field (§3.1-§3.6)."""

from __future__ import annotations

import pytest

from contcheck.model import UNCAUGHT, Action, Kind, Version, VMStackState
from contcheck.model.state import ABSENT, LAUNCHPAD, CtrlKind, continuation, initial_stack

from program import Program

S = VMStackState


def test_cont_new_allocates_fresh_contref() -> None:
    """§3.1 steps 3-8: Fresh, parent Absent, last_ancestor itself, revision 0,
    launchpad context, only stack_limit set; the handle carries revision 0."""
    p = Program()
    k = p.new()
    c = p.state.continuations[k]
    assert (c.state, c.parent_chain, c.last_ancestor, c.revision) == (S.FRESH, ABSENT, k, 0)
    assert c.cc == LAUNCHPAD and c.limits.stack_limit == k and c.limits.entry_fp == ABSENT
    assert p.handle(k).witness == 0


def test_cont_new_null_funcref_traps() -> None:
    """§3.1 step 1: a null funcref traps "null reference" and allocates nothing."""
    p = Program()
    p.do(Action(Kind.CONT_NEW, null=True))
    assert p.host_trap == "null reference" and not p.state.continuations


def test_cont_bind_consumes_and_mints() -> None:
    """§3.2: null and revision checks, payloads into args while Fresh, revision+1."""
    p = Program()
    k = p.new()
    p.copy(k)
    p.bind(k)
    c = p.state.continuations[k]
    assert c.revision == 1 and c.args_len == 1 and c.values_len == 0 and c.state == S.FRESH
    assert sorted(h.witness for h in p.state.handles) == [0, 1]
    p.bind(k, stale=True)
    assert p.host_trap == "continuation already consumed"


@pytest.mark.parametrize("kind", [Kind.CONT_BIND, Kind.RESUME, Kind.RESUME_THROW])
def test_null_continuation_traps(kind: Kind) -> None:
    """§2.12: a null continuation operand traps "null reference"."""
    p = Program()
    p.do(Action(kind))
    assert p.host_trap == "null reference"


def test_resume_fresh_splices_and_installs_handlers() -> None:
    """§3.3 Phase A steps 3-12: revision+1, parent := the resumer, last_ancestor
    null, store chain := c, states Running/Parent, handlers suspend-first with
    fshi, the parent's limits saved, the trampoline owns the entry fields."""
    p = Program()
    k = p.new()
    p.resume(k, on=(1,), switch=(0, 2))
    c = p.state.continuations[k]
    csi = p.state.activations[0].csi
    assert (c.state, c.revision, c.parent_chain, c.last_ancestor) == (
        S.RUNNING,
        1,
        initial_stack(0),
        -1,
    )
    assert p.state.stack_chain == continuation(k) and csi.state == S.PARENT
    assert csi.handlers == (1, 0, 2) and csi.first_switch_handler_index == 1
    assert csi.limits.entry_fp == initial_stack(0)
    assert c.cc.kind == CtrlKind.RESUME_POINT and c.cc.stack == initial_stack(0)
    assert p.state.vmctx.entry_trap_handler == continuation(k) and c.args_len == 2


def test_resume_return_branch() -> None:
    """§3.3 Phase B and Return branch: chain and state restored, handler list
    cleared, the child Returned with its args cleared."""
    p = Program()
    k = p.new()
    p.resume(k, on=(0,))
    p.ret()
    csi = p.state.activations[0].csi
    assert p.st(k) == S.RETURNED and p.state.continuations[k].args_len == 0
    assert csi.state == S.RUNNING and csi.handlers == () and csi.first_switch_handler_index == 0
    assert p.state.stack_chain == initial_stack(0)


def test_suspend_breaks_chain_and_hands_back_continuation() -> None:
    """§3.4 steps 3-8 and the Suspend branch: last_ancestor := E, Suspended,
    E.parent := Absent, E.cc := suspension point, handle (H, revision) not bumped."""
    p = Program()
    k = p.new()
    p.resume(k, on=(0,))
    p.suspend(0)
    c = p.state.continuations[k]
    assert (c.state, c.parent_chain, c.last_ancestor) == (S.SUSPENDED, ABSENT, k)
    assert c.cc.kind == CtrlKind.SUSPENSION_POINT and c.values_len == 0
    assert p.handle(k).witness == c.revision == 1
    assert c.limits.entry_fp == continuation(k)


def test_suspend_unhandled_changes_nothing_before_trap() -> None:
    """§3.4 step 2: SEARCH runs before any write; in v48 the trap then bubbles."""
    p = Program()
    k = p.new()
    p.resume(k, on=(1,))
    p.suspend(0)
    assert p.event is not None and p.event.search is None
    assert p.st(k) == S.TRAPPED and p.state.continuations[k].last_ancestor == -1


def test_switch_consumes_before_search() -> None:
    """§3.5 step 3 and §5.8: an unhandled switch traps after bumping the
    switchee's revision, which stays Suspended with no valid handle."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    k1 = p.new()
    p.resume(k1)
    p.switch(k0, 1)  # nobody handles tag 1 as a switch
    c0 = p.state.continuations[k0]
    assert p.host_trap == "unhandled tag" and c0.state == S.SUSPENDED and c0.revision == 2
    assert all(h.witness != c0.revision for h in p.state.handles if h.contref == k0)


def test_switch_keeps_stale_last_ancestor() -> None:
    """§3.5 step 12 and §5.7: the switchee's last_ancestor is not cleared."""
    p = Program()
    k0 = p.new()
    p.resume(k0, switch=(0,))
    k1 = p.new()
    p.switch(k1, 0)
    assert p.state.continuations[k1].last_ancestor == k1
    assert p.state.continuations[k0].last_ancestor == k0


def test_resume_throw_ref_null_exnref_does_not_consume() -> None:
    """§3.6 step 2 and §5.16: a null exnref traps before the revision bump."""
    p = Program()
    k = p.new()
    p.do(Action(Kind.RESUME_THROW_REF, p.handle(k), null=True))
    assert p.host_trap == "null reference" and p.state.continuations[k].revision == 0


def test_resume_throw_not_offered_on_v44() -> None:
    """§3.6: v44 rejects resume_throw at compile time: the environment never offers it."""
    p = Program(Version.V44)
    k = p.new()
    with pytest.raises(AssertionError, match="not enabled"):
        p.do(Action(Kind.RESUME_THROW, p.handle(k), catcher=UNCAUGHT))
