"""One `wasmtime wast` process over a file of programs, and what it showed
(issues 6 and 18).

A process runs under a time limit scaled to its programs and a cap on its
data segment; a timeout is reported as one, not as the SIGKILL that ends it.
What a program prints is its evidence: `run` prints the program's number,
`check` prints the number and how many events the program logged, and a
program the model expects to crash prints every event as it logs it.  A
process that exits 0 without every program's evidence did not run them.
"""

from __future__ import annotations

import re
import resource
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .wasmtime_binary import WasmtimeUnavailable, wast_command, wast_environment

SECONDS_BASE = 30.0  # compiling the first module, starting the process
SECONDS_PER_PROGRAM = 2.0  # a program compiles and runs in about 0.05 s
DATA_LIMIT = 4 << 30  # bytes of heap a process may use (its reservations are not data)
TIMED_OUT = "timeout"


@dataclass
class Failure:
    """The first failing directive of a file, or the process's death."""

    line: int  # 0 when wasmtime died without naming a directive
    reason: str
    crash: str  # "", a signal's name, or TIMED_OUT
    last_program: int | None  # the last program whose `run` started
    started: int = 0  # how many `run`s started
    echoed: list[int] = field(default_factory=list)  # the last program's events, as logged


@dataclass
class Output:
    """What a process printed, read as the programs' evidence."""

    runs: list[int]  # the program number of every `run`, in order
    logs: dict[int, int]  # per program, the events `check` found logged
    echoed: dict[int, list[int]]  # per echoing program, every event word it logged


class NoEvidence(WasmtimeUnavailable):
    """The process exited 0 but not every program showed that it ran: the
    binary is not a wasmtime that runs these programs."""


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


def time_limit(programs: int) -> float:
    return SECONDS_BASE + SECONDS_PER_PROGRAM * programs


def run_file(binary: Path, release: str, text: str, programs: int) -> tuple[Output, Failure | None]:
    """Run a file of `programs` programs: what they printed, and how it failed."""
    if _STOP.is_set():
        raise Stopped
    with tempfile.TemporaryDirectory(prefix="contcheck-wast-") as tmp:
        path = Path(tmp) / "programs.wast"
        path.write_text(text)
        stdout, stderr, code, timed_out = _run(binary, release, path, time_limit(programs))
    if _STOP.is_set():
        raise Stopped
    output = read_output(stdout)
    if code == 0 and not timed_out:
        return output, None
    failure = _failure(output, stderr, code)
    if timed_out:
        failure.crash = TIMED_OUT
        failure.reason = f"no answer within {time_limit(programs):.0f} s"
    return output, failure


def _limit_data() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (DATA_LIMIT, DATA_LIMIT))


def _run(binary: Path, release: str, path: Path, seconds: float) -> tuple[str, str, int, bool]:
    try:
        process = subprocess.Popen(
            wast_command(binary, release, path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=wast_environment(),
            preexec_fn=_limit_data,
        )
    except OSError as err:
        raise WasmtimeUnavailable(f"cannot run {binary}: {err.strerror}") from None
    _LIVE.add(process)
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
        process.kill()
        stdout, stderr = process.communicate()
    finally:
        _LIVE.discard(process)
    return stdout, stderr, process.returncode, timed_out


def read_output(stdout: str) -> Output:
    """`N: i32` is a `run` of program N; `V: i64` is `check`'s (N << 32 | events)
    or an echoed event ((1 << 62) | N << 32 | word)."""
    out = Output([], {}, {})
    for line in stdout.splitlines():
        if match := re.fullmatch(r"(\d+): i32", line):
            out.runs.append(int(match.group(1)))
        elif match := re.fullmatch(r"(-?\d+): i64", line):
            value = int(match.group(1)) & 0xFFFF_FFFF_FFFF_FFFF
            number, low = (value >> 32) & 0x3FFF_FFFF, value & 0xFFFF_FFFF
            if value >> 62:
                out.echoed.setdefault(number, []).append(low)
            else:
                out.logs[number] = low
    return out


def _failure(output: Output, stderr: str, code: int) -> Failure:
    last = output.runs[-1] if output.runs else None
    echoed = output.echoed.get(last, []) if last is not None else []
    crash = _panic(stderr) or _signal_name(code)
    located = re.search(r"failed directive on .*?:(\d+)(?::\d+)?\n\s*\d+: (.*)", stderr, re.S)
    if crash or located is None:
        tail = stderr.strip().splitlines()
        reason = tail[-1] if tail else ""
        return Failure(0, reason, crash or "error", last, len(output.runs), echoed)
    reason = located.group(2).strip()
    return Failure(int(located.group(1)), reason, "", last, len(output.runs), echoed)


def _panic(stderr: str) -> str:
    """A Rust panic, named by its file, line and message."""
    found = re.search(r"panicked at (?:.*/)?([^/:]+:\d+):\d+:\n(.*)", stderr)
    return f"panic at {found.group(1)}: {found.group(2).strip()}" if found else ""


def _signal_name(code: int) -> str:
    number = -code if code < 0 else code - 128 if code > 128 else 0
    if not number:
        return ""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
