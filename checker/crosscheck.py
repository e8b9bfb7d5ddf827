"""The explicit and the symbolic engine checked against each other
(`contcheck crosscheck`). This is the one module that holds two engines: it
imports each through its package (`checker.explicit`, `checker.symbolic`).

Four agreements, at small bounds:
1. the states reachable within d steps, for every d <= K, as sets: the
   explicit side runs the model's successor function; the symbolic side asks
   z3 for every model of the transition relation from each state of its own
   frontier (one query per path, all successors enumerated with blocking);
2. the violated properties and the length of each shortest counterexample
   (explicit breadth-first search against z3 bounded model checking to K);
3. every explicit counterexample is a satisfiable path of the z3 relation;
4. every z3 counterexample replays on the explicit model and passes
   `contcheck trace check`.
States are compared by the explicit checker's canonical key, with faulted
states merged (`symbolic.traces.comparable`): after undefined behaviour the two
engines only agree that it happened.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import z3

from contcheck.checker.explicit import concrete_trace, explore, verify_trace
from contcheck.checker.symbolic import (
    Semantics,
    Store,
    SymbolicRun,
    Unrolling,
    action_vars,
    all_fields,
    bmc,
    comparable,
    equalities,
    evaluate,
    from_state,
    replay,
    step_paths,
    to_state,
    write_z3_trace,
)
from contcheck.model import ContinuationModel, State
from contcheck.properties import Property

from .itf import read_trace


@dataclass
class Origin:
    """How an engine first reached a state: its predecessor, the step, the depth."""

    parent: bytes | None
    step: str
    depth: int


@dataclass
class Layers:
    """States within d steps, for d = 0..K, by key, with their origins."""

    counts: list[int] = field(default_factory=list)
    origin: dict[bytes, Origin] = field(default_factory=dict)
    states: dict[bytes, State] = field(default_factory=dict)


@dataclass
class PropertyRow:
    prop: str
    explicit: int | None  # shortest counterexample length, None: holds within K
    symbolic: int | None

    @property
    def agree(self) -> bool:
        return self.explicit == self.symbolic


@dataclass
class Crosscheck:
    depth: int
    explicit: Layers
    symbolic: Layers
    properties: list[PropertyRow]
    trace_checks: list[tuple[str, str]]  # (what, "" if fine, else the departure)
    first_difference: str = ""

    @property
    def agree(self) -> bool:
        return not self.first_difference


# -- reachable sets ----------------------------------------------------------------


def explicit_layers(model: ContinuationModel, depth: int) -> Layers:
    init = model.init_states()[0]
    return _layers(model, init, depth, lambda s: _explicit_successors(model, s))


def symbolic_layers(model: ContinuationModel, depth: int) -> Layers:
    sem = Semantics(model.bounds, model.version)
    init = model.init_states()[0]
    return _layers(model, init, depth, lambda s: symbolic_successors(sem, s))


def _explicit_successors(model: ContinuationModel, state: State) -> list[tuple[str, State]]:
    return [(str(a), model.next_state(state, a).state) for a in model.actions(state)]


def _layers(
    model: ContinuationModel,
    init: State,
    depth: int,
    successors: Callable[[State], list[tuple[str, State]]],
) -> Layers:
    out = Layers()
    key = model.key(comparable(init))
    out.origin[key], out.states[key] = Origin(None, "initial state", 0), init
    frontier = [key]
    out.counts.append(1)
    for d in range(1, depth + 1):
        nxt = []
        for parent in frontier:
            for step, state in successors(out.states[parent]):
                k = model.key(comparable(state))
                if k not in out.origin:
                    out.origin[k], out.states[k] = Origin(parent, step, d), state
                    nxt.append(k)
        frontier = nxt
        out.counts.append(len(out.origin))
    return out


def symbolic_successors(sem: Semantics, state: State) -> list[tuple[str, State]]:
    """Every post-store z3 allows from `state`: each path's models, enumerated."""
    if state.fault:
        return []
    pre = from_state(state, sem.bounds)
    act = action_vars(sem.bounds, "a")
    solver = z3.Solver()
    out = []
    for path in step_paths(pre, act, sem, solver):
        solver.push()
        solver.add(path.condition)
        fields = all_fields(path.result.post)
        while solver.check() == z3.sat:
            post = evaluate(path.result.post, solver.model())
            out.append((f"{path.result.kind.value} (z3 path)", to_state(post, sem.codes)))
            solver.add(z3.Or(*[f != v for f, v in zip(fields, all_fields(post), strict=True)]))
        solver.pop()
    return out


def _first_difference(a: Layers, b: Layers) -> str:
    """The shallowest state one engine reaches within d steps and the other
    does not (the sets are compared, not only their sizes)."""
    ours, theirs = _shallowest_extra(a, b), _shallowest_extra(b, a)
    if ours is not None and (theirs is None or ours[0] <= theirs[0]):
        return f"depth {ours[0]}: only the explicit engine reaches " + _describe(a, ours[1])
    if theirs is not None:
        return f"depth {theirs[0]}: only z3 reaches " + _describe(b, theirs[1])
    return ""


def _shallowest_extra(a: Layers, b: Layers) -> tuple[int, bytes] | None:
    """(depth, key) of the shallowest state `a` reaches before `b` does, if any."""
    extra = [(o.depth, k) for k, o in a.origin.items() if o.depth < b.origin.get(k, _NEVER).depth]
    return min(extra, default=None)


_NEVER = Origin(None, "never reached", 1 << 30)


def _describe(layers: Layers, key: bytes) -> str:
    origin = layers.origin[key]
    before = layers.states[origin.parent] if origin.parent else None
    return f"{layers.states[key]}, by '{origin.step}' from {before}"


# -- counterexamples ----------------------------------------------------------------


def explicit_path_satisfiable(sem: Semantics, states: list[State]) -> bool:
    """Is the explicit run a path of the z3 relation (stores pinned, actions free)?"""
    u = Unrolling(sem)
    u.solver.add(*_pin(u.stores[0], states[0], sem))
    for state in states[1:]:
        u.extend()
        u.solver.add(*_pin(u.stores[-1], state, sem))
    return bool(u.solver.check() == z3.sat)


def _pin(store: Store, state: State, sem: Semantics) -> list[z3.BoolRef]:
    return equalities(store, from_state(comparable(state), sem.bounds))


def crosscheck(
    model: ContinuationModel, props: list[Property], depth: int, log: Callable[[str], None]
) -> Crosscheck:
    sem = Semantics(model.bounds, model.version)
    log("explicit layers")
    ex = explicit_layers(model, depth)
    log("z3 layers")
    sym = symbolic_layers(model, depth)
    log("explicit search and z3 bounded model checking")
    run = explore(model, props)
    found = bmc(sem, props, depth)
    rows = []
    for p in props:
        f = run.found.get(p.id)
        length = f.length if f is not None and f.length <= depth else None
        z = found.findings.get(p.id)
        rows.append(PropertyRow(p.id, length, z.depth if z else None))
    checks: list[tuple[str, str]] = []
    for f in run.found.values():
        if f.length <= depth:
            states = [s.state for s in concrete_trace(run, f)]
            ok = explicit_path_satisfiable(sem, states)
            checks.append((f"explicit {f.property_id} trace is a z3 path", "" if ok else "unsat"))
    with tempfile.TemporaryDirectory() as tmp:
        for prop_id, finding in found.findings.items():
            checks.append(
                (f"z3 {prop_id} trace", _check_z3_trace(model, prop_id, finding.run, tmp))
            )
    result = Crosscheck(depth, ex, sym, rows, checks)
    result.first_difference = _first_difference(ex, sym) or _first_bad(rows, checks)
    return result


def _check_z3_trace(model: ContinuationModel, prop_id: str, run: SymbolicRun, tmp: str) -> str:
    rep = replay(model, run)
    if rep.departure:
        return rep.departure
    path = Path(tmp) / f"{prop_id}.itf.json"
    write_z3_trace(model, prop_id, rep, path)
    verdict = verify_trace(read_trace(path))
    return "" if verdict.ok else verdict.message


def _first_bad(rows: list[PropertyRow], checks: list[tuple[str, str]]) -> str:
    for r in rows:
        if not r.agree:
            return f"{r.prop}: explicit shortest {r.explicit}, z3 shortest {r.symbolic}"
    for what, problem in checks:
        if problem:
            return f"{what}: {problem}"
    return ""
