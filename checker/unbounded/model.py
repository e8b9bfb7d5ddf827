"""The v48 lifecycle over any number of contrefs (issue: z3, "Beyond a fixed
number of continuations"), in the style of mypyvy and Ivy.

Stacks are elements of an uninterpreted sort, so a proof covers stores of
every size.  A store keeps only the fields the invariants proved here read:
each stack's `VMStackState` (with Unallocated for slots `cont.new` has not
used), `parent_chain` and `last_ancestor` as functions to stacks (`NIL` is
Absent), whether a current-revision handle exists (§2.6; copies do not
matter, a consumption makes every copy stale), whether the handler list is
non-empty (§2.3), the control context (§2.9: what it holds, and the stack
whose resume or suspension point that is), whether the `args` and `values`
buffers hold anything (§2.7), the store chain's head and whether the one
activation is entered.  `reach` is a ghost relation, the
reflexive-transitive closure of `parent_chain`, updated by each step and
proved to stay the closure (lemma R in `properties.py`): it keeps
every formula universal.

What is abstracted away: tags and clause tables (a handler search may
return any suspend or switch handler on the active chain whose list is
non-empty), payload counts (a store may or may not add a value), limits,
revision numbers and host re-entry (one activation).  Each abstract step does what §3 does to the
fields kept, in the spec's order, so every concrete v48 step is a sequence
of abstract steps: what holds here holds for those fields at any size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import z3

Stack = z3.DeclareSort("Stack")
St, _states = z3.EnumSort(
    "St", ["Unallocated", "Fresh", "Running", "Parent", "Suspended", "Returned", "Trapped"]
)
UNALLOCATED, FRESH, RUNNING, PARENT, SUSPENDED, RETURNED, TRAPPED = _states
STATES_IN_ORDER: list[z3.ExprRef] = list(_states)  # Unallocated, then by discriminant (§2.8)
Cc, _contexts = z3.EnumSort("Cc", ["None", "Launchpad", "ResumePoint", "SuspensionPoint"])
NO_CONTEXT, LAUNCHPAD, RESUME_POINT, SUSPENSION_POINT = _contexts  # CtrlKind (§2.9)
NIL = z3.Const("Absent", Stack)  # the Absent link, not a stack
INIT = z3.Const("init", Stack)  # the activation's initial stack

Fn = Callable[[z3.ExprRef], z3.ExprRef]
Rel2 = Callable[[z3.ExprRef, z3.ExprRef], z3.BoolRef]


@dataclass(frozen=True)
class Store:
    """One store: functions of stacks, the chain head, the activation."""

    state: Fn
    parent: Fn
    last_ancestor: Fn
    current: Fn  # a handle whose witness is the revision exists
    handlers: Fn  # the handler list is non-empty
    fshi: Fn  # first_switch_handler_index is not 0
    cc: Fn  # what the control context holds
    cc_at: Fn  # whose resume or suspension point
    args: Fn  # the args buffer holds values
    values: Fn  # the values buffer holds values
    # Saved limits (§2.4): the native stack stack_limit guards (a stack is
    # its own; init stands for the host's, Absent for no limit), and whose
    # trampoline frame entry fp, sp and trap handler point into (Absent: 0).
    limit: Fn
    fp: Fn
    sp: Fn
    th: Fn
    reach: Rel2
    head: z3.ExprRef
    active: z3.BoolRef
    live: tuple[z3.ExprRef, z3.ExprRef, z3.ExprRef, z3.ExprRef]  # VMStoreContext's copies


def store_variables(prefix: str) -> Store:
    def fn(name: str, result: z3.SortRef) -> Fn:
        decl: Fn = z3.Function(f"{prefix}.{name}", Stack, result)
        return decl

    return Store(
        fn("state", St),
        fn("parent", Stack),
        fn("last_ancestor", Stack),
        fn("current", z3.BoolSort()),
        fn("handlers", z3.BoolSort()),
        fn("fshi", z3.BoolSort()),
        fn("cc", Cc),
        fn("cc_at", Stack),
        fn("args", z3.BoolSort()),
        fn("values", z3.BoolSort()),
        fn("limit", Stack),
        fn("fp", Stack),
        fn("sp", Stack),
        fn("th", Stack),
        z3.Function(f"{prefix}.reach", Stack, Stack, z3.BoolSort()),
        z3.Const(f"{prefix}.head", Stack),
        z3.Bool(f"{prefix}.active"),
        _live(prefix),
    )


def _live(prefix: str) -> tuple[z3.ExprRef, z3.ExprRef, z3.ExprRef, z3.ExprRef]:
    limit, fp, sp, th = (z3.Const(f"{prefix}.live_{n}", Stack) for n in ("limit", "fp", "sp", "th"))
    return limit, fp, sp, th


def at(f: Fn, point: z3.ExprRef, value: z3.ExprRef | bool) -> Fn:
    """`f` with `f(point) := value`."""
    return lambda x: z3.If(x == point, value, f(x))


def where(f: Fn, cond: Callable[[z3.ExprRef], z3.BoolRef], value: z3.ExprRef | bool) -> Fn:
    """`f` with `f(x) := value` wherever `cond(x)`."""
    return lambda x: z3.If(cond(x), value, f(x))


def cut(r: Rel2, end: z3.ExprRef, above: z3.ExprRef) -> Rel2:
    """`reach` after `end.parent_chain := Absent` (it was `above`): a path
    through that link is gone."""
    return lambda x, y: z3.And(r(x, y), z3.Not(z3.And(r(x, end), r(above, y))))


def splice(r: Rel2, end: z3.ExprRef, onto: z3.ExprRef) -> Rel2:
    """`reach` after `end.parent_chain := onto` (it was Absent)."""
    return lambda x, y: z3.Or(r(x, y), z3.And(r(x, end), r(onto, y)))


def set_cc(s: Store, x: z3.ExprRef, kind: z3.ExprRef, stack: z3.ExprRef) -> Store:
    return replace(s, cc=at(s.cc, x, kind), cc_at=at(s.cc_at, x, stack))


def store_payloads(s: Store, c: z3.ExprRef, stored: z3.BoolRef) -> Store:
    """§3.0 STORE_PAYLOADS: a Fresh contref's `args`, any other's `values`
    (`stored`: whether any value is added)."""
    fresh = s.state(c) == FRESH
    args = at(s.args, c, z3.Or(s.args(c), z3.And(fresh, stored)))
    values = at(s.values, c, z3.Or(s.values(c), z3.And(z3.Not(fresh), stored)))
    return replace(s, args=args, values=values)


def arrive(s: Store, c: z3.ExprRef, fresh: z3.BoolRef) -> Store:
    """Control lands in `c`: at its launchpad (Fresh), where `fiber_start`
    enters its trampoline, or at its suspension site, which loads its values
    and clears them (§3.3 step 12, §3.4 step 9)."""
    s = replace(s, values=at(s.values, c, z3.And(fresh, s.values(c))))
    limit, fp, sp, th = s.live
    return replace(s, live=(limit, z3.If(fresh, c, fp), z3.If(fresh, c, sp), z3.If(fresh, c, th)))


def clear_buffers(s: Store, cond: Callable[[z3.ExprRef], z3.BoolRef]) -> Store:
    """The Trap branch of §3.3 (v48) and §3.6 step 4: `args` and `values`
    cleared wherever `cond` holds."""
    no = z3.BoolVal(False)
    return replace(s, args=where(s.args, cond, no), values=where(s.values, cond, no))


def save_limits(s: Store, x: z3.ExprRef, with_stack_limit: bool) -> Store:
    """§3.0 SAVE_LIMITS (v48: all four fields)."""
    limit = at(s.limit, x, s.live[0]) if with_stack_limit else s.limit
    fp, sp, th = (at(f, x, v) for f, v in zip((s.fp, s.sp, s.th), s.live[1:], strict=True))
    return replace(s, limit=limit, fp=fp, sp=sp, th=th)


def restore_limits(s: Store, x: z3.ExprRef) -> Store:
    """§3.0 RESTORE_LIMITS (v48: all four fields)."""
    return replace(s, live=(s.limit(x), s.fp(x), s.sp(x), s.th(x)))


def enter_trampoline(s: Store, x: z3.ExprRef) -> Store:
    """An array-to-wasm trampoline on stack x writes the three entry fields."""
    return replace(s, live=(s.live[0], x, x, x))


def enter_parent(s: Store, p: z3.ExprRef) -> Store:
    """Phase B of a resume at stack `p` (§3.3 steps 14-15): `p` runs again
    as the chain head, its handler list cleared."""
    s = replace(s, head=p, state=at(s.state, p, RUNNING), handlers=at(s.handlers, p, False))
    return replace(s, fshi=at(s.fshi, p, False))


# -- the steps -------------------------------------------------------------------
# Each returns its guard and the post-store; the parameters are free constants.


def cont_new(s: Store, n: z3.ExprRef) -> tuple[z3.BoolRef, Store]:
    """§3.1: a new contref, Fresh, parent Absent, last_ancestor itself, the
    launchpad in its control context, empty buffers, one handle at its
    revision."""
    guard = z3.And(s.active, s.state(n) == UNALLOCATED, n != NIL, n != INIT)
    no = z3.BoolVal(False)
    post = replace(
        s,
        state=at(s.state, n, FRESH),
        parent=at(s.parent, n, NIL),
        last_ancestor=at(s.last_ancestor, n, n),
        current=at(s.current, n, True),
        handlers=at(s.handlers, n, False),
        fshi=at(s.fshi, n, False),
        args=at(s.args, n, no),
        values=at(s.values, n, no),
        limit=at(s.limit, n, n),  # §3.1 step 6: only stack_limit, its own stack
        fp=at(s.fp, n, NIL),
        sp=at(s.sp, n, NIL),
        th=at(s.th, n, NIL),
        reach=lambda x, y: z3.If(z3.Or(x == n, y == n), z3.And(x == n, y == n), s.reach(x, y)),
    )
    return guard, set_cc(post, n, LAUNCHPAD, NIL)


def cont_bind(s: Store, c: z3.ExprRef, stored: z3.BoolRef) -> tuple[z3.BoolRef, Store]:
    """§3.2: consume the handle, store the bound values, mint a handle at the
    new revision (so a current handle still exists)."""
    return z3.And(s.active, c != NIL, s.current(c)), store_payloads(s, c, stored)


def install_handlers(s: Store, x: z3.ExprRef, clauses: z3.BoolRef, suspends: z3.BoolRef) -> Store:
    """§3.3 step 11: with any clause, the list is written and fshi is the
    number of suspend clauses (`suspends`: there are some); with none,
    nothing is written."""
    handlers = at(s.handlers, x, z3.Or(clauses, s.handlers(x)))
    return replace(s, handlers=handlers, fshi=at(s.fshi, x, z3.If(clauses, suspends, s.fshi(x))))


def resume(
    s: Store, c: z3.ExprRef, clauses: z3.BoolRef, suspends: z3.BoolRef, stored: z3.BoolRef
) -> tuple[z3.BoolRef, Store]:
    """§3.3 Phase A: consume the handle, store the payloads, splice c's
    chain under the running stack, whose resume point goes into the last
    ancestor's control context; c runs.  `clauses`: whether the resume
    installs any handler, `suspends`: any suspend handler.  No state check:
    only the revision guards it (§5 point 5)."""
    guard = z3.And(s.active, c != NIL, s.current(c))
    fresh = s.state(c) == FRESH
    la, orig = s.last_ancestor(c), s.head
    s1 = store_payloads(replace(s, current=at(s.current, c, False)), c, stored)
    s1 = replace(s1, parent=at(s1.parent, la, orig), reach=splice(s.reach, la, orig))
    s1 = replace(s1, last_ancestor=at(s1.last_ancestor, c, NIL))
    state = at(at(s1.state, c, RUNNING), orig, PARENT)
    s1 = replace(s1, head=c, state=state)
    s1 = install_handlers(s1, orig, clauses, suspends)
    s1 = restore_limits(save_limits(s1, orig, with_stack_limit=True), c)
    return guard, arrive(set_cc(s1, la, RESUME_POINT, orig), c, fresh)


def suspend(s: Store, e: z3.ExprRef) -> tuple[z3.BoolRef, Store]:
    """§3.4: the handler is at e's parent P (a stack on the active chain with
    a non-empty list); the head A is suspended (its suspension point in E's
    control context), the chain cut below P, and the resume at P receives
    A's handle and loads A's values, clearing them."""
    a, p = s.head, s.parent(e)
    guard = z3.And(s.active, a != INIT, s.reach(a, e), e != INIT, e != NIL, p != NIL)
    guard = z3.And(guard, s.handlers(p))
    s1 = replace(s, last_ancestor=at(s.last_ancestor, a, e), state=at(s.state, a, SUSPENDED))
    s1 = replace(s1, parent=at(s1.parent, e, NIL), reach=cut(s.reach, e, p))
    s1 = replace(s1, current=at(s1.current, a, True), values=at(s1.values, a, False))
    s1 = restore_limits(save_limits(s1, a, with_stack_limit=False), p)  # Phase B, Suspend
    return guard, enter_parent(set_cc(s1, e, SUSPENSION_POINT, a), p)


def switch(
    s: Store, w: z3.ExprRef, low: z3.ExprRef, stored: z3.BoolRef
) -> tuple[z3.BoolRef, Store]:
    """§3.5 with a handler found: consume w, suspend the head S up to `low`
    (L, the child of the switch handler Hs), store the payloads in w, splice
    w's chain under Hs; Hs stays Parent.  Step 14: w's last ancestor takes
    L's control context, L takes S's switch point.  An unhandled switch is
    a `drop` of w, then a trap."""
    sw, hs = s.head, s.parent(low)
    guard = z3.And(s.active, sw != INIT, w != NIL, s.current(w), s.reach(sw, low), low != INIT)
    guard = z3.And(guard, low != NIL, hs != NIL, s.handlers(hs))
    s1 = replace(s, current=at(s.current, w, False))
    s1 = replace(s1, last_ancestor=at(s1.last_ancestor, sw, low), state=at(s1.state, sw, SUSPENDED))
    s1 = replace(s1, parent=at(s1.parent, low, NIL), reach=cut(s1.reach, low, hs))
    s1 = save_limits(replace(s1, current=at(s1.current, sw, True)), sw, with_stack_limit=False)
    fresh = s1.state(w) == FRESH
    s1 = store_payloads(s1, w, stored)
    s1 = replace(s1, state=at(s1.state, w, RUNNING))
    wl = s1.last_ancestor(w)
    s1 = replace(s1, parent=at(s1.parent, wl, hs), reach=splice(s1.reach, wl, hs))
    s1 = set_cc(s1, wl, s1.cc(low), s1.cc_at(low))
    s1 = restore_limits(replace(s1, head=w), w)
    s1 = set_cc(s1, low, SUSPENSION_POINT, sw)
    return guard, arrive(s1, w, fresh)


def returns(s: Store) -> tuple[z3.BoolRef, Store]:
    """§3.7: the running contref returns to its parent's resume site, which
    loads the results from its `args` and clears them."""
    h = s.head
    guard = z3.And(s.active, h != INIT)
    post = replace(s, state=at(s.state, h, RETURNED), args=at(s.args, h, False))
    return guard, enter_parent(restore_limits(post, s.parent(h)), s.parent(h))


def host_exit(s: Store) -> tuple[z3.BoolRef, Store]:
    """The exported function returns on the initial stack (§2.11).  The live
    limits go back to the host's; nothing reads them before the next entry
    rewrites all four, so they are left as they are."""
    return z3.And(s.active, s.head == INIT), replace(s, active=z3.BoolVal(False))


def host_invoke(s: Store) -> tuple[z3.BoolRef, Store]:
    """The embedder calls in: a fresh initial stack runs (§2.11)."""
    post = replace(s, active=z3.BoolVal(True), head=INIT, state=at(s.state, INIT, RUNNING))
    post = replace(post, handlers=at(post.handlers, INIT, False), live=(INIT, *s.live[1:]))
    post = replace(post, fshi=at(post.fshi, INIT, False))
    post = replace(post, limit=at(post.limit, INIT, NIL), fp=at(post.fp, INIT, NIL))
    post = replace(post, sp=at(post.sp, INIT, NIL), th=at(post.th, INIT, NIL))
    return z3.Not(s.active), enter_trampoline(post, INIT)


def trapped(s: Store, below: Callable[[z3.ExprRef], z3.BoolRef]) -> Store:
    """The stacks `below` end Trapped: each one's resume cleared its handler
    list on the way (Phase B) and its Trap branch cleared its buffers."""
    no = z3.BoolVal(False)
    s = replace(s, state=where(s.state, below, TRAPPED), handlers=where(s.handlers, below, no))
    return clear_buffers(replace(s, fshi=where(s.fshi, below, no)), below)


def caught(s: Store, c: z3.ExprRef) -> tuple[z3.BoolRef, Store]:
    """§3.8 (v48): a trap or exception bubbles from the head to stack c on
    the active chain, which catches it; every stack below c is Trapped, its
    buffers cleared."""
    below = lambda x: z3.And(s.reach(s.head, x), z3.Not(s.reach(c, x)))  # noqa: E731
    guard = z3.And(s.active, s.reach(s.head, c), c != s.head)
    return guard, enter_parent(restore_limits(trapped(s, below), c), c)


def uncaught(s: Store) -> tuple[z3.BoolRef, Store]:
    """§3.8 (v48): nobody catches it: every contref of the active chain is
    Trapped and the host receives the error; the activation ends."""
    below = lambda x: z3.And(s.reach(s.head, x), x != INIT)  # noqa: E731
    post = enter_parent(restore_limits(trapped(s, below), INIT), INIT)
    return s.active, replace(post, active=z3.BoolVal(False))


def throw_into_fresh(s: Store, c: z3.ExprRef) -> tuple[z3.BoolRef, Store]:
    """§3.6 step 4: resume_throw on a Fresh contref consumes it, marks it
    Trapped and clears its buffers; the throw in the resumer is a following
    `caught`/`uncaught`.  (On an invoked contref it is a `resume` followed
    by a throw: the exnref it stores is loaded at the suspension site.)"""
    guard = z3.And(s.active, c != NIL, s.current(c), s.state(c) == FRESH)
    post = replace(s, current=at(s.current, c, False), state=at(s.state, c, TRAPPED))
    return guard, clear_buffers(post, lambda x: x == c)


def drop(s: Store, c: z3.ExprRef) -> tuple[z3.BoolRef, Store]:
    """Losing the last current handle (handle.drop, or a consumption whose
    trap follows: switch's unhandled case, §3.5 step 3).  Handle copies
    keep a current handle and change nothing kept here."""
    return s.active, replace(s, current=at(s.current, c, False))


@dataclass(frozen=True)
class Step:
    """An action: its name, the names of its parameters and its effect."""

    name: str
    params: tuple[tuple[str, z3.SortRef], ...]
    effect: Callable[..., tuple[z3.BoolRef, Store]]

    def apply(self, s: Store, prefix: str) -> tuple[list[z3.ExprRef], z3.BoolRef, Store]:
        args = [z3.Const(f"{prefix}.{n}", sort) for n, sort in self.params]
        guard, post = self.effect(s, *args)
        return args, guard, post


_K = ("c", Stack)
_STORED = ("stored", z3.BoolSort())
STEPS: tuple[Step, ...] = (
    Step("cont.new", (("n", Stack),), cont_new),
    Step("cont.bind", (_K, _STORED), cont_bind),
    Step("resume", (_K, ("clauses", z3.BoolSort()), ("suspends", z3.BoolSort()), _STORED), resume),
    Step("suspend", (("e", Stack),), suspend),
    Step("switch", (("w", Stack), ("low", Stack), _STORED), switch),
    Step("return", (), returns),
    Step("host.exit", (), host_exit),
    Step("host.invoke", (), host_invoke),
    Step("caught", (_K,), caught),
    Step("uncaught", (), uncaught),
    Step("resume_throw.fresh", (_K,), throw_into_fresh),
    Step("handle.drop", (_K,), drop),
)


def initial(s: Store) -> z3.BoolRef:
    """The embedder has just called in: no contref, the initial stack runs."""
    x, y = z3.Consts("x y", Stack)
    return z3.And(
        NIL != INIT,
        s.active,
        s.head == INIT,
        s.state(INIT) == RUNNING,
        z3.ForAll([x], z3.Implies(x != INIT, s.state(x) == UNALLOCATED)),
        z3.ForAll([x], z3.And(s.parent(x) == NIL, z3.Not(s.current(x)), z3.Not(s.handlers(x)))),
        z3.ForAll([x], z3.Not(s.fshi(x))),
        z3.ForAll([x], z3.And(s.cc(x) == NO_CONTEXT, z3.Not(s.args(x)), z3.Not(s.values(x)))),
        z3.ForAll([x], z3.And(*(f(x) == NIL for f in (s.limit, s.fp, s.sp, s.th)))),
        *(v == INIT for v in s.live),
        z3.ForAll([x, y], s.reach(x, y) == z3.And(x == y, x != NIL)),
    )
