"""Returns, traps, exceptions, host entry and exit, GC (§3.7-§3.9, §3.11)."""

from __future__ import annotations

import pytest

from contcheck.model import Kind, Version, VMStackState
from contcheck.model.state import DEAD_INITIAL_STACK, initial_stack

from program import Program

S = VMStackState
V44, V48 = Version.V44, Version.V48


def test_v48_trap_bubbles_through_every_parent() -> None:
    """§3.8 v48 steps 1-5: each continuation of the active chain ends Trapped
    and the host receives the trap; the chain and entry fields are restored."""
    p = Program(V48)
    k0 = p.new()
    p.resume(k0)
    k1 = p.new()
    p.resume(k1)
    p.trap()
    assert p.st(k0) == S.TRAPPED and p.st(k1) == S.TRAPPED
    assert p.host_trap and not p.state.activations and p.state.stack_chain.kind == 0


def test_v48_exception_caught_by_parent_try_table() -> None:
    """§3.3 Trap branch step 4: a try_table around the resume catches an
    exception that escaped the child; the child is Trapped, the parent runs."""
    p = Program(V48)
    k0 = p.new()
    p.resume(k0)
    k1 = p.new()
    p.resume(k1)
    p.throw(catcher=1)
    assert p.st(k1) == S.TRAPPED and p.st(k0) == S.RUNNING and p.running == "k0"
    assert p.state.continuations[k1].values_len == 0 and p.state.continuations[k1].args_len == 0


def test_v44_exception_becomes_return() -> None:
    """§3.8 v44 and §6.3: an uncaught throw in a child, try_table around the
    resume in the parent: 44.0.0 "returns" instead of catching."""
    p = Program(V44)
    k0 = p.new()
    p.resume(k0)
    p.throw(catcher=1)
    assert p.st(k0) == S.RETURNED and p.running == "init0"


def test_v48_host_rethrow_continues_as_trap() -> None:
    """§3.8 step 6: a host function that returns its nested call's error traps
    in the calling continuation, which then bubbles."""
    p = Program(V48)
    k0 = p.new()
    p.resume(k0)
    p.host_call()
    p.trap()
    assert p.state.host_error
    p.plain(Kind.HOST_RETHROW)
    assert p.st(k0) == S.TRAPPED and p.host_trap


@pytest.mark.parametrize("version", [V44, V48])
def test_host_reentry_starts_fresh_initial_stack(version: Version) -> None:
    """§3.9 steps 1-4: re-entry sets the chain to a new InitialStack; the outer
    continuation stays Running; the stack limit is kept (same native stack)."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0)
    p.host_call()
    assert p.state.stack_chain == initial_stack(1) and p.st(k0) == S.RUNNING
    assert p.state.vmctx.stack_limit == k0 and p.state.vmctx.entry_fp == initial_stack(1)


@pytest.mark.parametrize("version", [V44, V48])
def test_host_return_restores_chain(version: Version) -> None:
    """§2.11 and §3.9 step 5: v48 restores the true previous chain; v44 saved
    the new chain and restores a dangling InitialStack (#13322)."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0)
    p.host_call()
    p.ret()
    expected = "k0" if version == V48 else str(DEAD_INITIAL_STACK)
    assert p.chain == expected and p.running == "k0"
    assert p.state.vmctx.entry_trap_handler.index == k0


def test_top_level_return_and_reinvoke() -> None:
    """§2.11: the outermost call returns to the embedder, which may call
    again; handles in globals survive and a suspended continuation resumes."""
    p = Program(V48)
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    p.ret()
    assert not p.state.activations
    p.plain(Kind.HOST_INVOKE)
    p.resume(k0)
    assert p.running == "k0" and str(p.state.continuations[k0].parent_chain) == "init0"


@pytest.mark.parametrize("version", [V44, V48])
def test_gc_with_suspended_continuation_panics(version: Version) -> None:
    """§3.11: tracing a suspended chain (ending in Absent) panics: v44
    backtrace.rs:343 assert, v48 :340 expect (#14239)."""
    p = Program(version)
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    p.plain(Kind.GC)
    assert "#14239" in p.fault


def test_gc_without_suspended_continuation_is_harmless() -> None:
    """§3.11: Running, Parent, Fresh and Returned contrefs are not walked."""
    p = Program(V48)
    k0 = p.new()
    p.resume(k0)
    p.plain(Kind.GC)
    assert not p.fault and p.running == "k0"


def test_v44_trap_while_parent_owns_handler_is_undefined() -> None:
    """§3.8 v44: a trap while the entry trap handler belongs to another stack
    is undefined behaviour (#13298): here k0 resumes a suspended k1 after a
    third continuation's trampoline ran last."""
    p = Program(V44)
    k0 = p.new()
    p.resume(k0, on=(0,))
    p.suspend(0)
    k1 = p.new()
    p.resume(k1)
    p.ret()
    p.resume(k0)
    p.trap()
    assert "saved by k1's trampoline" in p.fault
