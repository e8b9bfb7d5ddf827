"""Replaying runs on the real Wasmtime and comparing with the model (issue 6).

Runs become `.wast` programs (`wast_text.py`), many to a file, one
`wasmtime wast` process per file.  The tool stops at the first directive that
fails, so a failure names one program: it is diagnosed (a probe with the
outcome Wasmtime showed finds an earlier event that differs) and the rest of
the batch runs again without it.  `run` prints the program's number first,
which names the program when the process dies instead.  A program that
passes shows its evidence (`wasmtime_process.py`); a pass killed from
outside runs again; a program the model expects to crash is compared event
by event up to the crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from contcheck.checker.explicit import TraceStep, model_run
from contcheck.model import Action, ContinuationModel

from .wasmtime_process import TIMED_OUT, Failure, NoEvidence, Output, run_file
from .wast_events import decode
from .wast_script import Activation, NotExpressible, Script, build_script
from .wast_text import MAX_ENTRIES, MAX_EVENTS, directives, module_text

RERUNS = 2  # passes run again after wasmtime was killed from outside


@dataclass
class Program:
    number: int
    actions: list[Action]
    steps: list[TraceStep]  # the model's prediction
    script: Script


def make_program(
    model: ContinuationModel, actions: list[Action], number: int = 0, release: str = ""
) -> Program:
    """The run's program (trap messages as `release` words them);
    NotExpressible if wasm cannot perform it."""
    steps = model_run(model, actions)
    script = build_script(steps, release)
    if len(script.entries) > MAX_ENTRIES or len(script.expected) > MAX_EVENTS:
        # past these the data segments overlap and the program runs garbage
        raise NotExpressible(
            f"{len(script.entries)} script entries and {len(script.expected)} events;"
            f" a program holds at most {MAX_ENTRIES} and {MAX_EVENTS}"
        )
    return Program(number, actions, steps, script)


def program_wast(program: Program, activations: list[Activation] | None = None) -> str:
    return "\n".join(
        [module_text(program.script, program.number)] + directives(program.script, activations)
    )


@dataclass
class Verdict:
    """How one program ran: agreement, and where it first differs."""

    program: Program
    agree: bool
    step: int | None  # the first step that differs (None: all agree)
    expected: str
    observed: str
    undefined: str = ""  # the model's predicted fault, when there is one


def run_batch(binary: Path, release: str, programs: list[Program]) -> list[Verdict]:
    """Every program's verdict; one process per pass, a pass per failure.  A
    pass killed from outside (SIGKILL) runs again rather than blaming a program."""
    verdicts: list[Verdict] = []
    pending = list(programs)
    kills = 0
    while pending:
        text, owners = _batch_text(pending)
        output, failure = run_file(binary, release, text, len(pending))
        if failure is not None and failure.crash == "SIGKILL" and kills < RERUNS:
            kills += 1
            continue
        done = len(pending) if failure is None else _culprit(failure, owners, pending)
        verdicts += [_ran(p, output) for p in pending[:done]]
        if failure is None:
            break
        verdicts.append(diagnose(binary, release, pending[done], failure))
        pending = pending[done + 1 :]
    return verdicts


def _ran(program: Program, output: Output) -> Verdict:
    """A program that passed agrees only if it printed its evidence: a `run`
    mark per activation and the event count `check` found."""
    runs = output.runs.count(program.number)
    logged = output.logs.get(program.number)
    if runs != len(program.script.activations) or logged is None:
        raise NoEvidence(
            f"wasmtime passed program {program.number} but it printed {runs} of"
            f" {len(program.script.activations)} run marks and {'no' if logged is None else 'its'}"
            " event count: the binary did not run it"
        )
    return _agrees(program)


def _batch_text(programs: list[Program]) -> tuple[str, list[tuple[int, int]]]:
    """The file, and for each program its (first line, last line)."""
    lines: list[str] = []
    owners = []
    for p in programs:
        start = len(lines) + 1
        lines += program_wast(p).split("\n")
        owners.append((start, len(lines)))
    return "\n".join(lines) + "\n", owners


def _culprit(failure: Failure, owners: list[tuple[int, int]], pending: list[Program]) -> int:
    if failure.line:
        return next(i for i, (a, b) in enumerate(owners) if a <= failure.line <= b)
    numbers = [p.number for p in pending]
    return numbers.index(failure.last_program) if failure.last_program in numbers else 0


def _agrees(program: Program) -> Verdict:
    last = program.script.activations[-1]
    undefined = last.message if last.outcome == "undefined" else ""
    return Verdict(program, True, None, "", "", undefined)


def diagnose(binary: Path, release: str, program: Program, failure: Failure) -> Verdict:
    """Where the program first differs, given how its file failed: it runs
    again alone, and that run is what is diagnosed."""
    output, alone = run_file(binary, release, program_wast(program), 1)
    if alone is None:
        if failure.crash in ("SIGKILL", TIMED_OUT):  # its batch was killed, or slow
            return _ran(program, output)
        observed = f"{_observed_outcome(failure)} in its batch; alone it passes"
        return Verdict(program, False, None, "the same outcome in a batch", observed)
    failure = alone
    script = program.script
    directive = _failed_directive(program, failure.line)
    if directive is not None and directive >= len(script.activations):
        return _log_difference(program, failure.reason)
    index = directive if directive is not None else _activation_of(program, failure)
    act = script.activations[index]
    observed = _observed_outcome(failure)
    if act.outcome == "undefined":
        return _echo_difference(program, act, failure.echoed, observed)
    probe = _probe(binary, release, program, index, failure)
    if probe is not None:
        return probe
    return Verdict(program, False, act.step, _expected_outcome(act), observed)


def _echo_difference(program: Program, act: Activation, echoed: list[int], end: str) -> Verdict:
    """The model predicts undefined behaviour: the events up to it, which the
    program echoed as it logged them, must still be the predicted ones."""
    script = program.script
    for i in range(act.events):
        word = echoed[i] if i < len(echoed) else None
        if word != script.expected[i].encode():
            seen = decode(word) if word is not None else None
            observed = str(seen) if seen else end if word is None else f"word {word:#x}"
            return Verdict(program, False, script.event_steps[i], str(script.expected[i]), observed)
    return Verdict(program, True, None, "", end, act.message)


def _failed_directive(program: Program, line: int) -> int | None:
    """Which directive of a single-program file is at `line`: activation i,
    or len(activations) for the log check."""
    if not line:
        return None
    module_lines = module_text(program.script, program.number).count("\n") + 1
    offset = module_lines
    for i, text in enumerate(directives(program.script)):
        offset += text.count("\n") + 1
        if line <= offset:
            return i
    return None


def _activation_of(program: Program, failure: Failure) -> int:
    """A crash names no directive: the last activation whose `run` started."""
    return min(max(failure.started - 1, 0), len(program.script.activations) - 1)


def _log_difference(
    program: Program, reason: str, limit: int | None = None, ending: str = "no more events"
) -> Verdict:
    """The first differing event, from `check`'s (index + 1) << 32 | word;
    past `limit` events the model expects `ending` instead."""
    script = program.script
    limit = len(script.expected) if limit is None else limit
    actual = re.search(r"actual\s+(-?\d+)", reason)
    if actual is None:
        return Verdict(program, False, None, "the event log", reason)
    value = int(actual.group(1)) & 0xFFFF_FFFF_FFFF_FFFF
    index, word = (value >> 32) - 1, value & 0xFFFF_FFFF
    step = script.event_steps[index] if index < len(script.event_steps) else script.event_steps[-1]
    expected = str(script.expected[index]) if index < limit else ending
    seen = decode(word)
    observed = "no event" if word == 0xFFFF_FFFF else str(seen) if seen else f"word {word:#x}"
    return Verdict(program, False, step, expected, observed)


def _observed_outcome(failure: Failure) -> str:
    reason = failure.reason
    if failure.crash == TIMED_OUT:
        return f"a timeout ({failure.reason})"
    if failure.crash:
        return f"the process died ({failure.crash})"
    if re.search(r"expected (trap|exception), got Core", reason):
        return "run returned normally"
    trap = re.search(r"wasm trap: (.*)", reason)
    if trap:
        return f"trap '{trap.group(1).strip()}'"
    if "thrown Wasm exception" in reason:
        return "an uncaught exception"
    return reason.splitlines()[0] if reason else "failed"


def _expected_outcome(act: Activation) -> str:
    if act.outcome == "trap":
        return f"trap '{act.message}'"
    if act.outcome == "exception":
        return "an uncaught exception"
    return "run returns normally"


def _probe(
    binary: Path, release: str, program: Program, index: int, failure: Failure
) -> Verdict | None:
    """Rerun expecting what wasmtime did; a log difference before the
    outcome is the earlier, truer first difference."""
    seen = _as_activation(failure)
    if seen is None:
        return None
    acts = program.script.activations
    wanted = Activation(
        seen.outcome, seen.message, acts[index].step, acts[index].events, acts[index].entry
    )
    _, outcome = run_file(binary, release, program_wast(program, [*acts[:index], wanted]), 1)
    if outcome is None or _failed_directive(program, outcome.line) != index + 1:
        return None
    ending = f"no more events: the activation ends with {_expected_outcome(acts[index])}"
    verdict = _log_difference(program, outcome.reason, acts[index].events, ending)
    return None if verdict.step is None else verdict


def _as_activation(failure: Failure) -> Activation | None:
    if failure.crash:
        return None
    if re.search(r"expected (trap|exception), got Core", failure.reason):
        return Activation("return")
    trap = re.search(r"wasm trap: (.*)", failure.reason)
    if trap:
        return Activation("trap", trap.group(1).strip())
    if "thrown Wasm exception" in failure.reason:
        return Activation("exception")
    return None
