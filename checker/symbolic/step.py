"""One step of the runtime as symbolic paths: which actions the most general
program may take in a store (model/environment.py's contract, re-derived from
the spec) and what each does.  `step_paths` is the transition relation of the
z3 engines, one path per way through §3."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import z3

from contcheck.model import Action, Bounds, Kind, Version
from contcheck.model.actions import UNCAUGHT
from contcheck.model.state import Handle

from .instructions import Instructions, Operands
from .machine import (
    SUSPENDED,
    UNCAUGHT_EXCEPTION,
    UNREACHABLE,
    Activations,
    Events,
    Exec,
    SymTrap,
    SymUB,
)
from .paths import Explored, Path, any_of, explore
from .properties import TRANSITION_PREDICATES, Transition, View
from .state import CURRENT, STALE, Codes, Store, Val, all_fields, empty_store

KINDS = list(Kind)
HANDLE_KINDS = (Kind.CONT_BIND, Kind.RESUME, Kind.SWITCH, Kind.RESUME_THROW)
TABLE_KINDS = (Kind.RESUME, Kind.RESUME_THROW)


@dataclass
class ActionVars:
    """One step's action as z3 variables; unused operands are fixed to defaults."""

    kind: z3.ArithRef
    handle: z3.ArithRef  # contref index, -1 null
    current: z3.ArithRef  # 1: witness == revision
    null: z3.ArithRef
    tag: z3.ArithRef
    nsuspend: z3.ArithRef
    nswitch: z3.ArithRef
    clause_tags: list[z3.ArithRef]
    catcher: z3.ArithRef


def action_vars(bounds: Bounds, prefix: str) -> ActionVars:
    def v(name: str) -> z3.ArithRef:
        return z3.Int(f"{prefix}.{name}")

    tags = [v(f"clause{k}") for k in range(bounds.clauses)]
    return ActionVars(
        v("kind"),
        v("handle"),
        v("current"),
        v("null"),
        v("tag"),
        v("nsus"),
        v("nsw"),
        tags,
        v("catcher"),
    )


@dataclass
class StepResult:
    kind: Kind
    post: Store
    events: Events
    violated: frozenset[str]  # transition properties this path breaks


@dataclass(frozen=True)
class Semantics:
    bounds: Bounds
    version: Version

    @property
    def codes(self) -> Codes:
        return Codes(self.bounds.contrefs, self.bounds.host_depth)


def step_paths(
    pre: Store,
    act: ActionVars,
    sem: Semantics,
    solver: z3.Solver,
    judge: tuple[str, ...] = (),
) -> list[Explored[StepResult]]:
    """Every path of one step from `pre` feasible under `solver`'s assertions;
    each path also says which transition properties in `judge` it breaks."""
    operands = [act.kind, act.handle, act.current, act.null, act.tag, act.nsuspend]
    operands += [act.nswitch, act.catcher, *act.clause_tags]
    return explore(lambda p: _step(p, pre, act, sem, judge), solver, operands)


def relation(paths: list[Explored[StepResult]], post: Store) -> z3.BoolRef:
    """One step as a formula: some path's condition, and `post` is its store."""
    return any_of([z3.And(x.condition, *same(post, x.result.post)) for x in paths])


def same(a: Store, b: Store) -> list[z3.BoolRef]:
    return [x == y for x, y in zip(all_fields(a), all_fields(b), strict=True)]


def _step(
    p: Path, pre: Store, act: ActionVars, sem: Semantics, judge: tuple[str, ...]
) -> StepResult:
    x = Exec(p, pre, sem.bounds, sem.version)
    kind, ops = _choose_action(x, act)
    ins = Instructions(x, ops)
    try:
        try:
            _EXECUTE[kind](ins)
        except SymTrap as trap:
            ins.unwind(trap.code, None)
    except SymUB:
        x.s.fault = True
    before = View(p, pre, sem.codes, sem.version)
    after = View(p, x.s, sem.codes, sem.version)
    t = Transition(before, kind, ops.handle, ops.tag, after, x.events)
    violated = frozenset(i for i in judge if TRANSITION_PREDICATES[i](t))
    return StepResult(kind, x.s, x.events, violated)


# -- the environment -------------------------------------------------------------


def _choose_action(x: Exec, act: ActionVars) -> tuple[Kind, Operands]:
    """Fork over the enabled kinds, then fix the operands each one uses."""
    p, s = x.p, x.s
    p.assume(z3.Not(s.fault) if not isinstance(s.fault, bool) else not s.fault)
    nact = p.pick(s.nact, range(x.bounds.host_depth + 1))
    if nact == 0:
        kinds = [Kind.HOST_INVOKE, Kind.GC]
    elif p.test(s.host_error != 0):
        kinds = [Kind.HOST_SWALLOW, Kind.HOST_RETHROW]
    else:
        kinds = [
            k for k in KINDS if k not in (Kind.HOST_INVOKE, Kind.HOST_SWALLOW, Kind.HOST_RETHROW)
        ]
        if not x.v48:
            kinds = [k for k in kinds if k not in (Kind.RESUME_THROW, Kind.RESUME_THROW_REF)]
    kind = p.choose([(p.equal(act.kind, KINDS.index(k)), k) for k in kinds])
    return kind, _operands(x, act, kind)


def _operands(x: Exec, act: ActionVars, kind: Kind) -> Operands:
    p, b = x.p, x.bounds
    null = _null_operand(x, act, kind)
    handle, current = -1, False
    takes_handle = kind in (
        *HANDLE_KINDS,
        Kind.RESUME_THROW_REF,
        Kind.HANDLE_COPY,
        Kind.HANDLE_DROP,
    )
    if takes_handle and (not null or kind == Kind.RESUME_THROW_REF):
        handle = p.pick(act.handle, range(b.contrefs))
        current = p.pick(act.current, (STALE, CURRENT)) == CURRENT
        p.assume(x.s.handles[handle][current] >= 1)
    _fix(p, act.handle, handle)
    _fix(p, act.current, int(current))
    tag = _tag(x, act, kind)
    nsus, nsw = _table(x, act, kind, null)
    catcher = _catcher(x, act, kind, handle, null)
    _enabled(x, kind, handle, current)
    return Operands(handle, current, null, tag, nsus, nsw, list(act.clause_tags), catcher)


def _null_operand(x: Exec, act: ActionVars, kind: Kind) -> bool:
    """cont.new and the consuming instructions also run on null references;
    resume_throw_ref is modelled only with a null exnref."""
    if kind == Kind.RESUME_THROW_REF:
        _fix(x.p, act.null, 1)
        return True
    if kind in (Kind.CONT_NEW, *HANDLE_KINDS):
        return x.p.pick(act.null, (0, 1)) == 1
    _fix(x.p, act.null, 0)
    return False


def _tag(x: Exec, act: ActionVars, kind: Kind) -> Val:
    if kind in (Kind.SUSPEND, Kind.SWITCH):
        x.p.pc.append(z3.And(act.tag >= 0, act.tag < x.bounds.tags))
        return act.tag
    _fix(x.p, act.tag, 0)
    return 0


def _table(x: Exec, act: ActionVars, kind: Kind, null: bool) -> tuple[Val, Val]:
    """A resume's clause table: nsus suspend clauses then nsw switch clauses."""
    b, pc = x.bounds, x.p.pc
    if kind not in TABLE_KINDS or null:
        pc += [act.nsuspend == 0, act.nswitch == 0, *(t == 0 for t in act.clause_tags)]
        return 0, 0
    total = act.nsuspend + act.nswitch
    pc += [act.nsuspend >= 0, act.nswitch >= 0, total <= b.clauses]
    for k, t in enumerate(act.clause_tags):
        pc.append(z3.If(k < total, z3.And(t >= 0, t < b.tags), t == 0))
    return act.nsuspend, act.nswitch


def _catcher(x: Exec, act: ActionVars, kind: Kind, handle: int, null: bool) -> int:
    """Where an exception is caught: 1.. stacks up (throw), 0.. (resume_throw
    into a contref: the stacks below plus its suspended chain), or nowhere."""
    if kind == Kind.THROW:
        allowed = list(range(1, _chain_length(x, x.s.chain)))
    elif kind == Kind.RESUME_THROW and not null:
        below = _chain_length(x, x.s.chain)
        c = x.s.conts[handle]
        if x.state_of(c) == SUSPENDED:
            below += len(_members(x, x.codes.cont(handle))) - 1
        allowed = list(range(below))
    else:
        _fix(x.p, act.catcher, UNCAUGHT)
        return UNCAUGHT
    return x.p.pick(act.catcher, [*allowed, UNCAUGHT])


def _members(x: Exec, start: Val) -> list[int]:
    code = x.link(start)
    out = [code]
    while x.codes.is_cont(code) and len(out) <= x.bounds.contrefs + 1:
        code = x.link(x.s.conts[x.codes.index(code)].parent)
        out.append(code)
    return out


def _chain_length(x: Exec, start: Val) -> int:
    """Stacks from `start` up to and including its initial stack."""
    members = _members(x, start)
    return len(members) if x.codes.is_init(members[-1]) else len(members) - 1


def _enabled(x: Exec, kind: Kind, handle: int, current: bool) -> None:
    p, s, b = x.p, x.s, x.bounds
    total = sum(n for pair in s.handles for n in pair)
    if kind == Kind.CONT_NEW:
        p.assume(s.ncont < b.contrefs)
    elif kind == Kind.HOST_CALL:
        p.assume(s.nact < b.host_depth)
    elif kind == Kind.HANDLE_COPY:
        p.assume(total < b.handles)
    elif kind == Kind.SWITCH and handle >= 0 and current:
        p.assume(x.remaining(s.conts[handle]) >= 1)


def _fix(p: Path, var: z3.ArithRef, value: int) -> None:
    p.pc.append(p.equal(var, value))


# -- what each kind does ---------------------------------------------------------


def _return(ins: Instructions) -> None:
    x = ins.x
    running = x.link(x.s.running)
    if x.codes.is_cont(running):
        ins.continuation_returns(x.codes.index(running))
    else:
        ins.host.exit()


def _trap(ins: Instructions) -> None:
    raise SymTrap(UNREACHABLE)


def _throw(ins: Instructions) -> None:
    ins.unwind(UNCAUGHT_EXCEPTION, ins.ops.catcher)


def _host_rethrow(ins: Instructions) -> None:
    code = ins.x.p.pick(ins.x.s.host_error, range(1, 6))
    ins.x.s.host_error = 0
    raise SymTrap(code)


def _host_swallow(ins: Instructions) -> None:
    ins.x.s.host_error = 0


def _copy(ins: Instructions) -> None:
    ins.x.give_handle(ins.ops.handle, CURRENT if ins.ops.current else STALE)


def _drop(ins: Instructions) -> None:
    pair = ins.x.s.handles[ins.ops.handle]
    k = CURRENT if ins.ops.current else STALE
    pair[k] = pair[k] - 1


def _gc(ins: Instructions) -> None:
    """§3.11: every Suspended contref's chain must end in an initial stack."""
    x = ins.x
    n = x.p.pick(x.s.ncont, range(x.bounds.contrefs + 1))
    for c in x.s.conts[:n]:
        if x.state_of(c) != SUSPENDED:
            continue
        end = _members(x, c.parent)[-1]
        if not x.codes.is_init(end):
            raise SymUB


_EXECUTE: dict[Kind, Callable[[Instructions], None]] = {
    Kind.CONT_NEW: Instructions.cont_new,
    Kind.CONT_BIND: Instructions.cont_bind,
    Kind.RESUME: Instructions.resume,
    Kind.SUSPEND: Instructions.suspend,
    Kind.SWITCH: Instructions.switch,
    Kind.RESUME_THROW: Instructions.resume_throw,
    Kind.RESUME_THROW_REF: Instructions.resume_throw,
    Kind.RETURN: _return,
    Kind.TRAP: _trap,
    Kind.THROW: _throw,
    Kind.HOST_CALL: lambda ins: ins.host.enter(ins.x.s.running),
    Kind.HOST_INVOKE: lambda ins: ins.host.enter(0),
    Kind.HOST_SWALLOW: _host_swallow,
    Kind.HOST_RETHROW: _host_rethrow,
    Kind.HANDLE_COPY: _copy,
    Kind.HANDLE_DROP: _drop,
    Kind.GC: _gc,
}


# -- the initial store and actions as the model names them -------------------------


def initial_store(bounds: Bounds, version: Version) -> Store:
    """The embedder has just called an exported function (one activation)."""
    empty = empty_store(bounds)

    def enter(p: Path) -> Store:
        x = Exec(p, empty, bounds, version)
        Activations(x).enter(0)
        return x.s

    (only,) = explore(enter, z3.Solver())
    return only.result


class ActionValues(NamedTuple):
    """An action's operands as a z3 model gives them."""

    kind: int
    handle: int
    current: int
    null: int
    tag: int
    nsuspend: int
    nswitch: int
    clause_tags: tuple[int, ...]
    catcher: int


def action_values(act: ActionVars, model: z3.ModelRef) -> ActionValues:
    def ev(v: z3.ArithRef) -> int:
        return int(model.eval(v, model_completion=True).as_long())

    return ActionValues(
        ev(act.kind),
        ev(act.handle),
        ev(act.current),
        ev(act.null),
        ev(act.tag),
        ev(act.nsuspend),
        ev(act.nswitch),
        tuple(ev(t) for t in act.clause_tags),
        ev(act.catcher),
    )


def decode_action(v: ActionValues, revisions: list[int]) -> Action:
    """The model's `Action` for evaluated operands (`revisions`: the concrete
    revision of each contref, to name a handle's witness)."""
    kind = KINDS[v.kind]
    handle = None
    if v.handle >= 0:
        rev = revisions[v.handle]
        handle = Handle(v.handle, rev if v.current else rev - 1)
    return Action(
        kind,
        handle,
        v.tag,
        v.clause_tags[: v.nsuspend],
        v.clause_tags[v.nsuspend : v.nsuspend + v.nswitch],
        v.catcher,
        bool(v.null) and kind in (Kind.CONT_NEW, Kind.RESUME_THROW_REF),
    )
