"""Replaying runs on the real Wasmtime and comparing with the model (issue 6).

Runs become `.wast` programs (`wast_text.py`), many to a file, one
`wasmtime wast` process per file.  The tool stops at the first directive that
fails, so a failure names one program: it is diagnosed (a probe with the
outcome Wasmtime showed finds an earlier event that differs) and the rest of
the batch runs again without it.  `run` prints the program's number first,
which names the program when the process dies instead.
"""

from __future__ import annotations

import re
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from contcheck.checker.explicit import TraceStep, model_run
from contcheck.model import Action, ContinuationModel

from .wasmtime_binary import WasmtimeUnavailable, wast_command, wast_environment
from .wast_events import decode
from .wast_script import Activation, NotExpressible, Script, build_script
from .wast_text import MAX_ENTRIES, MAX_EVENTS, directives, module_text

TIMEOUT = 600.0


@dataclass
class Program:
    number: int
    actions: list[Action]
    steps: list[TraceStep]  # the model's prediction
    script: Script


def make_program(model: ContinuationModel, actions: list[Action], number: int = 0) -> Program:
    """The run's program; NotExpressible if wasm cannot perform it."""
    steps = model_run(model, actions)
    script = build_script(steps)
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


@dataclass
class Failure:
    """The first failing directive of a file, or the process's death."""

    line: int  # 0 when wasmtime died without naming a directive
    reason: str
    crash: str  # "" or the signal that ended the process
    last_program: int | None  # the last program whose `run` started
    started: int = 0  # how many `run`s started


class Stopped(Exception):
    """The campaign was interrupted: no more wasmtime processes."""


_STOP = threading.Event()
_LIVE: set[subprocess.Popen[str]] = set()


def stop_processes() -> None:
    """Ctrl-C: end the running wasmtime processes and start no more."""
    _STOP.set()
    for process in list(_LIVE):
        process.kill()


def allow_processes() -> None:
    _STOP.clear()


def run_file(binary: Path, release: str, text: str) -> Failure | None:
    if _STOP.is_set():
        raise Stopped
    with tempfile.TemporaryDirectory(prefix="contcheck-wast-") as tmp:
        path = Path(tmp) / "programs.wast"
        path.write_text(text)
        stdout, stderr, code = _run(binary, release, path)
    if _STOP.is_set():
        raise Stopped
    if code == 0:
        return None
    return _failure(stdout, stderr, code)


def _run(binary: Path, release: str, path: Path) -> tuple[str, str, int]:
    try:
        process = subprocess.Popen(
            wast_command(binary, release, path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=wast_environment(),
        )
    except OSError as err:
        raise WasmtimeUnavailable(f"cannot run {binary}: {err.strerror}") from None
    _LIVE.add(process)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        stderr += f"\nno answer within {TIMEOUT:.0f} s"
    finally:
        _LIVE.discard(process)
    return stdout, stderr, process.returncode


def _failure(stdout: str, stderr: str, code: int) -> Failure:
    marks = re.findall(r"^(\d+): i32$", stdout, re.MULTILINE)
    last = int(marks[-1]) if marks else None
    crash = _signal_name(code)
    located = re.search(r"failed directive on .*?:(\d+)(?::\d+)?\n\s*\d+: (.*)", stderr, re.S)
    if crash or located is None:
        tail = stderr.strip().splitlines()
        return Failure(0, tail[-1] if tail else "", crash or "error", last, len(marks))
    return Failure(int(located.group(1)), located.group(2).strip(), "", last, len(marks))


def _signal_name(code: int) -> str:
    number = -code if code < 0 else code - 128 if code > 128 else 0
    if not number:
        return ""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def run_batch(binary: Path, release: str, programs: list[Program]) -> list[Verdict]:
    """Every program's verdict; one process per pass, a pass per failure."""
    verdicts: list[Verdict] = []
    pending = list(programs)
    while pending:
        text, owners = _batch_text(pending)
        failure = run_file(binary, release, text)
        if failure is None:
            verdicts += [_agrees(p) for p in pending]
            break
        culprit = _culprit(failure, owners, pending)
        verdicts += [_agrees(p) for p in pending[:culprit]]
        verdicts.append(diagnose(binary, release, pending[culprit], failure))
        pending = pending[culprit + 1 :]
    return verdicts


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
    """Where the program first differs, given how its file failed."""
    failure = run_file(binary, release, program_wast(program)) or failure
    script = program.script
    directive = _failed_directive(program, failure.line)
    if directive is not None and directive >= len(script.activations):
        return _log_difference(program, failure.reason)
    index = directive if directive is not None else _activation_of(program, failure)
    act = script.activations[index]
    observed = _observed_outcome(failure)
    if act.outcome == "undefined":
        return Verdict(program, True, None, "", observed, act.message)
    probe = _probe(binary, release, program, index, failure)
    if probe is not None:
        return probe
    return Verdict(program, False, act.step, _expected_outcome(act), observed)


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
    wanted = Activation(seen.outcome, seen.message, acts[index].step, acts[index].events)
    outcome = run_file(binary, release, program_wast(program, [*acts[:index], wanted]))
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
