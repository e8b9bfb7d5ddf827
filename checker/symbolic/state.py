"""The store as a vector of z3 variables, and its translation to and from `State`.

The symbolic engines (issue: z3) encode the runtime of spec §2 with fixed
bounds: `contrefs` contref slots, `host_depth` activation slots, `clauses`
handler slots per stack and one counter per (contref, current|stale) handle
class.  Links (`VMStackChain` values and the stacks that limits and control
contexts name) are one integer each, see `Codes`.  Revisions are kept as
`min(revision, 1)` and handle witnesses as current/stale: the abstraction the
explicit checker's keys use (`model/canonical.py`), exact because only
`witness == revision` is ever asked (§2.6).

Unused slots (contrefs not yet allocated, activations not entered, handler
slots past the list's length) hold 0, so one store is one assignment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import z3

from contcheck.model import Bounds, State
from contcheck.model.state import (
    Activation,
    ChainKind,
    ControlContext,
    Handle,
    InitialStackCSI,
    Link,
    VMContRef,
    VMStackLimits,
)

# A field's value while a path is executed: a constant or a z3 term.
Val: TypeAlias = int | z3.ArithRef
BoolVal: TypeAlias = bool | z3.BoolRef

# Trap messages a host function may hold (§2.12), by code; 0 is none.
HOST_ERRORS = (
    "",
    "null reference",
    "continuation already consumed",
    "unhandled tag",
    "wasm `unreachable` instruction executed",
    "uncaught wasm exception",
)
STALE, CURRENT = 0, 1  # handle classes


@dataclass(frozen=True)
class Codes:
    """Integer codes of links for given bounds: 0 Absent, 1..N contrefs,
    then the initial stacks of activations 0..H-1, then a dead initial stack."""

    contrefs: int
    host_depth: int

    @property
    def absent(self) -> int:
        return 0

    def cont(self, index: int) -> int:
        return 1 + index

    def init(self, activation: int) -> int:
        return 1 + self.contrefs + activation

    @property
    def dead_init(self) -> int:
        return 1 + self.contrefs + self.host_depth

    @property
    def all(self) -> range:
        return range(self.dead_init + 1)

    def is_cont(self, code: int) -> bool:
        return 1 <= code <= self.contrefs

    def is_init(self, code: int) -> bool:
        return self.contrefs < code <= self.dead_init

    def index(self, code: int) -> int:
        """The contref or activation index (-1 for the dead initial stack)."""
        if self.is_cont(code):
            return code - 1
        if code == self.dead_init:
            return -1
        return code - 1 - self.contrefs

    def link(self, code: int) -> Link:
        if code == 0:
            return Link(ChainKind.ABSENT, 0)
        if self.is_cont(code):
            return Link(ChainKind.CONTINUATION, code - 1)
        return Link(ChainKind.INITIAL_STACK, self.index(code))

    def of(self, link: Link) -> int:
        if link.kind == ChainKind.ABSENT:
            return 0
        if link.kind == ChainKind.CONTINUATION:
            return self.cont(link.index)
        return self.dead_init if link.index < 0 else self.init(link.index)


@dataclass
class Limits:
    """`VMStackLimits`: stack_limit names a native stack (-2 none, -1 host,
    else a contref); the entry fields are link codes."""

    stack_limit: Val
    fp: Val
    sp: Val
    th: Val

    def values(self) -> list[Val]:
        return [self.stack_limit, self.fp, self.sp, self.th]


@dataclass
class Stack:
    """The fields a contref and an initial stack's CSI share (§2.3)."""

    state: Val
    nhandlers: Val
    handlers: list[Val]
    fshi: Val
    limits: Limits


@dataclass
class Cont(Stack):
    parent: Val
    last_ancestor: Val
    revision: Val
    args: Val
    values: Val
    cc_kind: Val
    cc_stack: Val


@dataclass
class Act(Stack):
    caller: Val
    saved_chain: Val
    saved: Limits


@dataclass
class Store:
    """One state of the store, field by field."""

    ncont: Val
    nact: Val
    conts: list[Cont]
    acts: list[Act]
    chain: Val
    running: Val
    vmctx: Limits
    handles: list[list[Val]]  # [contref][STALE|CURRENT] -> count
    host_error: Val
    fault: BoolVal


def _limits(make: Callable[[str], Val], p: str) -> Limits:
    return Limits(make(p + "sl"), make(p + "fp"), make(p + "sp"), make(p + "th"))


def variables(bounds: Bounds, prefix: str) -> Store:
    """A store of fresh z3 variables named `prefix.field`."""

    def make(name: str) -> Val:
        return z3.Int(f"{prefix}.{name}")

    def stack(p: str) -> tuple[Val, Val, list[Val], Val, Limits]:
        hs = [make(f"{p}h{k}") for k in range(bounds.clauses)]
        return make(p + "st"), make(p + "nh"), hs, make(p + "fshi"), _limits(make, p + "lim.")

    conts = [
        Cont(
            *stack(f"k{i}."),
            *(make(f"k{i}.{f}") for f in ("par", "la", "rev", "args", "vals", "cck", "ccs")),
        )
        for i in range(bounds.contrefs)
    ]
    acts = [
        Act(*stack(f"a{j}."), make(f"a{j}.caller"), make(f"a{j}.schain"), _limits(make, f"a{j}.s."))
        for j in range(bounds.host_depth)
    ]
    handles = [[make(f"h{i}.stale"), make(f"h{i}.cur")] for i in range(bounds.contrefs)]
    return Store(
        make("ncont"),
        make("nact"),
        conts,
        acts,
        make("chain"),
        make("running"),
        _limits(make, "vm."),
        handles,
        make("herr"),
        z3.Bool(f"{prefix}.fault"),
    )


TERMINAL_CODES = (4, 5)  # Returned, Trapped: fields other than these are dead (§3.3)


def equalities(store: Store, other: Store) -> list[z3.BoolRef]:
    """`store == other` field by field, except dead fields of terminal contrefs
    in `other` (which must be concrete there: a decoded or encoded state)."""
    out: list[z3.BoolRef] = []
    for c, d in zip(store.conts, other.conts, strict=True):
        live = [c.state, c.revision, c.args, c.values]
        out += _eq(live, [d.state, d.revision, d.args, d.values])
        if d.state not in TERMINAL_CODES:
            out += _eq(_cont_links(c), _cont_links(d))
    pairs = list(zip(_store_rest(store), _store_rest(other), strict=True))
    return out + [_eq1(a, b) for a, b in pairs]


def _cont_links(c: Cont) -> list[Val]:
    return [
        c.nhandlers,
        *c.handlers,
        c.fshi,
        *c.limits.values(),
        c.parent,
        c.last_ancestor,
        c.cc_kind,
        c.cc_stack,
    ]


def _store_rest(s: Store) -> list[Val | BoolVal]:
    out: list[Val | BoolVal] = [s.ncont, s.nact]
    for a in s.acts:
        out += [a.state, a.nhandlers, *a.handlers, a.fshi, *a.limits.values()]
        out += [a.caller, a.saved_chain, *a.saved.values()]
    out += [s.chain, s.running, *s.vmctx.values()]
    out += [n for pair in s.handles for n in pair]
    return out + [s.host_error, s.fault]


def _eq(xs: list[Val], ys: list[Val]) -> list[z3.BoolRef]:
    return [_eq1(x, y) for x, y in zip(xs, ys, strict=True)]


def _eq1(x: Val | BoolVal, y: Val | BoolVal) -> z3.BoolRef:
    return x == y


def moved(formula: z3.BoolRef, source: Store, target: Store) -> z3.BoolRef:
    """`formula` over `source`'s variables, said of `target` instead (a
    store of the same bounds, of terms or of values)."""
    pairs = [
        (v, _as_term(w))
        for v, w in zip(all_fields(source), all_fields(target), strict=True)
        if not isinstance(v, int | bool)
    ]
    return z3.substitute(formula, *pairs)


def _as_term(v: Val | BoolVal) -> z3.ExprRef:
    if isinstance(v, bool):
        return z3.BoolVal(v)
    return z3.IntVal(v) if isinstance(v, int) else v


def all_fields(s: Store) -> list[Val | BoolVal]:
    """Every field of the store (for model evaluation and blocking clauses)."""
    return [f for c in s.conts for f in cont_fields(c)] + _store_rest(s)


def cont_fields(c: Cont) -> list[Val]:
    return [c.state, c.revision, c.args, c.values, *_cont_links(c)]


# -- concrete stores ---------------------------------------------------------


def evaluate(store: Store, model: z3.ModelRef) -> Store:
    """The store with every field evaluated in `model` (Python ints/bools)."""

    def ev(v: Val) -> int:
        return v if isinstance(v, int) else model.eval(v, model_completion=True).as_long()

    def lim(x: Limits) -> Limits:
        return Limits(*(ev(v) for v in x.values()))

    conts = [
        Cont(
            ev(c.state),
            ev(c.nhandlers),
            [ev(h) for h in c.handlers],
            ev(c.fshi),
            lim(c.limits),
            ev(c.parent),
            ev(c.last_ancestor),
            ev(c.revision),
            ev(c.args),
            ev(c.values),
            ev(c.cc_kind),
            ev(c.cc_stack),
        )
        for c in store.conts
    ]
    acts = [
        Act(
            ev(a.state),
            ev(a.nhandlers),
            [ev(h) for h in a.handlers],
            ev(a.fshi),
            lim(a.limits),
            ev(a.caller),
            ev(a.saved_chain),
            lim(a.saved),
        )
        for a in store.acts
    ]
    fault = (
        store.fault
        if isinstance(store.fault, bool)
        else z3.is_true(model.eval(store.fault, model_completion=True))
    )
    return Store(
        ev(store.ncont),
        ev(store.nact),
        conts,
        acts,
        ev(store.chain),
        ev(store.running),
        lim(store.vmctx),
        [[ev(n) for n in pair] for pair in store.handles],
        ev(store.host_error),
        fault,
    )


FAULT = "undefined behaviour (symbolic encoding)"


def to_state(s: Store, codes: Codes) -> State:
    """The `State` a concrete store stands for (revisions stay abstract)."""
    conts = tuple(_to_cont(c, codes) for c in s.conts[: _int(s.ncont)])
    acts = tuple(
        Activation(
            _to_csi(a, codes),
            codes.link(_int(a.caller)),
            codes.link(_int(a.saved_chain)),
            _to_limits(a.saved, codes),
        )
        for a in s.acts[: _int(s.nact)]
    )
    handles: list[Handle] = []
    for i, (stale, current) in enumerate(s.handles[: len(conts)]):
        rev = conts[i].revision
        handles += [Handle(i, rev - 1)] * _int(stale) + [Handle(i, rev)] * _int(current)
    return State(
        conts,
        acts,
        codes.link(_int(s.chain)),
        _to_limits(s.vmctx, codes),
        codes.link(_int(s.running)),
        tuple(sorted(handles)),
        HOST_ERRORS[_int(s.host_error)],
        FAULT if s.fault is True else "",
    )


def _int(v: Val) -> int:
    assert isinstance(v, int), f"not concrete: {v}"
    return v


def _to_limits(x: Limits, codes: Codes) -> VMStackLimits:
    return VMStackLimits(
        _int(x.stack_limit), codes.link(_int(x.fp)), codes.link(_int(x.sp)), codes.link(_int(x.th))
    )


def _handlers(s: Stack) -> tuple[int, ...]:
    return tuple(_int(h) for h in s.handlers[: _int(s.nhandlers)])


def _to_csi(a: Act, codes: Codes) -> InitialStackCSI:
    return InitialStackCSI(_int(a.state), _handlers(a), _int(a.fshi), _to_limits(a.limits, codes))


def _to_cont(c: Cont, codes: Codes) -> VMContRef:
    la = _int(c.last_ancestor)
    return VMContRef(
        _int(c.state),
        codes.link(_int(c.parent)),
        la,
        _int(c.revision),
        _handlers(c),
        _int(c.fshi),
        _int(c.args),
        _int(c.values),
        _to_limits(c.limits, codes),
        ControlContext(_int(c.cc_kind), codes.link(_int(c.cc_stack))),
    )


def from_state(state: State, bounds: Bounds) -> Store:
    """A concrete store for `state`: revisions cut to 0/1, witnesses current or
    stale, unused slots 0."""
    codes = Codes(bounds.contrefs, bounds.host_depth)
    conts = [_from_cont(c, codes, bounds) for c in state.continuations]
    conts += [zero_cont(bounds)] * (bounds.contrefs - len(conts))
    acts = [
        Act(
            a.csi.state,
            len(a.csi.handlers),
            _pad(a.csi.handlers, bounds.clauses),
            a.csi.first_switch_handler_index,
            _from_limits(a.csi.limits, codes),
            codes.of(a.caller),
            codes.of(a.saved_chain),
            _from_limits(a.saved_limits, codes),
        )
        for a in state.activations
    ]
    acts += [zero_act(bounds)] * (bounds.host_depth - len(acts))
    handles = [[0, 0] for _ in range(bounds.contrefs)]
    for h in state.handles:
        current = h.witness == state.continuations[h.contref].revision
        handles[h.contref][CURRENT if current else STALE] += 1
    return Store(
        len(state.continuations),
        len(state.activations),
        conts,
        acts,
        codes.of(state.stack_chain),
        codes.of(state.running),
        _from_limits(state.vmctx, codes),
        handles,
        HOST_ERRORS.index(state.host_error),
        bool(state.fault),
    )


def _pad(xs: tuple[int, ...], size: int) -> list[Val]:
    return [*xs, *[0] * (size - len(xs))]


def _from_limits(x: VMStackLimits, codes: Codes) -> Limits:
    return Limits(
        x.stack_limit, codes.of(x.entry_fp), codes.of(x.entry_sp), codes.of(x.entry_trap_handler)
    )


def _from_cont(c: VMContRef, codes: Codes, bounds: Bounds) -> Cont:
    return Cont(
        c.state,
        len(c.handlers),
        _pad(c.handlers, bounds.clauses),
        c.first_switch_handler_index,
        _from_limits(c.limits, codes),
        codes.of(c.parent_chain),
        c.last_ancestor,
        min(c.revision, 1),
        c.args_len,
        c.values_len,
        c.cc.kind,
        codes.of(c.cc.stack),
    )


def _zero_limits() -> Limits:
    return Limits(0, 0, 0, 0)


def zero_cont(bounds: Bounds) -> Cont:
    return Cont(0, 0, [0] * bounds.clauses, 0, _zero_limits(), 0, 0, 0, 0, 0, 0, 0)


def zero_act(bounds: Bounds) -> Act:
    return Act(0, 0, [0] * bounds.clauses, 0, _zero_limits(), 0, 0, _zero_limits())


def empty_store(bounds: Bounds) -> Store:
    """No contrefs, no activations: the store before the embedder's first call."""
    conts = [zero_cont(bounds) for _ in range(bounds.contrefs)]
    acts = [zero_act(bounds) for _ in range(bounds.host_depth)]
    handles: list[list[Val]] = [[0, 0] for _ in range(bounds.contrefs)]
    none = Limits(-2, 0, 0, 0)  # a zero stack limit (NO_STACK_LIMIT), no entry frame
    return Store(0, 0, conts, acts, 0, 0, none, handles, 0, False)
