"""The stack-switching instructions, step by step in Wasmtime's order (spec §3.1-§3.6)."""

from __future__ import annotations

from .actions import Action
from .control import RESUME, RESUME_THROW, SUSPEND, SWITCH, resume_site, unwind
from .machine import (
    NULL_REFERENCE,
    SUSPEND_HANDLER,
    SWITCH_HANDLER,
    UNCAUGHT_EXCEPTION,
    Machine,
    UndefinedBehaviour,
    WasmTrap,
)
from .state import (
    ABSENT,
    LAUNCHPAD,
    NULL_CONTREF,
    ControlContext,
    CtrlKind,
    Handle,
    Link,
    VMContRef,
    VMStackLimits,
    VMStackState,
    continuation,
)

# Payload arities, one well-typed program family: every continuation expects
# ARITY values (the function's parameters while Fresh, the tag's or switch's
# results while Suspended); cont.bind binds one of them if any is left, resume
# passes the rest, switch passes the rest with the switcher continuation last,
# and a suspend tag carries SUSPEND_ARITY values to its handler.
ARITY = 2
SUSPEND_ARITY = 1


def remaining(c: VMContRef) -> int:
    """How many values the continuation still expects (its type's parameters)."""
    held = c.args_len if c.state == VMStackState.FRESH else c.values_len
    return max(ARITY - held, 0)


def cont_new(m: Machine, action: Action) -> None:
    """§3.1: allocate a Fresh contref whose handle has revision 0."""
    if action.null:
        raise WasmTrap(NULL_REFERENCE)
    index = len(m.conts)
    limits = VMStackLimits(index, ABSENT, ABSENT, ABSENT)  # step 6: only stack_limit
    m.conts.append(VMContRef(VMStackState.FRESH, ABSENT, index, 0, (), 0, 0, 0, limits, LAUNCHPAD))
    m.give_handle(Handle(index, 0))
    m.outcome.append(f"allocated k{index}")


def cont_bind(m: Machine, action: Action) -> None:
    """§3.2: consume the handle, append the bound arguments, mint revision+1."""
    c = m.check_handle(action.handle)
    assert action.handle is not None
    index = action.handle.contref
    m.consume_operand(action.handle)
    m.store_payloads(index, min(1, remaining(c)))
    m.set_cont(index, revision=c.revision + 1)
    m.give_handle(Handle(index, c.revision + 1))


def resume(m: Machine, action: Action) -> None:
    """§3.3 Phase A, then control continues inside the resumed chain."""
    index = _consume(m, action)
    m.store_payloads(index, remaining(m.cont(index)))
    _enter_chain(m, index, action, RESUME)


def resume_throw(m: Machine, action: Action) -> None:
    """§3.6: throw an exception into the continuation (v48 only)."""
    c = m.check_handle(action.handle)
    assert action.handle is not None
    index = action.handle.contref
    if action.null:  # resume_throw_ref of a null exnref: the contref stays valid
        raise WasmTrap(NULL_REFERENCE)
    m.consume_operand(action.handle)
    m.set_cont(index, revision=c.revision + 1)
    if c.state == VMStackState.FRESH:
        m.set_cont(index, state=VMStackState.TRAPPED, args_len=0, values_len=0)
        m.outcome.append(f"k{index} never ran: Trapped; the exception is thrown in {m.running}")
        unwind(m, UNCAUGHT_EXCEPTION, action.catcher)
        return
    m.set_cont(index, values_len=1)  # store_data_entries([exn])
    _enter_chain(m, index, action, RESUME_THROW)
    unwind(m, UNCAUGHT_EXCEPTION, action.catcher)


def _consume(m: Machine, action: Action) -> int:
    """Steps 1-3 common to resume and switch: null, revision, revision+1."""
    c = m.check_handle(action.handle)
    assert action.handle is not None
    index = action.handle.contref
    m.consume_operand(action.handle)
    m.set_cont(index, revision=c.revision + 1)
    return index


def _enter_chain(m: Machine, index: int, action: Action, effect: str) -> None:
    """§3.3 steps 5-12: splice the suspended chain onto the store chain and switch."""
    c = m.cont(index)
    if c.state not in (VMStackState.FRESH, VMStackState.SUSPENDED):
        raise UndefinedBehaviour(f"resume of k{index} in state {VMStackState(c.state).name} (I11)")
    was_fresh = c.state == VMStackState.FRESH
    ancestor = c.last_ancestor
    orig = m.chain
    m.set_cont(ancestor, parent_chain=orig)
    m.set_cont(index, last_ancestor=NULL_CONTREF)
    m.chain = continuation(index)
    m.set_cont(index, state=VMStackState.RUNNING)
    m.update(orig, state=VMStackState.PARENT)
    m.save_limits(orig, with_stack_limit=True)
    m.restore_limits(continuation(index))
    if action.suspend_tags or action.switch_tags:
        m.update(
            orig,
            handlers=action.suspend_tags + action.switch_tags,
            first_switch_handler_index=len(action.suspend_tags),
        )
    previous = m.cont(ancestor).cc
    m.set_cc(ancestor, ControlContext(CtrlKind.RESUME_POINT, orig))
    _arrive(m, index, previous, effect, was_fresh)
    m.outcome.append(f"{orig} resumed k{index}")


def _arrive(m: Machine, index: int, target: ControlContext, effect: str, fresh: bool) -> None:
    """Control lands at a launchpad or at the suspension site of `index` (§2.9)."""
    m.running = continuation(index)
    if target.kind == CtrlKind.LAUNCHPAD and fresh:
        m.deliveries.append(("launchpad", effect))
        m.enter_trampoline(continuation(index))  # fiber_start -> array_call
        return
    if target != ControlContext(CtrlKind.SUSPENSION_POINT, continuation(index)):
        raise UndefinedBehaviour(f"stack_switch to k{index} jumps through {target}")
    m.deliveries.append(("suspend", effect))
    # The suspend/switch site loads its results (or the exnref) and clears with discard.
    m.set_cont(index, values_len=0)


def suspend(m: Machine, action: Action) -> None:
    """§3.4: search first (no state change on a trap), then break the chain."""
    parent, ancestor, clause = m.search(m.chain, action.tag, SUSPEND_HANDLER)
    head = m.chain
    index = head.index
    m.set_cont(index, last_ancestor=ancestor, values_len=SUSPEND_ARITY)
    m.set_cont(index, state=VMStackState.SUSPENDED)
    m.set_cont(ancestor, parent_chain=ABSENT)
    previous = m.cont(ancestor).cc
    m.set_cc(ancestor, ControlContext(CtrlKind.SUSPENSION_POINT, head))
    _expect_resume_point(previous, parent)
    m.deliveries.append(("resume", SUSPEND))
    m.outcome.append(f"k{index} suspended to {parent} (clause {clause})")
    resume_site(m, parent, SUSPEND)


def switch(m: Machine, action: Action) -> None:
    """§3.5: consume the switchee *before* the search, then transfer control."""
    target = _consume(m, action)
    handler, child, _ = m.search(m.chain, action.tag, SWITCH_HANDLER)
    me = m.chain.index
    m.set_cont(me, last_ancestor=child)
    m.set_cont(me, state=VMStackState.SUSPENDED)
    m.set_cont(child, parent_chain=ABSENT)
    m.save_limits(m.chain, with_stack_limit=False)
    switcher = Handle(me, m.cont(me).revision)
    m.store_payloads(target, remaining(m.cont(target)))  # v* ++ [switcher]
    fresh = m.cont(target).state == VMStackState.FRESH
    m.set_cont(target, state=VMStackState.RUNNING)
    ancestor = m.cont(target).last_ancestor  # not cleared, unlike resume (§5.7)
    m.set_cont(ancestor, parent_chain=handler)
    m.chain = continuation(target)
    m.restore_limits(m.chain)
    landing = m.cont(ancestor).cc
    _expect_resume_point(m.cont(child).cc, handler)
    m.set_cc(ancestor, m.cont(child).cc)
    m.set_cc(child, ControlContext(CtrlKind.SUSPENSION_POINT, continuation(me)))
    _arrive(m, target, landing, SWITCH, fresh)
    m.give_handle(switcher)
    m.outcome.append(f"k{me} switched to k{target} under {handler}")


def _expect_resume_point(cc: ControlContext, parent: Link) -> None:
    if cc != ControlContext(CtrlKind.RESUME_POINT, parent):
        raise UndefinedBehaviour(f"stack_switch to {parent} jumps through {cc}")
