"""Inductive invariant proofs (issue: z3, `prove --engine induction`).

For each property P: initiation (the initial store satisfies it) and
consecution relative to the others: from any store satisfying every state
property and every lemma, no path of one step breaks P: in its post-store
(a state property, substituted into P: `step_substitution`) or on the way (a
transition property).  Where consecution fails, the solver's model is a
counterexample to induction (CTI): a pre-store, an action and the path's
post-store, read back as the model's `State`s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import z3

from contcheck.checker.z3_interrupts import check, stoppable
from contcheck.model import Action, State
from contcheck.properties import Property, by_id

from .contref_symmetry import invariant, ordered
from .lemmas import SHIPPED, Lemma, well_formed
from .paths import any_of, finite_solver
from .properties import STATE_PREDICATES, TRANSITION_PREDICATES, state_violation
from .state import Store, evaluate, moved, to_state, variables
from .step import (
    ActionVars,
    Semantics,
    action_values,
    action_vars,
    decode_action,
    initial_store,
    step_paths,
)
from .step_substitution import Bad, Disjunct, Successors
from .threads import Timed, check_all


@dataclass
class Cti:
    pre: State
    action: Action
    post: State


@dataclass
class InductionRow:
    prop: str
    status: str  # "proved", "not inductive", "fails initially", "unknown"
    seconds: float
    cti: Cti | None = None
    reason: str = ""


# Shape-giving invariants first: later explorations are pruned by earlier ones.
ORDER = ("I1", "I16", "I2", "I14", "I3", "I6", "I15")
# S0 (no fault) last: every other property is vacuous on a faulted store, and
# v48 faults are reachable (#14239), so no later proof may lean on it.
LAST = ("S0",)


def induction(
    sem: Semantics,
    props: list[Property],
    lemmas: list[Lemma],
    log: Callable[[str], None] = lambda _: None,
    symmetry: bool = True,
) -> list[InductionRow]:
    """A row per lemma and property; Ctrl-C stops the run and leaves what
    was not decided `unknown` ("interrupted").  With `symmetry`, pre-stores
    are asked only in one order of their contrefs (`contref_symmetry`)."""
    rows: list[InductionRow] = []
    verdicts: dict[str, InductionRow] = {}
    with stoppable():
        _prove(sem, [p.id for p in props], lemmas, log, rows, verdicts, symmetry)
    decided = {r.prop for r in rows if r.status != "fails initially"}
    rows += [_interrupted(lem.name) for lem in lemmas if lem.name not in decided]
    return rows + [verdicts.get(p.id) or _interrupted(p.id) for p in props]


def _interrupted(name: str) -> InductionRow:
    return InductionRow(name, "unknown", 0.0, reason="interrupted")


def _prove(
    sem: Semantics,
    claims: list[str],
    lemmas: list[Lemma],
    log: Callable[[str], None],
    rows: list[InductionRow],
    verdicts: dict[str, InductionRow],
    symmetry: bool,
) -> None:
    """Fill `rows` (the lemmas) and `verdicts` (the claims) as they are decided."""
    b = sem.bounds
    pre = variables(b, "s")
    log("assuming the lemmas and state properties in the pre-store")
    conditions = assumptions(sem, lemmas, claims, pre)
    if symmetry and not all(lem in SHIPPED for lem in lemmas):
        log("checking that renaming contrefs keeps the user's lemmas")
        broken = invariant(conditions, pre, b)
        if broken is not None:
            log(f"{broken} reads contrefs by slot: pre-stores are asked in every order")
        symmetry = broken is None
    judge = tuple(i for i in claims if i in TRANSITION_PREDICATES)
    proofs = _PostStore(conditions, pre, sem, judge, log, symmetry)
    init = initial_store(b, sem.version)
    rows += [r for r in (_initiation_lemma(lem, init, sem) for lem in lemmas) if r is not None]
    order = sorted(claims, key=proofs.position)  # each after those its formula leans on
    failing = {i for i in order if i in STATE_PREDICATES and _violated_initially(i, init, sem)}
    log("consecution, two queries at a time")
    proofs.check_ahead([lem.name for lem in lemmas] + [i for i in order if i not in failing])
    for lem in lemmas:
        rows.append(proofs.consecution(lem.name, _lemma(lem, sem)))
    for i in order:
        log(f"consecution of {i}")
        if i in TRANSITION_PREDICATES:
            verdicts[i] = proofs.transition(i)
        elif i in failing:
            verdicts[i] = InductionRow(i, "fails initially", 0.0)
        else:
            verdicts[i] = proofs.consecution(i, _holds(i, sem))


def _lemma(lem: Lemma, sem: Semantics) -> Callable[[Store, z3.Solver], z3.BoolRef]:
    return lambda s, context: lem.holds(s, sem, context)


def _holds(prop: str, sem: Semantics) -> Callable[[Store, z3.Solver], z3.BoolRef]:
    return lambda s, context: z3.Not(state_violation(prop, s, sem.codes, sem.version, context))


class _PostStore:
    """Each condition asked of the post-store of every path of the step.

    `assumptions` explored condition n under the conditions before it, so
    its formula is exact only together with them.  While every one of them
    is proved in this run, their proofs say every post-store satisfies them,
    so n's own formula decides n there (and a CTI's post-store satisfies
    them).  Otherwise n is explored afresh over the post-store, under what
    the proofs so far say of every post-store (`after`): slower, but exact.

    With `symmetry` the pre-store's contrefs are asked in one order only
    (`contref_symmetry.ordered`): sound while every condition assumed of the
    post-store is one of those proved, whose conjunction renaming keeps; a
    formula explored afresh may read contrefs by slot on stores the others
    rule out (I15 does), so before the first the step is built again for
    pre-stores in every order.
    """

    def __init__(
        self,
        conditions: dict[str, z3.BoolRef],
        pre: Store,
        sem: Semantics,
        judge: tuple[str, ...],
        log: Callable[[str], None],
        symmetry: bool,
    ) -> None:
        self.conditions, self.pre, self.sem, self.judge = conditions, pre, sem, judge
        self.act = action_vars(sem.bounds, "a")
        self.order = list(conditions)
        self.proved: set[str] = set()
        self.log = log
        self.solver, self.steps = self._step(symmetry)
        self.symmetry = symmetry
        self.ahead: dict[str, Timed] = {}  # name -> verdict and seconds (`check_ahead`)
        self.post = variables(sem.bounds, "t")
        # What the proofs so far say of every post-store, over `post`.
        self.after: list[z3.BoolRef] = [well_formed(self.post, sem.bounds)]

    def _step(self, symmetry: bool) -> tuple[z3.Solver, Successors]:
        solver = finite_solver()
        solver.add(*self.conditions.values())
        if symmetry:
            solver.add(*ordered(self.pre, self.sem.bounds))
        self.log("the paths of one step" + (" from ordered stores" if symmetry else ""))
        paths = step_paths(self.pre, self.act, self.sem, solver, self.judge)
        return solver, Successors(paths, self.pre)

    def position(self, name: str) -> int:
        return self.order.index(name) if name in self.order else -1

    def check_ahead(self, names: list[str]) -> None:
        """Check each one's query as asked while all before it are proved,
        two at a time (`threads.py`); a query later asked the same way and
        found unsatisfiable here is proved without asking again."""
        queries = {n: self._breaking(n).formula for n in names}
        self.ahead = dict(zip(queries, check_all(self.solver, list(queries.values())), strict=True))

    def transition(self, name: str) -> InductionRow:
        return self._ask(name, lambda: self._breaking(name), ahead=True)

    def consecution(
        self, name: str, holds: Callable[[Store, z3.Solver], z3.BoolRef]
    ) -> InductionRow:
        if all(n in self.proved for n in self.order[: self.order.index(name)]):
            row = self._ask(name, lambda: self._breaking(name), ahead=True)
            proved = moved(self.conditions[name], self.pre, self.post)
        else:
            if self.symmetry:
                self.symmetry = False
                self.solver, self.steps = self._step(symmetry=False)
            context = finite_solver()
            context.add(*self.after)
            proved = holds(self.post, context)
            row = self._ask(name, lambda: self.steps.breaking(proved, self.post))
        if row.status == "proved":
            self.proved.add(name)
            self.after.append(proved)
        return row

    def _breaking(self, name: str) -> Bad:
        """The paths that break `name` (a transition property, or a
        condition in the post-store while those before it are proved)."""
        if name in TRANSITION_PREDICATES:
            paths = enumerate(self.steps.paths)
            bad = [Disjunct(n, x.condition) for n, x in paths if name in x.result.violated]
            return Bad(any_of([d.formula for d in bad]), lambda: bad)
        return self.steps.breaking(self.conditions[name], self.pre)

    def _ask(self, name: str, bad: Callable[[], Bad], ahead: bool = False) -> InductionRow:
        """Is some path from a store satisfying the conditions in `bad`?"""
        verdict, seconds = self.ahead.get(name, (z3.unknown, 0.0)) if ahead else (z3.unknown, 0.0)
        if verdict == z3.unsat:
            return InductionRow(name, "proved", seconds)
        start = time.perf_counter()
        args = (self.steps, self.sem, self.pre, self.act)
        row = _consecution(self.solver, name, bad(), *args)
        row.seconds = time.perf_counter() - start
        return row


def assumptions(
    sem: Semantics, lemmas: list[Lemma], claims: list[str], s: Store
) -> dict[str, z3.BoolRef]:
    """Each lemma and every state property (the version's and those asked) as
    a condition on `s`, by name, in the order they are proved: lemmas, the
    claims, then the others.  Each is explored under those before it, so the
    conjunction is exact while each alone is smaller."""
    context = finite_solver()
    out: dict[str, z3.BoolRef] = {}
    for lem in lemmas:
        out[lem.name] = lem.holds(s, sem, context)
        context.add(out[lem.name])
    every = {p.id for p in by_id(None, sem.version)} | set(claims)
    state = [i for i in every if i in STATE_PREDICATES]
    for i in sorted(state, key=lambda i: (i not in claims, *_order(i))):
        out[i] = _holds(i, sem)(s, context)
        context.add(out[i])
    return out


def _order(prop: str) -> tuple[int, str]:
    if prop in LAST:
        return (len(ORDER) + 1, prop)
    return (ORDER.index(prop) if prop in ORDER else len(ORDER), prop)


def _violated_initially(prop: str, init: Store, sem: Semantics) -> bool:
    violation = state_violation(prop, init, sem.codes, sem.version, z3.Solver())
    return bool(z3.Solver().check(violation) == z3.sat)


def _initiation_lemma(lem: Lemma, init: Store, sem: Semantics) -> InductionRow | None:
    solver = z3.Solver()
    solver.add(z3.Not(lem.holds(init, sem, solver)))
    if solver.check() == z3.sat:
        return InductionRow(lem.name, "fails initially", 0.0)
    return None


def _consecution(
    solver: z3.Solver,
    name: str,
    bad: Bad,
    steps: Successors,
    sem: Semantics,
    pre: Store,
    act: ActionVars,
) -> InductionRow:
    """Is some path from a store satisfying `solver`'s assertions in `bad`?"""
    start = time.perf_counter()
    verdict = check(solver, bad.formula)
    seconds = time.perf_counter() - start
    if verdict == z3.unsat:
        return InductionRow(name, "proved", seconds)
    if verdict == z3.unknown:
        return InductionRow(name, "unknown", seconds, reason=solver.reason_unknown())
    model = solver.model()
    before = to_state(evaluate(pre, model), sem.codes)
    after = to_state(steps.post_in(model, bad.disjuncts()), sem.codes)
    revisions = [c.revision for c in before.continuations] + [0] * sem.bounds.contrefs
    action = decode_action(action_values(act, model), revisions)
    return InductionRow(name, "not inductive", seconds, Cti(before, action, after))
