"""Behaviours of Wasmtime's own stack-switching tests, replayed as action sequences.

Each test names the file of `tests/misc_testsuite/stack-switching/` (tag
v48.0.0) or `tests/all/stack_switching.rs` it follows, and asserts the outcome
Wasmtime gives (spec §6.1, §6.3); where 44.0.0 behaves differently, the v44
semantics is checked too.  Tags are numbered as the module declares them.
"""

from __future__ import annotations

import pytest

from contcheck.model import Kind, Version, VMStackState

from program import Program, child_suspended_to_parent

S = VMStackState
V44, V48 = Version.V44, Version.V48
CONSUMED = "continuation already consumed"
UNHANDLED = "unhandled tag"
UNREACHABLE = "wasm `unreachable` instruction executed"


def cont_twice(version: Version) -> Program:
    """cont_twice.wast: run k0 to completion, then resume a copy of its handle."""
    p = Program(version)
    k0 = p.new()
    p.copy(k0)
    p.resume(k0)
    p.ret()
    p.resume(k0, stale=True)
    return p


def test_cont_twice_v48_traps_already_consumed() -> None:
    """cont_twice.wast: resuming a consumed continuation traps (§3.3 step 2)."""
    p = cont_twice(V48)
    assert p.host_trap == CONSUMED
    assert not p.state.activations and not p.fault


def test_cont_twice_v44_crashes() -> None:
    """cont_twice.wast on 44.0.0: SIGSEGV, a trap on the initial stack after a
    completed resume unwinds into the dead continuation's trampoline (§3.8, §6.3)."""
    assert "unwinds to the trap handler saved by k0" in cont_twice(V44).fault


@pytest.mark.parametrize("version", [V44, V48])
def test_trap_inside_continuation(version: Version) -> None:
    """trap.wast: `unreachable` in a continuation; v48 bubbles it to the host
    (§3.8), 44.0.0 delivers it as a normal return ("expected trap, got Core([])")."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0)
    p.trap()
    if version == V48:
        assert p.host_trap == UNREACHABLE and p.st(k0) == S.TRAPPED
    else:
        assert p.st(k0) == S.RETURNED and p.running == "init0" and not p.host_trap


@pytest.mark.parametrize("version", [V44, V48])
def test_unhandled_suspend_in_continuation(version: Version) -> None:
    """unhandled.wast (unhandled-1): a suspend nobody handles traps "unhandled
    tag" in v48; 44.0.0 returns normally (§6.3)."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0)
    p.suspend(0)
    if version == V48:
        assert p.host_trap == UNHANDLED and p.st(k0) == S.TRAPPED
    else:
        assert p.st(k0) == S.RETURNED and not p.host_trap


@pytest.mark.parametrize("version", [V44, V48])
def test_suspend_on_initial_stack(version: Version) -> None:
    """unhandled.wast (unhandled-0), §6.3: suspend on the main stack traps
    "unhandled tag" in both releases; SEARCH changes nothing first (§3.4 step 2)."""
    p = Program(version)
    p.suspend(0)
    assert p.host_trap == UNHANDLED and not p.fault


def test_switch1_switch_to_fresh() -> None:
    """switch1.wast: switch to a cont.new continuation; it returns to the
    switch handler's resume (§3.5 steps 12-15, §5.9)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, switch=(0,))
    k1 = p.new()
    p.switch(k1, 0)
    assert p.running == "k1" and p.st(k0) == S.SUSPENDED
    assert str(p.state.continuations[k1].parent_chain) == "init0"
    assert p.handle(k0).witness == p.state.continuations[k0].revision
    p.ret()
    assert p.st(k1) == S.RETURNED and p.running == "init0" and p.st(k0) == S.SUSPENDED


def switch_away_from_chain(p: Program) -> tuple[int, int, int]:
    """The opening of switch2/switch3: main resumes k0 with a switch clause,
    k0 resumes k1 with none, k1 switches to a fresh k2: chain k1 -> k0 is
    suspended and k2 runs under main."""
    k0 = p.new()
    p.resume(k0, switch=(0,))
    k1 = p.new()
    p.resume(k1)
    k2 = p.new()
    p.switch(k2, 0)
    return k0, k1, k2


def test_switch2_switch_back_to_switched_chain() -> None:
    """switch2.wast: switch past a resume without clauses, then back to the
    two-element chain a switch suspended (§3.5 steps 5-7, 12)."""
    p = Program()
    k0, k1, k2 = switch_away_from_chain(p)
    assert p.st(k1) == S.SUSPENDED and p.st(k0) == S.PARENT
    assert p.state.continuations[k1].last_ancestor == k0
    k3 = p.new()
    p.resume(k3)
    p.switch(k1, 0)
    assert p.running == "k1" and str(p.state.continuations[k0].parent_chain) == "init0"
    p.ret()
    p.ret()
    assert p.running == "init0" and p.st(k0) == S.RETURNED
    assert p.st(k3) == S.SUSPENDED and p.st(k2) == S.PARENT


def test_switch3_resume_switched_chain_and_suspend_across_it() -> None:
    """switch3.wast: resume a switch-created chain under another stack, then
    suspend across it to that stack (§3.3 step 6, §3.4)."""
    p = Program()
    k0, k1, k2 = switch_away_from_chain(p)
    k3 = p.new()
    p.resume(k3)
    p.resume(k1, on=(1,))
    p.suspend(1)
    assert p.event and p.event.search == (p.state.stack_chain, k0, 0)
    assert p.running == "k3"
    p.resume(k1)
    for _ in range(4):
        p.ret()
    assert p.running == "init0" and all(p.st(k) == S.RETURNED for k in (k0, k1, k2, k3))


def test_switch4_bind_then_switch() -> None:
    """switch4.wast: cont.bind on a Fresh and on a switch-created continuation
    before switching to each (§3.2, §3.5 step 10)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, switch=(0,))
    k1 = p.new()
    p.bind(k1)
    assert p.state.continuations[k1].args_len == 1
    p.switch(k1, 0)
    assert p.state.continuations[k1].args_len == 2  # the bound value and the switcher
    p.bind(k0)
    p.switch(k0, 0)
    assert p.running == "k0" and p.state.continuations[k0].values_len == 0
    p.ret()
    assert p.running == "init0" and p.st(k0) == S.RETURNED and p.st(k1) == S.SUSPENDED


def test_switch5_switch_to_suspend_created() -> None:
    """switch5.wast: switch to a continuation a suspend created, under a
    different resume (§3.5 step 12 splices it under the handler)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    k1 = p.new()
    p.resume(k1, switch=(1,))
    p.switch(k0, 1)
    assert p.running == "k0" and str(p.state.continuations[k0].parent_chain) == "init0"
    p.ret()
    assert p.st(k0) == S.RETURNED and p.st(k1) == S.SUSPENDED and p.running == "init0"


def test_switch6_suspend_skips_switch_clause() -> None:
    """switch6.wast: a suspend skips a switch clause for the same tag; Wasmtime
    stores suspend clauses first, so the match is index 0 (§2.3, §3.0 SEARCH)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,), switch=(0,))
    p.new()
    p.resume(1, switch=(0,))
    p.suspend(0)
    assert p.event and p.event.search is not None
    handler, child, index = p.event.search
    assert (str(handler), child, index) == ("init0", k0, 0)
    assert p.st(1) == S.SUSPENDED and p.st(k0) == S.PARENT


def test_switch7_switch_skips_suspend_clause() -> None:
    """switch7.wast: a switch skips a suspend clause for the same tag (§3.0)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,), switch=(0,))
    k1 = p.new()
    p.resume(k1, on=(0,))
    k2 = p.new()
    p.switch(k2, 0)
    assert p.event and p.event.search is not None
    assert (str(p.event.search[0]), p.event.search[2]) == ("init0", 1)
    p.ret()
    assert p.running == "init0" and p.st(k2) == S.RETURNED


@pytest.mark.parametrize("version", [V44, V48])
def test_switch8_switch_to_consumed(version: Version) -> None:
    """switch8.wast: switch to a consumed continuation traps "continuation
    already consumed" (§3.5 step 2); on v44 the trap runs on k0 while the entry
    trap handler is still k1's dead trampoline (§5.1)."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0, switch=(0,))
    k1 = p.new()
    p.copy(k1)
    p.resume(k1)
    p.ret()
    p.switch(k1, 0, stale=True)
    if version == V48:
        assert p.host_trap == CONSUMED and p.st(k0) == S.TRAPPED
    else:
        assert "saved by k1's trampoline" in p.fault


def test_dup_first_clause_wins() -> None:
    """dup.wast and §3.0: duplicate clauses are kept; the lowest index wins."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0, 0))
    assert p.state.activations[0].csi.handlers == (0, 0)
    p.suspend(0)
    assert p.event and p.event.search is not None and p.event.search[2] == 0


def test_cont_resume1_suspend_and_resume() -> None:
    """cont_resume1.wast: suspend to the handler, resume with a value, return (§3.3, §3.4)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    assert p.st(k0) == S.SUSPENDED and p.state.continuations[k0].values_len == 0
    p.resume(k0)
    assert p.running == "k0"
    p.ret()
    assert p.st(k0) == S.RETURNED and p.state.continuations[k0].args_len == 0


def test_cont_resume2_clause_choice() -> None:
    """cont_resume2.wast: the handler index is the clause's position (§3.3 Suspend branch)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0, 1, 2))
    p.suspend(1)
    assert p.event and p.event.search and p.event.search[2] == 1
    p.resume(k0, on=(2,))
    p.suspend(2)
    assert p.event and p.event.search and p.event.search[2] == 0
    p.resume(k0)
    p.ret()
    assert p.st(k0) == S.RETURNED


def test_cont_bind3_bind_suspended_twice() -> None:
    """cont_bind3.wast: cont.bind twice on a suspended continuation: each
    consumes and mints revision+1; values accumulate then are consumed (§3.2, I13)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    revision = p.state.continuations[k0].revision
    p.bind(k0)
    p.bind(k0)
    assert p.state.continuations[k0].revision == revision + 2
    assert p.state.continuations[k0].values_len == 2
    p.resume(k0)
    assert p.state.continuations[k0].values_len == 0
    p.ret()
    assert p.st(k0) == S.RETURNED


def test_cont_nested1_continuation_suspends_others() -> None:
    """cont_nested1.wast: a continuation runs and suspends two others (§3.3)."""
    p = Program()
    k0, k1 = child_suspended_to_parent(p)
    assert p.running == "k0"
    k2 = p.new()
    p.resume(k2, on=(0,))
    p.suspend(0)
    p.resume(k1)
    p.ret()
    p.ret()
    assert p.running == "init0" and p.st(k2) == S.SUSPENDED


def test_cont_nested3_resume_after_handler_returned() -> None:
    """cont_nested3.wast: resume a continuation after the stack that handled
    its suspend has returned; its new parent is the resumer (§3.3 step 6)."""
    p = Program()
    k0, k1 = child_suspended_to_parent(p)
    p.ret()
    assert p.st(k0) == S.RETURNED
    p.resume(k1)
    assert str(p.state.continuations[k1].parent_chain) == "init0"
    p.ret()
    assert p.st(k1) == S.RETURNED and p.running == "init0"


def test_cont_nested4_resume_while_handler_suspended() -> None:
    """cont_nested4.wast: resume a continuation while the stack that handled
    its suspend is itself suspended (I16: the two chains stay disjoint)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(1,))
    k1 = p.new()
    p.resume(k1, on=(0,))
    p.suspend(0)
    p.suspend(1)
    assert p.st(k0) == S.SUSPENDED and p.running == "init0"
    p.resume(k1)
    p.ret()
    assert p.st(k1) == S.RETURNED and p.st(k0) == S.SUSPENDED


@pytest.mark.parametrize("version", [V44, V48])
def test_cont_nested6_suspend_after_child_returned(version: Version) -> None:
    """cont_nested6.wast: suspend works after a nested continuation returned
    (§3.3 Return branch restores the parent's limits); no trap, so v44 is fine too."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0, on=(0,))
    k1 = p.new()
    p.resume(k1)
    p.ret()
    p.suspend(0)
    assert p.running == "init0" and p.st(k0) == S.SUSPENDED and not p.fault


def test_cont_forwarding1_suspend_past_inner_handler() -> None:
    """cont_forwarding1.wast: a suspend is forwarded past a stack without a
    matching clause; the whole chain is suspended (§3.4 steps 3, 7)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    k1 = p.new()
    p.resume(k1, on=(1,))
    p.suspend(0)
    c0, c1 = p.state.continuations[k0], p.state.continuations[k1]
    assert (p.st(k1), p.st(k0)) == (S.SUSPENDED, S.PARENT)
    assert c1.last_ancestor == k0 and str(c0.parent_chain) == "Absent"
    p.resume(k1)
    assert str(p.state.continuations[k0].parent_chain) == "init0"
    p.ret()
    p.ret()
    assert p.running == "init0"


def test_cont_forwarding5_bound_chain_resumed_inside_continuation() -> None:
    """cont_forwarding5.wast: a forwarded chain is bound, then resumed from
    inside another continuation, which makes the chain longer (§3.3 step 6)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    k1 = p.new()
    p.resume(k1, on=(1,))
    p.suspend(0)
    p.bind(k1)
    k2 = p.new()
    p.resume(k2)
    p.resume(k1)
    assert str(p.state.continuations[k0].parent_chain) == "k2"
    p.ret()
    p.ret()
    p.ret()
    assert p.running == "init0" and p.st(k2) == S.RETURNED


def test_cont_forwarding7_loop_unrolled() -> None:
    """cont_forwarding7.wast (four iterations): the same chain suspends to main
    repeatedly, the last time from its direct child (§3.4)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    k1 = p.new()
    p.resume(k1, on=(1,))
    p.suspend(0)
    p.resume(k1, on=(0,))
    p.suspend(0)
    p.resume(k1, on=(0,))
    p.ret()
    p.suspend(0)
    assert p.st(k0) == S.SUSPENDED and p.state.continuations[k0].last_ancestor == k0
    p.resume(k0, on=(0,))
    p.ret()
    assert p.running == "init0" and p.st(k0) == S.RETURNED


def test_linking_tags1_wrong_tag_is_unhandled() -> None:
    """linking_tags1.wast (main-1): a handler for another tag does not catch;
    the suspend traps "unhandled tag" (§3.0 SEARCH compares tag identity)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(1,))
    p.suspend(0)
    assert p.host_trap == UNHANDLED


def test_resume_throw_catch_in_child() -> None:
    """resume_throw.wast (catch-in-child): the exception surfaces at the
    suspension point and the child's try_table catches it (§3.6 step 5)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    p.resume_throw(k0, catcher=0)
    assert p.running == "k0" and p.st(k0) == S.RUNNING
    p.ret()
    assert p.st(k0) == S.RETURNED


def test_resume_throw_catch_in_parent_then_stale() -> None:
    """resume_throw.wast (catch-in-parent, resume-after-caught-throw): the child
    ends Trapped, main catches; resuming again traps already consumed (§3.6)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    p.copy(k0)
    p.resume_throw(k0, catcher=1)
    assert p.st(k0) == S.TRAPPED and p.running == "init0" and not p.host_trap
    p.resume(k0, stale=True)
    assert p.host_trap == CONSUMED


def test_resume_throw_into_fresh() -> None:
    """resume_throw.wast (throw-into-fresh): the body never runs; the contref
    becomes Trapped and the exception is thrown in the resumer (§3.6 step 4)."""
    p = Program()
    k0 = p.new()
    p.resume_throw(k0, catcher=0)
    assert p.st(k0) == S.TRAPPED and p.running == "init0"
    assert p.state.continuations[k0].args_len == 0


def test_resume_throw_catch_stacks_deep() -> None:
    """resume_throw.wast (catch-eight-stacks-deep, five here): every stack the
    exception leaves ends Trapped; main catches it (§3.3 Trap branch)."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    for _ in range(4):
        p.resume(p.new())
    p.suspend(0)
    deepest = len(p.state.continuations) - 1
    p.resume_throw(deepest, catcher=5)
    assert all(p.st(k) == S.TRAPPED for k in range(5)) and p.running == "init0"


def test_host_catches_nested_trap_and_outer_continues() -> None:
    """tests/all parent_frames_resume_after_host_catches_trap (§3.8 step 6):
    a trap in nested wasm reaches the host function, which returns normally."""
    p = Program()
    k0 = p.new()
    p.resume(k0)
    p.host_call()
    k1 = p.new()
    p.resume(k1)
    p.trap()
    assert p.st(k1) == S.TRAPPED and p.state.host_error == UNREACHABLE
    p.plain(Kind.HOST_SWALLOW)
    assert p.running == "k0" and p.chain == "k0" and p.st(k0) == S.RUNNING
    p.ret()
    assert p.running == "init0" and p.st(k0) == S.RETURNED


def test_host_frames_are_suspension_barriers() -> None:
    """tests/all call_host_from_continuation_nested_suspend_unhandled (§3.9
    step 3, I22): nested wasm cannot suspend to a handler outside it."""
    p = Program()
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.host_call()
    p.suspend(0)
    assert p.state.host_error == UNHANDLED and p.running == "k0"


@pytest.mark.parametrize("version", [V44, V48])
def test_re_enter_from_continuation_then_suspend(version: Version) -> None:
    """tests/all re_enter_wasm_from_continuation…nested_suspend_ok, #13322:
    after the host call returns, v48 restores the chain and the suspend works;
    v44 restored a dangling InitialStack, the suspend traps and the trap-as-
    return writes into the dead frame (§3.9 step 5)."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.host_call()
    p.ret()
    if version == V48:
        assert p.chain == "k0"
        p.suspend(0)
        assert p.st(k0) == S.SUSPENDED and p.running == "init0"
    else:
        assert p.chain == "init(dead)" and p.running == "k0"
        p.suspend(0)
        assert "init(dead)" in p.fault


@pytest.mark.parametrize("version", [V44, V48])
def test_issue_13298_parent_trap_after_resume_and_suspend(version: Version) -> None:
    """#13298 repro (§6.3): the parent traps after a resume and suspend; v48
    reports the trap, 44.0.0 crashes (SIGSEGV)."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    p.trap()
    if version == V48:
        assert p.host_trap == UNREACHABLE
    else:
        assert "#13298" in p.fault


def test_cont_table_copies_are_single_use() -> None:
    """cont_table.wast: copies of one handle share a revision; after one is
    consumed every other copy is stale (§2.6 Copying, I10)."""
    p = Program()
    k0 = p.new()
    p.copy(k0)
    p.copy(k0)
    p.resume(k0)
    p.ret()
    stale = [h for h in p.state.handles if h.contref == k0]
    assert len(stale) == 2 and all(h.witness != p.state.continuations[k0].revision for h in stale)
    p.resume(k0, stale=True)
    assert p.host_trap == CONSUMED
