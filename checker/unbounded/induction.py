"""Induction over stores of any size (issue: z3, `prove --engine unbounded`).

For each lemma and property of `properties.py`: initiation (the
initial store satisfies it) and consecution for every step of
`model.py` from any store, of any number of stacks, satisfying all
of them.  z3 decides these universal formulas by model-based quantifier
instantiation; a failure comes back as a finite store (the counterexample to
induction), its stacks named `k0`, `k1`, ... and drawn as chains.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import z3

from contcheck.checker.z3_interrupts import checkpoint, stoppable

from .model import INIT, NIL, STEPS, Stack, Step, Store, initial, store_variables
from .properties import LEMMAS, PROPERTIES, Claim
from .small_stores import small_cti


@dataclass
class UnboundedRow:
    prop: str
    status: str  # "proved", "not inductive", "fails initially", "unknown"
    seconds: float
    step: str = ""  # the step that breaks it
    cti: list[str] = field(default_factory=list)  # the counterexample, as lines
    reason: str = ""


# z3's resource limit per query, all attempts together: a count of z3's own
# work, so a verdict is the same under any load (at 0.5-1M units a second
# here, about the 30 s the attempts once shared).
RLIMIT = 40_000_000


_BY_ID = {c.id: c for c in (*LEMMAS, *PROPERTIES)}


def claims(ids: list[str] | None) -> list[Claim]:
    """The lemmas, then the properties asked for (all when None) that this
    encoding states; the others are proved per bound only."""
    props = [p for p in PROPERTIES if ids is None or p.id in ids]
    return [*LEMMAS, *props]


def prove_unbounded(
    chosen: list[Claim],
    rlimit: int = RLIMIT,
    log: Callable[[str], None] = lambda _: None,
) -> list[UnboundedRow]:
    pre = store_variables("s")
    # Each claim is proved relative to the others over the fields it reads,
    # asked for or not (as `--engine induction` does); the full run proves
    # every one of them.
    assumed = {c.id: c for c in [*claims(None), *chosen]}.values()
    invariant = {c.id: c.holds(pre) for c in assumed if not c.transition}
    rows: dict[str, UnboundedRow] = {}
    with stoppable() as stop:
        for c in chosen:
            if not c.transition:
                rows[c.id] = _initiation(c, rlimit)
        for step in STEPS:
            log(f"consecution over {step.name}")
            _over_step(step, pre, invariant, chosen, rows, rlimit)
    if stop.interrupted:
        # What is proved so far is over some steps only: only refutations stand.
        for c in chosen:
            row = rows.get(c.id)
            if row is None or row.status == "proved":
                seconds = row.seconds if row else 0.0
                rows[c.id] = UnboundedRow(c.id, "unknown", seconds, reason="interrupted")
    return [rows[c.id] for c in chosen]


def _over_step(
    step: Step,
    pre: Store,
    invariant: dict[str, z3.BoolRef],
    chosen: list[Claim],
    rows: dict[str, UnboundedRow],
    rlimit: int,
) -> None:
    """Consecution of every claim not yet refuted over one step."""
    args, guard, post = step.apply(pre, "a")
    for c in chosen:
        if rows.get(c.id) and rows[c.id].status != "proved":
            continue
        goal = c.holds(pre, post) if c.transition else c.holds(post)
        given = [f for i, f in invariant.items() if c.leans_on(_BY_ID[i])]
        for part in conjuncts(goal):
            row = _attempts(given, guard, c.id, part, step, args, pre, post, rows.get(c.id), rlimit)
            rows[c.id] = row
            if row.status != "proved":
                break


def conjuncts(f: z3.BoolRef) -> list[z3.BoolRef]:
    """`f` as the conjuncts it implies one by one, splitting through
    universal quantifiers and implications: one small query each, which
    quantifier instantiation answers where the whole would time out."""
    if z3.is_and(f):
        return [part for child in f.children() for part in conjuncts(child)]
    if z3.is_quantifier(f) and f.is_forall():
        bound = [z3.Const(f.var_name(i), f.var_sort(i)) for i in range(f.num_vars())]
        body = z3.substitute_vars(f.body(), *reversed(bound))
        return [z3.ForAll(bound, part) for part in conjuncts(body)]
    if z3.is_implies(f):
        premise, conclusion = f.children()
        return [z3.Implies(premise, part) for part in conjuncts(conclusion)]
    return [f]


# Random seeds with their share of the limit: most queries answer quickly on
# some seed and stall on others, so short tries come first.
ATTEMPTS = ((0, 1 / 15), (1, 1 / 15), (2, 2 / 15), (3, 4 / 15), (4, 7 / 15))


def _attempts(
    invariant: list[z3.BoolRef],
    guard: z3.BoolRef,
    name: str,
    part: z3.BoolRef,
    step: Step,
    args: list[z3.ExprRef],
    pre: Store,
    post: Store,
    so_far: UnboundedRow | None,
    rlimit: int,
) -> UnboundedRow:
    """One query, on a fresh solver per attempt (one that has answered other
    queries keeps instantiations that can stall it: seen 2 s -> timeout),
    with another random seed after an `unknown`: quantifier instantiation
    is that sensitive (seen: 20 s without an answer on one seed, under 1 s
    on four others)."""
    row = UnboundedRow(name, "unknown", 0.0)
    spent = so_far.seconds if so_far else 0.0
    for seed, share in ATTEMPTS:
        solver = _solver(int(rlimit * share))
        solver.set("random_seed", seed)
        solver.add(*invariant, guard)
        row = _consecution(solver, name, z3.Not(part), step, args, pre, post)
        spent += row.seconds
        checkpoint()  # a Ctrl-C cancels the check: not z3's unknown
        if row.status == "unknown" and seed == ATTEMPTS[0][0]:
            # Stalling is also how instantiation fails to find a model.
            start = time.perf_counter()
            row = _small(invariant, guard, row, part, step, args, pre, post, int(rlimit * share))
            spent += time.perf_counter() - start
        if row.status != "unknown":
            break
    row.seconds = spent
    return row


def _solver(rlimit: int) -> z3.Solver:
    solver = z3.Solver()
    solver.set("rlimit", rlimit)
    return solver


def _initiation(c: Claim, rlimit: int) -> UnboundedRow:
    s = store_variables("i")
    solver = _solver(rlimit)
    solver.add(initial(s), z3.Not(c.holds(s)))
    start = time.perf_counter()
    verdict = solver.check()
    seconds = time.perf_counter() - start
    if verdict == z3.unsat:
        return UnboundedRow(c.id, "proved", seconds)
    if verdict == z3.unknown:
        return UnboundedRow(c.id, "unknown", seconds, reason=solver.reason_unknown())
    return UnboundedRow(c.id, "fails initially", seconds, cti=describe(solver.model(), s))


def _consecution(
    solver: z3.Solver,
    name: str,
    bad: z3.BoolRef,
    step: Step,
    args: list[z3.ExprRef],
    pre: Store,
    post: Store,
) -> UnboundedRow:
    start = time.perf_counter()
    verdict = solver.check(bad)
    seconds = time.perf_counter() - start
    if verdict == z3.unsat:
        return UnboundedRow(name, "proved", seconds)
    if verdict == z3.unknown:
        return UnboundedRow(name, "unknown", seconds, step.name, reason=solver.reason_unknown())
    lines = _cti(solver.model(), _universe(solver.model()), step, args, pre, post)
    return UnboundedRow(name, "not inductive", seconds, step.name, lines)


def _small(
    given: list[z3.BoolRef],
    guard: z3.BoolRef,
    row: UnboundedRow,
    part: z3.BoolRef,
    step: Step,
    args: list[z3.ExprRef],
    pre: Store,
    post: Store,
    rlimit: int,
) -> UnboundedRow:
    """After an `unknown`: a counterexample among small stores, or `row`."""
    found = small_cti(given, guard, z3.Not(part), pre, args, rlimit)
    if found is None:
        return row
    model, among = found
    lines = _cti(model, [model.eval(e) for e in among], step, args, pre, post)
    return UnboundedRow(row.prop, "not inductive", row.seconds, step.name, lines)


def _cti(
    model: z3.ModelRef,
    universe: list[z3.ExprRef],
    step: Step,
    args: list[z3.ExprRef],
    pre: Store,
    post: Store,
) -> list[str]:
    names = _names(model, universe)
    lines = ["pre-store:", *describe(model, pre, universe)]
    lines += [f"step: {step.name}{_args(model, args, names)}", "post-store:"]
    return lines + describe(model, post, universe)


# -- a finite store as a person reads it ----------------------------------------------


def _universe(model: z3.ModelRef) -> list[z3.ExprRef]:
    return list(model.get_universe(Stack) or [])


def _names(model: z3.ModelRef, universe: list[z3.ExprRef]) -> dict[str, str]:
    """Stack elements of the model by name: Absent, init, k0, k1, ..."""
    named = {str(model.eval(NIL, model_completion=True)): "Absent"}
    named.setdefault(str(model.eval(INIT, model_completion=True)), "init")
    for e in universe:
        named.setdefault(str(e), f"k{len(named) - 2}")
    return named


def describe(model: z3.ModelRef, s: Store, universe: list[z3.ExprRef] | None = None) -> list[str]:
    """The stacks that exist (not Unallocated), their fields and the chains."""
    universe = _universe(model) if universe is None else universe
    names = _names(model, universe)

    def ev(term: z3.ExprRef) -> str:
        value = str(model.eval(term, model_completion=True))
        return names.get(value, value)

    stacks = [e for e in universe if ev(s.state(e)) != "Unallocated"]
    active = z3.is_true(model.eval(s.active, model_completion=True))
    live = ", ".join(ev(v) for v in s.live)
    lines = [f"activation entered: {active}; store chain: {_chain(ev, s, s.head)}"]
    lines.append(f"  live limits (stack_limit, entry fp, sp, trap handler): ({live})")
    for e in stacks:
        fields = f"state={ev(s.state(e))} parent={ev(s.parent(e))}"
        fields += f" last_ancestor={ev(s.last_ancestor(e))} current_handle={ev(s.current(e))}"
        fields += f" handlers={ev(s.handlers(e))} fshi>0={ev(s.fshi(e))}"
        fields += f" cc={ev(s.cc(e))}({ev(s.cc_at(e))})"
        fields += f" args={ev(s.args(e))} values={ev(s.values(e))}"
        saved = ", ".join(ev(f(e)) for f in (s.limit, s.fp, s.sp, s.th))
        lines.append(f"  {names[str(e)]}: {fields} limits=({saved})")
    return lines


def _chain(ev: Callable[[z3.ExprRef], str], s: Store, head: z3.ExprRef) -> str:
    out, link = [], head
    for _ in range(12):  # a model may hold a cycle the lemmas forbid
        out.append(ev(link))
        if out[-1] in ("Absent", "init"):
            break
        link = s.parent(link)
    return " -> ".join(out)


def _args(model: z3.ModelRef, args: list[z3.ExprRef], names: dict[str, str]) -> str:
    shown = [str(model.eval(a, model_completion=True)) for a in args]
    shown = [names.get(v, v) for v in shown]
    return f"({', '.join(shown)})" if shown else ""
