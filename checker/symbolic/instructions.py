"""The stack-switching instructions and control transfers on a symbolic store
(spec §3.1-§3.9), in Wasmtime's order: a trap part-way keeps what came before."""

from __future__ import annotations

from dataclasses import dataclass

import z3

from .machine import (
    ALREADY_CONSUMED,
    CC_LAUNCHPAD,
    CC_RESUME_POINT,
    CC_SUSPENSION_POINT,
    FRESH,
    NULL_REFERENCE,
    PARENT,
    RESULT_ARITY,
    RETURNED,
    RUNNING,
    SUSPEND_ARITY,
    SUSPENDED,
    TRAPPED,
    UNCAUGHT_EXCEPTION,
    Activations,
    Exec,
    SymTrap,
    SymUB,
)
from .state import CURRENT, Cont, Limits, Stack, Val

RETURN, RESUME, SUSPEND, SWITCH, TRAP, RESUME_THROW = (
    "RETURN",
    "RESUME",
    "SUSPEND",
    "SWITCH",
    "TRAP",
    "RESUME_THROW",
)


@dataclass
class Operands:
    """One action's operands, concrete where control depends on them."""

    handle: int  # contref index, or -1 for a null continuation
    current: bool  # the handle's witness equals the revision
    null: bool  # a null funcref (cont.new) or null exnref (resume_throw_ref)
    tag: Val
    nsuspend: Val
    nswitch: Val
    clause_tags: list[Val]
    catcher: int  # stacks up the chain to the catching try_table; -1 nowhere


class Instructions:
    def __init__(self, x: Exec, ops: Operands) -> None:
        self.x, self.ops, self.host = x, ops, Activations(x)

    # -- operands -----------------------------------------------------------------

    def checked(self) -> Cont:
        """The null check and the revision check (§3.2-§3.6 steps 1-2)."""
        if self.ops.handle < 0:
            raise SymTrap(NULL_REFERENCE)
        if not self.ops.current:
            raise SymTrap(ALREADY_CONSUMED)
        return self.x.s.conts[self.ops.handle]

    def consume(self) -> int:
        """Take the operand from its slot, then revision += 1."""
        self.checked()
        i = self.ops.handle
        pair = self.x.s.handles[i]
        pair[CURRENT] = pair[CURRENT] - 1
        self.x.bump_revision(i)
        return i

    # -- §3.1-§3.6 ----------------------------------------------------------------

    def cont_new(self) -> None:
        x = self.x
        if self.ops.null:
            raise SymTrap(NULL_REFERENCE)
        i = x.p.pick(x.s.ncont, range(x.bounds.contrefs))
        x.s.conts[i] = Cont(
            FRESH, 0, [0] * x.bounds.clauses, 0, Limits(i, 0, 0, 0), 0, i, 0, 0, 0, CC_LAUNCHPAD, 0
        )
        x.s.ncont = i + 1
        x.give_handle(i)

    def cont_bind(self) -> None:
        c = self.checked()
        count = z3.If(self.x.remaining(c) >= 1, 1, 0)
        i = self.consume()
        self.x.store_payloads(self.x.s.conts[i], count)
        self.x.give_handle(i)

    def resume(self) -> None:
        i = self.consume()
        c = self.x.s.conts[i]
        self.x.store_payloads(c, self.x.remaining(c))
        self.enter_chain(i, RESUME)

    def resume_throw(self) -> None:
        x = self.x
        self.checked()
        if self.ops.null:  # resume_throw_ref of a null exnref: nothing consumed
            raise SymTrap(NULL_REFERENCE)
        i = self.consume()
        c = x.s.conts[i]
        if x.state_of(c) == FRESH:
            x.set_state(x.codes.cont(i), TRAPPED)
            c.args, c.values = 0, 0
        else:
            c.values = 1  # the exnref
            self.enter_chain(i, RESUME_THROW)
        self.unwind(UNCAUGHT_EXCEPTION, self.ops.catcher)

    def enter_chain(self, i: int, effect: str) -> None:
        """§3.3 steps 5-12: splice the suspended chain onto the store chain."""
        x, ops = self.x, self.ops
        c = x.s.conts[i]
        st = x.state_of(c)
        if st not in (FRESH, SUSPENDED):
            raise SymUB
        ancestor = x.s.conts[x.contref(c.last_ancestor)]
        orig = x.link(x.s.chain)
        ancestor.parent = orig
        c.last_ancestor = -1
        x.s.chain = x.codes.cont(i)
        x.set_state(x.codes.cont(i), RUNNING)
        x.set_state(orig, PARENT)
        x.save_limits(orig, with_stack_limit=True)
        x.restore_limits(x.codes.cont(i))
        self.install_handlers(x.stack(orig), ops)
        previous = (ancestor.cc_kind, ancestor.cc_stack)
        ancestor.cc_kind, ancestor.cc_stack = CC_RESUME_POINT, orig
        self.arrive(i, previous, effect, st == FRESH)

    @staticmethod
    def install_handlers(st: Stack, ops: Operands) -> None:
        """The resume's clauses, suspend clauses first (§2.3); none leaves the list."""
        total = ops.nsuspend + ops.nswitch
        some = total > 0
        st.handlers = [z3.If(some, t, h) for t, h in zip(ops.clause_tags, st.handlers, strict=True)]
        st.nhandlers = z3.If(some, total, st.nhandlers)
        st.fshi = z3.If(some, ops.nsuspend, st.fshi)

    def arrive(self, i: int, target: tuple[Val, Val], effect: str, fresh: bool) -> None:
        """Control lands at the launchpad or at the suspension site of `i` (§2.9)."""
        x = self.x
        me = x.codes.cont(i)
        x.s.running = me
        kind = x.p.pick(target[0], range(4))
        if kind == CC_LAUNCHPAD and fresh:
            x.events.deliveries.append(("launchpad", effect))
            x.enter_trampoline(me)
            return
        if kind != CC_SUSPENSION_POINT or x.link(target[1]) != me:
            raise SymUB
        x.events.deliveries.append(("suspend", effect))
        x.s.conts[i].values = 0

    def suspend(self) -> None:
        """§3.4: search first, then break the chain at the handler."""
        x = self.x
        parent, a, _ = x.search(x.link(x.s.chain), self.ops.tag, switch=False)
        head = x.link(x.s.chain)
        c, ancestor = x.cont(head), x.s.conts[a]
        c.last_ancestor, c.values = a, SUSPEND_ARITY
        x.set_state(head, SUSPENDED)
        ancestor.parent = x.codes.absent
        previous = (ancestor.cc_kind, ancestor.cc_stack)
        ancestor.cc_kind, ancestor.cc_stack = CC_SUSPENSION_POINT, head
        self.expect_resume_point(previous, parent)
        x.events.deliveries.append(("resume", SUSPEND))
        self.resume_site(parent, SUSPEND)

    def switch(self) -> None:
        """§3.5: the target is consumed before the search."""
        x = self.x
        t = self.consume()
        handler, child_index, _ = x.search(x.link(x.s.chain), self.ops.tag, switch=True)
        me_code = x.link(x.s.chain)
        me, child = x.cont(me_code), x.s.conts[child_index]
        me.last_ancestor = child_index
        x.set_state(me_code, SUSPENDED)
        child.parent = x.codes.absent
        x.save_limits(me_code, with_stack_limit=False)
        target = x.s.conts[t]
        x.store_payloads(target, x.remaining(target))
        fresh = x.state_of(target) == FRESH
        x.set_state(x.codes.cont(t), RUNNING)
        ancestor = x.s.conts[x.contref(target.last_ancestor)]
        ancestor.parent = handler
        x.s.chain = x.codes.cont(t)
        x.restore_limits(x.codes.cont(t))
        landing = (ancestor.cc_kind, ancestor.cc_stack)
        self.expect_resume_point((child.cc_kind, child.cc_stack), handler)
        ancestor.cc_kind, ancestor.cc_stack = child.cc_kind, child.cc_stack
        child.cc_kind, child.cc_stack = CC_SUSPENSION_POINT, me_code
        self.arrive(t, landing, SWITCH, fresh)
        x.give_handle(x.codes.index(me_code))

    def expect_resume_point(self, cc: tuple[Val, Val], parent: int) -> None:
        if self.x.p.pick(cc[0], range(4)) != CC_RESUME_POINT or self.x.link(cc[1]) != parent:
            raise SymUB

    # -- control arriving elsewhere (§3.3 Phase B, §3.7, §3.8) -------------------------

    def jump_to_parent(self, i: int, effect: str) -> int:
        c = self.x.s.conts[i]
        if self.x.p.pick(c.cc_kind, range(4)) != CC_RESUME_POINT:
            raise SymUB
        self.x.events.deliveries.append(("resume", effect))
        return self.x.link(c.cc_stack)

    def resume_site(self, parent: int, effect: str) -> None:
        x = self.x
        new = x.link(x.s.chain)
        x.s.chain = parent
        x.set_state(parent, RUNNING)
        x.clear_handlers(x.stack(parent))
        x.s.running = parent
        head = x.cont(new)
        if effect == RETURN:
            x.restore_limits(parent)
            x.set_state(new, RETURNED)
            head.args = 0
        elif effect == SUSPEND:
            x.save_limits(new, with_stack_limit=False)
            x.restore_limits(parent)
            head.values = 0
            x.give_handle(x.codes.index(new))
        else:
            x.set_state(new, TRAPPED)
            x.restore_limits(parent)
            head.args, head.values = 0, 0

    def continuation_returns(self, i: int) -> None:
        self.x.s.conts[i].args = RESULT_ARITY
        self.resume_site(self.jump_to_parent(i, RETURN), RETURN)

    def unwind(self, message: int, catcher: int | None) -> None:
        """A trap (catcher None) or exception leaves the running stack (§3.8)."""
        x = self.x
        hops = x.bounds.contrefs + x.bounds.host_depth + 1  # more only on a cyclic chain
        while catcher != 0:
            hops -= 1
            if hops < 0:
                raise SymUB
            on = x.link(x.s.running)
            to = x.link(x.s.vmctx.th)
            x.events.unwinds.append((on, to))
            if to != on or x.link(x.s.vmctx.sp) != on:
                raise SymUB  # the stale trap handler of #13298
            if x.codes.is_init(on):
                self.host.exit(message)
                return
            if not x.codes.is_cont(on):
                raise SymUB
            i = x.codes.index(on)
            if not x.v48:  # #13028: delivered as a normal return
                self.continuation_returns(i)
                return
            self.resume_site(self.jump_to_parent(i, TRAP), TRAP)
            if catcher is not None and catcher > 0:
                catcher -= 1
