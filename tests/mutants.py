"""Seeded bugs in the model, each a small patch applied for the duration of a
campaign (issue 18): the model stays the one semantics, and a campaign that
runs with a mutant applied should disagree with the targets, which implement
the real semantics.  What fraction of runs catches each one is what an
agreement figure is worth.

`MUTANTS` maps a name to (what is wrong, the patch); `mutated(name)` applies
one as a context manager.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from contcheck.model import Action, Kind, control, instructions, semantics
from contcheck.model.control import RESULT_ARITY, RETURN, jump_to_parent, resume_site
from contcheck.model.machine import (
    SUSPEND_HANDLER,
    SWITCH_HANDLER,
    UNHANDLED_TAG,
    Machine,
    UndefinedBehaviour,
    WasmTrap,
)
from contcheck.model.state import ABSENT, ChainKind, Link, VMStackState

Patch = Callable[[pytest.MonkeyPatch], None]
Search = Callable[[Machine, Link, int, int], tuple[Link, int, int]]


def _search_with(order: Callable[[range], list[int]], outermost: bool, any_kind: bool) -> Search:
    """SEARCH (§3.0) with its clause order, chain order or kind filter changed."""

    def search(m: Machine, start: Link, tag: int, kind: int) -> tuple[Link, int, int]:
        link, found = start, None
        while link.kind == ChainKind.CONTINUATION:
            parent = m.conts[link.index].parent_chain
            if parent == ABSENT:
                raise UndefinedBehaviour(f"SEARCH walks off a chain ending in Absent at {link}")
            info = m.csi(parent)
            fshi = info.first_switch_handler_index
            lo, hi = (0, fshi) if kind == SUSPEND_HANDLER else (fshi, len(info.handlers))
            if any_kind:
                lo, hi = 0, len(info.handlers)
            hit = next((i for i in order(range(lo, hi)) if info.handlers[i] == tag), None)
            if hit is not None:
                found = (parent, link.index, hit)
                if not outermost:
                    break
            link = parent
        if found is None:
            raise WasmTrap(UNHANDLED_TAG)
        m.search_result = found
        return found

    return search


def _outermost_handler(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(Machine, "search", _search_with(list, outermost=True, any_kind=False))


def _highest_clause(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(Machine, "search", _search_with(lambda r: list(reversed(r)), False, False))


def _suspend_any_clause(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(Machine, "search", _search_with(list, outermost=False, any_kind=True))


def _caught_one_stack_too_far(mp: pytest.MonkeyPatch) -> None:
    unwind = control.unwind

    def farther(m: Machine, message: str, catcher: int | None) -> None:
        unwind(m, message, catcher + 1 if catcher is not None and catcher >= 0 else catcher)

    mp.setattr(control, "unwind", farther)
    mp.setattr(instructions, "unwind", farther)


def _trap_returns(mp: pytest.MonkeyPatch) -> None:
    """v44's #13028 in v48: a trap leaving a continuation is a normal return."""
    unwind = control.unwind

    def as_return(m: Machine, message: str, catcher: int | None) -> None:
        if catcher is not None or m.running.kind != ChainKind.CONTINUATION:
            unwind(m, message, catcher)
            return
        index = m.running.index
        m.set_cont(index, args_len=RESULT_ARITY)
        resume_site(m, jump_to_parent(m, index, RETURN), RETURN)

    mp.setattr(control, "unwind", as_return)


def _execute(mp: pytest.MonkeyPatch, kind: Kind, body: Callable[[Machine, Action], None]) -> None:
    mp.setitem(semantics._EXECUTE, kind, body)


def _switch_keeps_target(mp: pytest.MonkeyPatch) -> None:
    switch = instructions.switch

    def keeping(m: Machine, action: Action) -> None:
        switch(m, action)
        h = action.handle
        assert h is not None
        m.set_cont(h.contref, revision=h.witness)  # the target's handle stays valid
        m.give_handle(h)

    _execute(mp, Kind.SWITCH, keeping)


def _bind_keeps_handle(mp: pytest.MonkeyPatch) -> None:
    def bind(m: Machine, action: Action) -> None:
        c = m.check_handle(action.handle)
        assert action.handle is not None
        m.store_payloads(action.handle.contref, min(1, instructions.remaining(c)))

    _execute(mp, Kind.CONT_BIND, bind)


def _throw_without_switch_clauses(mp: pytest.MonkeyPatch) -> None:
    """resume_throw installs its suspend clauses only (§3.6 step 5 runs §3.3's
    steps 5-16, which install them all)."""
    resume_throw = instructions.resume_throw

    def suspend_only(m: Machine, action: Action) -> None:
        resume_throw(m, action._replace(switch_tags=()))

    _execute(mp, Kind.RESUME_THROW, suspend_only)


def _switch_searches_first(mp: pytest.MonkeyPatch) -> None:
    """switch looks for its handler before consuming the target, so an
    unhandled switch leaves the target's handle valid (§3.5 consumes first)."""
    switch = instructions.switch

    def searching(m: Machine, action: Action) -> None:
        m.check_handle(action.handle)
        m.search(m.chain, action.tag, SWITCH_HANDLER)
        switch(m, action)

    _execute(mp, Kind.SWITCH, searching)


def _suspend_forgets_ancestor(mp: pytest.MonkeyPatch) -> None:
    """suspend records the head itself as `last_ancestor`: a resumed chain of
    several stacks is spliced in at its head alone."""
    suspend = instructions.suspend

    def forgetting(m: Machine, action: Action) -> None:
        head = m.chain
        suspend(m, action)
        if head.kind == ChainKind.CONTINUATION and m.conts[head.index].last_ancestor != head.index:
            m.set_cont(head.index, last_ancestor=head.index)

    _execute(mp, Kind.SUSPEND, forgetting)


def _suspend_marks_ancestor(mp: pytest.MonkeyPatch) -> None:
    """suspend marks the suspended chain's outermost stack Suspended, not its head."""
    suspend = instructions.suspend

    def wrong(m: Machine, action: Action) -> None:
        head = m.chain
        suspend(m, action)
        ancestor = m.conts[head.index].last_ancestor
        if ancestor != head.index:
            m.set_cont(head.index, state=VMStackState.PARENT)
            m.set_cont(ancestor, state=VMStackState.SUSPENDED)

    _execute(mp, Kind.SUSPEND, wrong)


def _fresh_throw_not_trapped(mp: pytest.MonkeyPatch) -> None:
    """resume_throw into a Fresh continuation leaves it Fresh (§3.6 step 4)."""
    resume_throw = instructions.resume_throw

    def untrapped(m: Machine, action: Action) -> None:
        h = action.handle
        fresh = h is not None and m.conts[h.contref].state == VMStackState.FRESH
        try:
            resume_throw(m, action)
        finally:
            if fresh and h is not None and m.conts[h.contref].state == VMStackState.TRAPPED:
                m.set_cont(h.contref, state=VMStackState.FRESH)

    _execute(mp, Kind.RESUME_THROW, untrapped)


MUTANTS: dict[str, tuple[str, Patch]] = {
    "outermost-handler": ("SEARCH takes the outermost matching handler", _outermost_handler),
    "highest-clause": ("SEARCH takes the highest matching clause", _highest_clause),
    "caught-too-far": ("an exception is caught one stack too far up", _caught_one_stack_too_far),
    "suspend-any-clause": (
        "suspend is handled by switch clauses too",
        _suspend_any_clause,
    ),
    "switch-keeps-target": ("switch does not consume its target", _switch_keeps_target),
    "bind-keeps-handle": ("cont.bind does not consume its operand", _bind_keeps_handle),
    "throw-no-switch-clauses": (
        "resume_throw installs no switch clauses",
        _throw_without_switch_clauses,
    ),
    "switch-searches-first": (
        "switch searches before consuming: an unhandled switch keeps its target",
        _switch_searches_first,
    ),
    "suspend-forgets-ancestor": (
        "suspend leaves last_ancestor at the head: a resumed chain loses its middle",
        _suspend_forgets_ancestor,
    ),
    "trap-returns": ("a trap leaving a continuation returns to its parent", _trap_returns),
    "suspend-marks-ancestor": (
        "suspend marks the chain's outermost stack Suspended, not its head",
        _suspend_marks_ancestor,
    ),
    "fresh-throw-not-trapped": (
        "resume_throw into a Fresh continuation leaves it Fresh",
        _fresh_throw_not_trapped,
    ),
}


@contextmanager
def mutated(name: str) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        MUTANTS[name][1](mp)
        yield
