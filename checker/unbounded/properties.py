"""The chain-shape, control-context, buffer and limit properties of §4 over
stores of any size, and the lemmas that make them inductive (issue: z3,
"Beyond a fixed number of continuations").  Every formula is universal over
stacks; each property keeps its catalog ID and says which part of §4's
statement it covers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from .model import (
    FRESH,
    INIT,
    LAUNCHPAD,
    NIL,
    PARENT,
    RESUME_POINT,
    RETURNED,
    RUNNING,
    SUSPENDED,
    SUSPENSION_POINT,
    TRAPPED,
    UNALLOCATED,
    Stack,
    Store,
)

x, y, z = z3.Consts("x y z", Stack)


@dataclass(frozen=True)
class Claim:
    """A store condition (or, with `transition`, a condition on two stores).
    `reads`: the fields it reads besides the chain shape (states, links,
    handles, handler lists): "contexts", "buffers" or "limits"."""

    id: str
    statement: str
    holds: Callable[..., z3.BoolRef]
    transition: bool = False
    reads: frozenset[str] = frozenset()

    def leans_on(self, other: Claim) -> bool:
        """Whether a proof of this claim assumes `other`: those over the
        fields it reads.  Fewer quantified assumptions keep z3's
        instantiation quick; assuming fewer proved claims is still sound."""
        return other.reads <= self.reads


# -- lemmas ------------------------------------------------------------------------


def _live(s: Store, v: z3.ExprRef) -> z3.BoolRef:
    return z3.Or(*(s.state(v) == k for k in (FRESH, RUNNING, PARENT, SUSPENDED)))


def closure(s: Store) -> z3.BoolRef:
    """`reach` is the reflexive-transitive closure of `parent_chain` over
    stacks (Absent is no stack): reflexive, transitive, antisymmetric and
    free of self-loops (so chains are acyclic), linear (what a stack reaches
    is one chain), and one step at a time.  In a finite store these pin it
    down exactly; each step's update of it is checked against them."""
    r = s.reach
    return z3.And(
        z3.ForAll([x, y], z3.Implies(r(x, y), z3.And(x != NIL, y != NIL))),
        z3.ForAll([x], z3.Implies(x != NIL, r(x, x))),
        z3.ForAll([x, y, z], z3.Implies(z3.And(r(x, y), r(y, z)), r(x, z))),
        z3.ForAll([x, y], z3.Implies(z3.And(r(x, y), r(y, x)), x == y)),
        z3.ForAll([x], z3.Implies(x != NIL, s.parent(x) != x)),
        z3.ForAll([x, y, z], z3.Implies(z3.And(r(x, y), r(x, z)), z3.Or(r(y, z), r(z, y)))),
        z3.ForAll([x, y], z3.Implies(x != NIL, r(x, y) == z3.Or(x == y, r(s.parent(x), y)))),
        s.parent(NIL) == NIL,
        s.parent(INIT) == NIL,
        NIL != INIT,
    )


def unallocated(s: Store) -> z3.BoolRef:
    """A slot `cont.new` has not used is no one's parent and has no handle
    or handler (§3.10: contrefs are only ever added); Absent is such a slot."""
    free = s.state(x) == UNALLOCATED
    isolated = z3.And(s.parent(x) == NIL, z3.Not(s.current(x)), z3.Not(s.handlers(x)))
    return z3.And(
        s.state(NIL) == UNALLOCATED,
        z3.ForAll([x], z3.Implies(free, isolated)),
        z3.ForAll([x, y], z3.Implies(z3.And(free, s.reach(y, x)), y == x)),
    )


def suspended_members(s: Store) -> z3.BoolRef:
    """Below the head of a suspended chain every stack is Parent (suspend
    and switch change only the head, resume re-enters only at the head)."""
    body = z3.Implies(z3.And(s.state(x) == SUSPENDED, s.reach(x, y), y != x), s.state(y) == PARENT)
    return z3.ForAll([x, y], body)


def idle(s: Store) -> z3.BoolRef:
    """Between activations no contref runs: the last one left through its
    initial stack (return) or was Trapped (an uncaught trap), and no live
    stack hangs below the initial stack."""
    quiet = z3.And(
        z3.Implies(x != INIT, s.state(x) != RUNNING), z3.Implies(_live(s, x), s.parent(x) != INIT)
    )
    return z3.Implies(z3.Not(s.active), z3.ForAll([x], quiet))


def parents(s: Store) -> z3.BoolRef:
    """A live stack's parent is a Parent stack, the parent of no other live
    stack: a stack becomes a parent only by resume (its one child) and a
    switch hands that child slot to the switchee (§3.3 step 9, §3.5 step 12)."""
    up = z3.Implies(z3.And(_live(s, x), s.parent(x) != NIL), s.state(s.parent(x)) == PARENT)
    same = z3.And(_live(s, x), _live(s, y), s.parent(x) == s.parent(y), s.parent(x) != NIL)
    return z3.And(z3.ForAll([x], up), z3.ForAll([x, y], z3.Implies(same, x == y)))


def active_children(s: Store) -> z3.BoolRef:
    """A live stack whose parent is on the active chain, or on a suspended
    chain, is on that chain too: the parent is Parent (P) and its one live
    child is the chain member below it.  (Stated because first-order logic
    cannot find that member.)"""
    up = s.parent(x)
    child = z3.And(_live(s, x), up != NIL)
    active = z3.Implies(z3.And(child, s.active, s.reach(s.head, up)), s.reach(s.head, x))
    held = z3.And(child, s.state(y) == SUSPENDED, s.reach(y, up))
    return z3.And(z3.ForAll([x], active), z3.ForAll([x, y], z3.Implies(held, s.reach(y, x))))


def _valid(s: Store, v: z3.ExprRef) -> z3.BoolRef:
    """v48 saved limits of stack v: its own native stack, its own trampoline."""
    return z3.And(*(f(v) == v for f in (s.limit, s.fp, s.sp, s.th)))


def suspended_limits(s: Store) -> z3.BoolRef:
    """v48 suspended chains keep all four saved limits (the per-bound L1):
    the head saves them at its suspend or switch, the members below it did
    when they resumed their child, and nothing writes them while suspended."""
    held = z3.And(s.state(x) == SUSPENDED, s.reach(x, y))
    return z3.ForAll([x, y], z3.Implies(held, _valid(s, y)))


LEMMAS: tuple[Claim, ...] = (
    Claim("R", closure.__doc__ or "", closure),
    Claim("U", unallocated.__doc__ or "", unallocated),
    Claim("L3", suspended_members.__doc__ or "", suspended_members),
    Claim("L4", idle.__doc__ or "", idle),
    Claim("P", parents.__doc__ or "", parents),
    Claim("A", active_children.__doc__ or "", active_children),
    Claim("L1", suspended_limits.__doc__ or "", suspended_limits, reads=frozenset({"limits"})),
)


# -- properties ----------------------------------------------------------------------


def i1(s: Store) -> z3.BoolRef:
    members = z3.Implies(z3.And(s.reach(s.head, x), x != INIT), s.state(x) != UNALLOCATED)
    return z3.Implies(s.active, z3.And(s.reach(s.head, INIT), z3.ForAll([x], members)))


def i2(s: Store) -> z3.BoolRef:
    on_active = z3.And(s.active, s.reach(s.head, x))
    body = z3.Implies(s.state(x) == SUSPENDED, z3.And(z3.Not(s.reach(x, INIT)), z3.Not(on_active)))
    return z3.ForAll([x], body)


def i3(s: Store) -> z3.BoolRef:
    return z3.Or(s.state(INIT) == RUNNING, s.state(INIT) == PARENT)


def i4(s: Store) -> z3.BoolRef:
    return z3.ForAll([x], z3.Implies(s.handlers(x), s.state(x) == PARENT))


def i6(s: Store) -> z3.BoolRef:
    la = s.last_ancestor(x)
    waiting = z3.Or(s.state(x) == FRESH, s.state(x) == SUSPENDED)
    end = z3.And(s.reach(x, la), s.parent(la) == NIL)
    fresh = z3.Implies(s.state(x) == FRESH, la == x)
    return z3.ForAll([x], z3.And(z3.Implies(waiting, end), fresh))


def i7(s: Store) -> z3.BoolRef:
    return z3.Implies(s.active, z3.And(s.live[0] == s.head, s.live[1] == s.head))


def i8(s: Store) -> z3.BoolRef:
    below = z3.And(s.reach(s.head, x), x != s.head)
    return z3.Implies(s.active, z3.ForAll([x], z3.Implies(below, _valid(s, x))))


def i9(s: Store) -> z3.BoolRef:
    fresh = z3.Implies(s.state(x) == FRESH, z3.And(s.fp(x) == NIL, s.sp(x) == NIL))
    held = z3.And(s.state(x) == SUSPENDED, s.reach(x, y))
    valid = z3.And(s.limit(y) == y, s.fp(y) == y)
    return z3.And(z3.ForAll([x], fresh), z3.ForAll([x, y], z3.Implies(held, valid)))


def i11(s: Store) -> z3.BoolRef:
    waiting = z3.Or(s.state(x) == FRESH, s.state(x) == SUSPENDED)
    dead = z3.Or(*(s.state(y) == k for k in (RETURNED, TRAPPED, UNALLOCATED)))
    below = z3.And(s.current(x), y != x, s.parent(y) == x)
    return z3.And(
        z3.ForAll([x], z3.Implies(s.current(x), waiting)),
        z3.ForAll([x, y], z3.Implies(below, dead)),
    )


def i12(s: Store) -> z3.BoolRef:
    """The fshi half (the list half is I4); with I4's bound where the list
    is empty."""
    idle = z3.Implies(s.state(x) != PARENT, z3.Not(s.fshi(x)))
    return z3.ForAll([x], z3.And(idle, z3.Implies(s.fshi(x), s.handlers(x))))


def i13(s: Store) -> z3.BoolRef:
    consumed = z3.Or(*(s.state(x) == k for k in (FRESH, RUNNING, PARENT)))
    return z3.ForAll([x], z3.Implies(z3.And(x != INIT, consumed), z3.Not(s.values(x))))


def i15(s: Store) -> z3.BoolRef:
    """The three clauses of §2.9 over contrefs (a live contref with parent
    Absent that ends no suspended chain is not excluded here)."""
    contref = z3.And(x != INIT, x != NIL)
    fresh = z3.Implies(s.state(x) == FRESH, s.cc(x) == LAUNCHPAD)
    invoked = z3.Or(*(s.state(x) == k for k in (RUNNING, PARENT, SUSPENDED)))
    resumes = z3.And(s.cc(x) == RESUME_POINT, s.cc_at(x) == s.parent(x))
    member = z3.Implies(z3.And(invoked, s.parent(x) != NIL), resumes)
    ends = z3.And(s.state(y) == SUSPENDED, s.last_ancestor(y) == x)
    suspends = z3.And(s.cc(x) == SUSPENSION_POINT, s.cc_at(x) == y)
    return z3.And(
        z3.ForAll([x], z3.Implies(contref, z3.And(fresh, member))),
        z3.ForAll([x, y], z3.Implies(z3.And(contref, ends), suspends)),
    )


def i14(s: Store) -> z3.BoolRef:
    one = (s.state(x) == RUNNING) == (x == s.head)
    parents = z3.Implies(z3.And(s.reach(s.head, x), x != s.head), s.state(x) == PARENT)
    return z3.Implies(s.active, z3.ForAll([x], z3.And(one, parents)))


def i16(s: Store) -> z3.BoolRef:
    """Acyclic by R; no suspended chain shares a stack with the active chain
    or with another suspended chain."""
    susp = z3.And(s.state(x) == SUSPENDED, s.reach(x, z))
    apart = z3.Not(z3.And(s.active, s.reach(s.head, z)))
    other = z3.Implies(z3.And(s.state(y) == SUSPENDED, s.reach(y, z)), x == y)
    return z3.ForAll([x, y, z], z3.Implies(susp, z3.And(apart, other)))


def i18(s: Store) -> z3.BoolRef:
    alive = z3.Or(*(s.state(x) == k for k in (FRESH, RUNNING, PARENT, SUSPENDED)))
    return z3.ForAll([x], z3.Implies(z3.And(x != INIT, alive), s.limit(x) == x))


def i23(s: Store) -> z3.BoolRef:
    return z3.Implies(s.active, z3.And(s.live[2] == s.head, s.live[3] == s.head))


def i25(s: Store) -> z3.BoolRef:
    returned = z3.Implies(s.state(x) == RETURNED, z3.Not(s.args(x)))
    trapped = z3.Implies(s.state(x) == TRAPPED, z3.Not(z3.Or(s.args(x), s.values(x))))
    return z3.ForAll([x], z3.Implies(x != INIT, z3.And(returned, trapped)))


ALLOWED = (
    (FRESH, RUNNING),
    (FRESH, TRAPPED),
    (RUNNING, PARENT),
    (PARENT, RUNNING),
    (RUNNING, SUSPENDED),
    (SUSPENDED, RUNNING),
    (RUNNING, RETURNED),
    (RUNNING, TRAPPED),
    (PARENT, TRAPPED),
    (UNALLOCATED, FRESH),  # cont.new
)


def i17(pre: Store, post: Store) -> z3.BoolRef:
    a, b = pre.state(x), post.state(x)
    moves = [z3.And(a == old, b == new) for old, new in ALLOWED]
    return z3.ForAll([x], z3.Or(a == b, *moves))


_BUFFERS, _CONTEXTS = frozenset({"buffers"}), frozenset({"contexts"})
_LIMITS = frozenset({"limits"})
PROPERTIES: tuple[Claim, ...] = (
    Claim("I1", "while an activation runs, the store chain reaches its initial stack through allocated contrefs", i1),
    Claim("I2", "a suspended chain never reaches an initial stack and is not on the active chain", i2),
    Claim("I3", "the initial stack is Running or Parent", i3),
    Claim("I4", "a handler list is non-empty only in a Parent stack (with I12)", i4),
    Claim("I6", "a Fresh or Suspended contref's last_ancestor ends its chain; a Fresh one's is itself", i6),
    Claim("I7", "the live stack_limit and entry fp are the running stack's", i7, reads=_LIMITS),
    Claim("I8", "below the head of the active chain every stack keeps all four valid saved limits", i8, reads=_LIMITS),
    Claim("I9", "a Fresh contref's entry fp and sp are 0; a suspended chain keeps valid stack_limit and entry fp", i9, reads=_LIMITS),
    Claim("I11", "a current handle names a Fresh or Suspended contref that no live stack has as parent", i11),
    Claim("I12", "first_switch_handler_index is 0 outside Parent stacks and while the list is empty", i12, reads=frozenset({"fshi"})),
    Claim("I13", "a Fresh, Running or Parent contref's values buffer is empty", i13, reads=_BUFFERS),
    Claim("I14", "while an activation runs, exactly its head is Running and the rest of its chain is Parent", i14),
    Claim("I15", "a Fresh contref holds the launchpad; a member with a parent, that parent's resume point; a suspended chain's last ancestor, its head's suspension point", i15, reads=_CONTEXTS),
    Claim("I16", "chains are acyclic (R); the active chain and the suspended chains share no stack", i16),
    Claim("I17", "every change of a contref's state is one of the allowed v48 moves", i17, transition=True),
    Claim("I18", "a live contref's saved stack_limit is its own stack", i18, reads=_LIMITS),
    Claim("I23", "the live entry sp and trap handler are the running stack's", i23, reads=_LIMITS),
    Claim("I25", "a Returned contref's args are empty; a Trapped one's args and values", i25, reads=_BUFFERS),
)  # fmt: skip
