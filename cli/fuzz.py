"""`contcheck fuzz`: random model runs replayed on Wasmtime or on real stacks."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from contcheck.checker.explicit import write_run
from contcheck.checker.replay import (
    MAX_ENTRIES,
    WALKS,
    Disagreement,
    Plan,
    Tally,
    WasmtimeUnavailable,
    excluded_kinds,
    make_program,
    program_wast,
    run_campaign,
)
from contcheck.checker.z3_interrupts import finishing
from contcheck.model import ContinuationModel

from .arguments import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_VIOLATED,
    add_bounds,
    bounds_of,
    check_workers,
    fail,
)
from .output import check_writable, write_text
from .progress import ProgressLine
from .wasmtime_target import binary_for

if TYPE_CHECKING:
    from .arguments import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "fuzz",
        help="replay random model runs on Wasmtime or real stacks and compare",
        description=(
            "Random walks of the model, replayed on the target. A guided walk (the default)"
            " tries every enabled action on the model and prefers those that make the"
            " lifecycle progress (resumes, suspends and switches that succeed, resume_throw"
            " into suspended chains, deeper chains) or reach an outcome not seen yet; a"
            " uniform walk picks an action kind uniformly, then an action. On wasmtime,"
            " host re-entry (host.call, host.swallow, host.rethrow) is left out: a .wast"
            ' program cannot perform it; host.invoke is a further (invoke "run"), and gc'
            " allocates past a bounded GC heap, which starts a collection."
        ),
    )
    add_bounds(p)
    p.set_defaults(contrefs=4, tags=2, clauses=2, host_depth=3, handles=3)
    p.add_argument("--runs", type=int, default=1000, help="random runs (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--length",
        type=int,
        default=40,
        help=f"longest run in steps (default 40; at most {MAX_ENTRIES} on wasmtime)",
    )
    p.add_argument(
        "--on", choices=["wasmtime", "native"], default="wasmtime", help="target (default wasmtime)"
    )
    p.add_argument(
        "--walk",
        choices=list(WALKS),
        default="guided",
        help="how runs are drawn (default guided; uniform for comparison)",
    )
    p.add_argument(
        "--batch", type=int, default=2000, help="programs per wasmtime process (default 2000)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="wasmtime processes at a time (default: one per core)",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="write the campaign as JSON")
    p.add_argument(
        "--out-dir", type=Path, default=Path("fuzz"), help="where disagreements go (default fuzz/)"
    )
    p.set_defaults(run=run)


def check_limits(args: argparse.Namespace) -> None:
    """Impossible settings are one error line (exit 2)."""
    for flag in ("runs", "length", "batch", "workers"):
        if getattr(args, flag) < 1:
            fail(f"--{flag} must be at least 1")
    check_workers(args.workers)
    check_writable(args.json, directories=(args.out_dir,))
    if args.seed < 0:  # random.Random(-n) is random.Random(n): two names for one campaign
        fail("--seed must be at least 0")
    if args.on == "wasmtime" and args.length > MAX_ENTRIES:
        fail(f"--length must be at most {MAX_ENTRIES} on wasmtime (one program's script)")


def run(args: argparse.Namespace) -> int:
    check_limits(args)
    model = ContinuationModel(args.semantics, bounds_of(args))
    plan = Plan(model, args.runs, args.seed, args.length, args.on, args.batch, args.workers)
    plan.walk = args.walk
    if args.on == "wasmtime":
        plan.binary, plan.release = binary_for(args.semantics)
    tally = Tally()
    status = _Progress(Console(stderr=True), args.runs)
    interrupted = False
    try:
        run_campaign(plan, tally, status)
    except KeyboardInterrupt:
        interrupted = True
    except WasmtimeUnavailable as err:
        status.close()
        fail(f"wasmtime {plan.release}: {err}")
    finally:
        status.close()
    with finishing():  # a Ctrl-C now would lose the campaign's result
        found = enumerate(tally.disagreements)
        saved = [_save(plan, d, args.out_dir, i) for i, d in found]
        _report(plan, tally, saved, interrupted)
        if args.json:
            write_text(
                args.json, json.dumps(_document(plan, tally, saved, interrupted), indent=2) + "\n"
            )
    if tally.disagreements:
        return EXIT_VIOLATED
    return EXIT_INCOMPLETE if interrupted else EXIT_OK


class _Progress(ProgressLine):
    """The campaign's progress on the shared status line."""

    def __init__(self, console: Console, total: int) -> None:
        super().__init__(console)
        self.total = total

    def __call__(self, tally: Tally) -> None:  # type: ignore[override]
        if tally.seconds > 0:
            self.show(
                f"{tally.runs:,}/{self.total:,} runs, {len(tally.disagreements)} disagreements,"
                f" {tally.runs / tally.seconds:,.0f} runs/s"
            )


def _save(plan: Plan, d: Disagreement, out_dir: Path, i: int) -> dict[str, str]:
    """The disagreement's run up to its first differing step, as ITF and .wast."""
    model, target = plan.model, plan.target
    actions = d.actions[: d.step] if d.step else d.actions
    name = f"v{int(model.version)}-{target}-{i}"
    try:
        trace = write_run(out_dir / f"{name}.itf.json", model, actions)
    except OSError as err:
        fail(f"cannot write to {out_dir}: {err.strerror}")
    saved = {"trace": str(trace)}
    if target == "wasmtime":
        wast = out_dir / f"{name}.wast"
        write_text(wast, program_wast(make_program(model, actions, 0, plan.release)) + "\n")
        saved["wast"] = str(wast)
    return saved


def _report(plan: Plan, tally: Tally, saved: list[dict[str, str]], interrupted: bool) -> None:
    target = f"wasmtime {plan.release}" if plan.target == "wasmtime" else "native stacks"
    rate = tally.agree / tally.runs if tally.runs else 0.0
    left_out = ", ".join(sorted(k.value for k in excluded_kinds(plan.target)))
    print(
        f"contcheck fuzz: v{int(plan.model.version)} model against {target},"
        f" {plan.walk} walks, seed {plan.seed}"
    )
    state = "interrupted" if interrupted else "complete"
    print(f"{tally.runs:,} runs ({state}), left out: {left_out}")
    print(f"agreement {tally.agree:,}/{tally.runs:,} = {rate:.2%}", end="")
    print(f"; {tally.undefined:,} end in undefined behaviour" if tally.undefined else "")
    print(f"{len(tally.sequences):,} distinct action sequences")
    per_second = tally.runs / tally.seconds if tally.seconds else 0.0
    print(f"{tally.seconds:.1f} s, {per_second:,.0f} traces/s")
    print("actions: " + ", ".join(f"{k} {n:,}" for k, n in sorted(tally.kinds.items())))
    _report_coverage(plan, tally)
    for d, files in zip(tally.disagreements, saved, strict=True):
        print(f"DIFFER at step {d.step}: expected {d.expected}; observed {d.observed}")
        print(f"  {' '.join(files.values())}")


def _report_coverage(plan: Plan, tally: Tally) -> None:
    covered = tally.coverage.as_dict(plan.model.version >= 48)
    ran = tally.coverage.runs_running_a_continuation
    print(f"coverage: {ran:,} of {tally.runs:,} runs run a continuation;", end=" ")
    print(f"longest chain {tally.coverage.longest_chain} stacks")
    print("  " + ", ".join(f"{o} {n:,}" for o, n in tally.coverage.counts().items()))
    i17 = covered["i17_transitions"]
    assert isinstance(i17, dict)
    missing = f" (not taken: {', '.join(i17['missing'])})" if i17["missing"] else ""
    print(f"  I17 transitions taken {i17['taken']} of {i17['allowed']} allowed{missing}")


def _document(
    plan: Plan, tally: Tally, saved: list[dict[str, str]], interrupted: bool
) -> dict[str, object]:
    return {
        "semantics": f"v{int(plan.model.version)}",
        "bounds": plan.model.bounds.as_dict(),
        "target": plan.target,
        "release": plan.release,
        "seed": plan.seed,
        "runs": tally.runs,
        "runs_asked": plan.runs,
        "complete": not interrupted,  # false: stopped early, the counts are partial
        "agree": tally.agree,
        "undefined": tally.undefined,
        "distinct_sequences": len(tally.sequences),
        "seconds": round(tally.seconds, 2),
        "traces_per_second": round(tally.runs / tally.seconds, 1) if tally.seconds else 0,
        "walk": plan.walk,
        "actions": dict(sorted(tally.kinds.items())),
        "coverage": tally.coverage.as_dict(plan.model.version >= 48),
        "disagreements": [
            {"step": d.step, "expected": d.expected, "observed": d.observed, **files}
            for d, files in zip(tally.disagreements, saved, strict=True)
        ],
    }
