"""Bounded model checking on the z3 encoding (issue: z3, `prove --engine bmc`).

The unrolling starts from the initial store and adds one step at a time:
fresh variables for the next store and action, and the disjunction of the
step's paths (each path's condition and its post-store).  Paths are explored
under the unrolling so far, so only steps some run can take are encoded.
Depth by depth, each open property is asked once, incrementally: the first
depth where its violation is satisfiable is its shortest counterexample.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import z3

from contcheck.checker.z3_interrupts import check, stoppable
from contcheck.properties import Property

from .paths import Explored, any_of
from .properties import STATE_PREDICATES, TRANSITION_PREDICATES, state_violation
from .state import Store, equalities, evaluate, variables
from .step import (
    ActionValues,
    ActionVars,
    Semantics,
    StepResult,
    action_values,
    action_vars,
    initial_store,
    relation,
    step_paths,
)


@dataclass
class SymbolicRun:
    """A run read off a z3 model: concrete stores and action operands."""

    stores: list[Store]
    actions: list[ActionValues]


@dataclass
class BmcFinding:
    prop: str
    depth: int
    run: SymbolicRun


@dataclass
class BmcResult:
    depth: int  # deepest depth fully checked
    findings: dict[str, BmcFinding] = field(default_factory=dict)
    seconds_per_depth: list[float] = field(default_factory=list)
    paths_per_depth: list[int] = field(default_factory=list)
    unknown: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False  # Ctrl-C: `depth` is the deepest fully checked


class Unrolling:
    """init(s0) ∧ T(s0, a0, s1) ∧ … in one incremental solver."""

    def __init__(self, sem: Semantics) -> None:
        self.sem = sem
        self.solver = z3.Solver()
        self.stores = [variables(sem.bounds, "s0")]
        self.actions: list[ActionVars] = []
        self.solver.add(*equalities(self.stores[0], initial_store(sem.bounds, sem.version)))

    def extend(self, judge: tuple[str, ...] = ()) -> list[Explored[StepResult]]:
        k = len(self.actions)
        act = action_vars(self.sem.bounds, f"a{k}")
        post = variables(self.sem.bounds, f"s{k + 1}")
        paths = step_paths(self.stores[-1], act, self.sem, self.solver, judge)
        self.solver.add(relation(paths, post))
        self.stores.append(post)
        self.actions.append(act)
        return paths

    def run(self, model: z3.ModelRef, depth: int) -> SymbolicRun:
        stores = [evaluate(s, model) for s in self.stores[: depth + 1]]
        return SymbolicRun(stores, [action_values(a, model) for a in self.actions[:depth]])


def bmc(
    sem: Semantics,
    props: list[Property],
    depth: int,
    progress: Callable[[int, BmcResult], None] | None = None,
) -> BmcResult:
    """Check every property at every depth up to `depth`; stop early when all fail."""
    result = BmcResult(depth=-1)
    with stoppable() as stop:
        _unroll(sem, props, depth, progress, result)
    result.interrupted = stop.interrupted
    return result


def _unroll(
    sem: Semantics,
    props: list[Property],
    depth: int,
    progress: Callable[[int, BmcResult], None] | None,
    result: BmcResult,
) -> None:
    u = Unrolling(sem)
    open_ids = [p.id for p in props]
    for d in range(depth + 1):
        start = time.perf_counter()
        if d > 0:
            judge = tuple(i for i in open_ids if i in TRANSITION_PREDICATES)
            paths = u.extend(judge)
            result.paths_per_depth.append(len(paths))
            for i in judge:
                _ask(
                    u, result, i, d, any_of([x.condition for x in paths if i in x.result.violated])
                )
        for i in [i for i in open_ids if i in STATE_PREDICATES]:
            condition = state_violation(i, u.stores[d], sem.codes, sem.version, u.solver)
            _ask(u, result, i, d, condition)
        open_ids = [i for i in open_ids if i not in result.findings]
        result.depth = d
        result.seconds_per_depth.append(time.perf_counter() - start)
        if progress is not None:
            progress(d, result)
        if not open_ids:
            break


def _ask(u: Unrolling, result: BmcResult, prop: str, depth: int, violation: z3.BoolRef) -> None:
    verdict = check(u.solver, violation)
    if verdict == z3.sat:
        result.findings[prop] = BmcFinding(prop, depth, u.run(u.solver.model(), depth))
    elif verdict == z3.unknown:
        result.unknown[prop] = u.solver.reason_unknown()
