"""A differential campaign: random model runs replayed on a target (issue 6).

Walks are drawn in this process; on `wasmtime` they run in batches, one
`wasmtime wast` process per batch and at most one batch per core at a time;
on `native` each run is replayed on greenlet stacks here.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from contcheck.model import Action, ContinuationModel, Kind

from .coverage import Coverage
from .native_replay import replay_native
from .random_walks import Walker
from .wasmtime_process import allow_processes, stop_processes
from .wasmtime_replay import Program, Verdict, make_program, run_batch
from .wast_events import UNEXPRESSIBLE


@dataclass
class Disagreement:
    actions: list[Action]
    step: int | None
    expected: str
    observed: str


@dataclass
class Tally:
    runs: int = 0
    agree: int = 0
    undefined: int = 0  # runs whose end the model calls undefined behaviour
    sequences: set[tuple[str, ...]] = field(default_factory=set)
    kinds: Counter[str] = field(default_factory=Counter)
    coverage: Coverage = field(default_factory=Coverage)
    disagreements: list[Disagreement] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def add(
        self,
        actions: list[Action],
        verdict: Disagreement | None,
        undefined: bool,
        reached: Coverage,
    ) -> None:
        self.runs += 1
        self.coverage.add_run(reached)
        self.sequences.add(tuple(str(a) for a in actions))
        self.kinds.update(a.kind.value for a in actions)
        self.undefined += undefined
        if verdict is None:
            self.agree += 1
        else:
            self.disagreements.append(verdict)


@dataclass
class Plan:
    model: ContinuationModel
    runs: int
    seed: int
    length: int
    target: str  # "wasmtime" or "native"
    batch: int = 2000
    workers: int = 2
    binary: Path | None = None
    release: str = ""
    walk: str = "guided"  # or "uniform" (random_walks.py)


def excluded_kinds(target: str) -> frozenset[Kind]:
    """What the target cannot perform; GC has no native counterpart either."""
    return UNEXPRESSIBLE if target == "wasmtime" else frozenset({Kind.GC})


def walks(plan: Plan) -> Iterator[tuple[list[Action], Coverage]]:
    """The campaign's runs and what each reaches, drawn in order from the seed."""
    rng = random.Random(plan.seed)
    walker = Walker(plan.model, plan.walk)
    excluded = excluded_kinds(plan.target)
    for _ in range(plan.runs):
        yield walker.walk(rng, rng.randint(1, plan.length), excluded)


def run_campaign(plan: Plan, tally: Tally, progress: Callable[[Tally], None]) -> None:
    """Fill `tally`; KeyboardInterrupt leaves it holding what finished."""
    if plan.target == "native":
        for actions, reached in walks(plan):
            tally.add(actions, _native(plan.model, actions), False, reached)
            progress(tally)
        return
    _wasmtime_campaign(plan, tally, progress)


def _native(model: ContinuationModel, actions: list[Action]) -> Disagreement | None:
    steps = replay_native(model, actions)
    first = next((s for s in steps if not s.agree), None)
    if first is None:
        return None
    return Disagreement(actions, first.index, "the model's state", "; ".join(first.differences))


def _wasmtime_campaign(plan: Plan, tally: Tally, progress: Callable[[Tally], None]) -> None:
    assert plan.binary is not None
    allow_processes()
    pool = ThreadPoolExecutor(max_workers=plan.workers)
    running: set[Future[list[Verdict]]] = set()
    reached: dict[int, Coverage] = {}  # each pending program's coverage, by number
    try:
        for batch in _batches(plan, reached):
            if len(running) >= plan.workers:
                running = _collect(running, tally, progress, reached)
            running.add(pool.submit(run_batch, plan.binary, plan.release, batch))
        while running:
            running = _collect(running, tally, progress, reached)
    except KeyboardInterrupt:
        stop_processes()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _batches(plan: Plan, reached: dict[int, Coverage]) -> Iterator[list[Program]]:
    """Programs in batches; one that collects garbage runs alone, since every
    program of a batch shares one store and the collection would trace the
    continuations earlier programs left suspended."""
    batch: list[Program] = []
    for number, (actions, coverage) in enumerate(walks(plan)):
        program = make_program(plan.model, actions, number, plan.release)
        reached[number] = coverage
        if any(a.kind == Kind.GC for a in actions):
            yield [program]
            continue
        batch.append(program)
        if len(batch) == plan.batch:
            yield batch
            batch = []
    if batch:
        yield batch


def _collect(
    running: set[Future[list[Verdict]]],
    tally: Tally,
    progress: Callable[[Tally], None],
    reached: dict[int, Coverage],
) -> set[Future[list[Verdict]]]:
    done, rest = wait(running, return_when=FIRST_COMPLETED)
    for future in done:
        for v in future.result():
            differs = None
            if not v.agree:
                differs = Disagreement(v.program.actions, v.step, v.expected, v.observed)
            coverage = reached.pop(v.program.number)
            tally.add(v.program.actions, differs, bool(v.undefined), coverage)
        progress(tally)
    return rest
