"""Ctrl-C a command once its long part has started, for the tests of issue
17's signals: the signal is sent at the command's first progress line, not
after a fixed sleep (on a busy machine a sleep can end before start-up has,
and the default SIGINT handler then kills the process)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def ctrl_c_at_first_progress(cwd: Path, argv: list[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr (the first progress line included) of
    `contcheck argv` interrupted by SIGINT at its first progress line."""
    proc, first = _at_first_progress(
        cwd, argv, subprocess.PIPE, lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
    )
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, first + err


def kill_at_first_progress(cwd: Path, argv: list[str]) -> str:
    """The stderr of `contcheck argv` killed outright (SIGKILL, as the OOM
    killer does) at its first progress line, read to its end: the end comes
    when every process holding the pipe, worker processes too, has exited."""
    proc, first = _at_first_progress(cwd, argv, subprocess.DEVNULL, None)
    proc.kill()
    _, err = proc.communicate(timeout=600)
    return first + err


def _at_first_progress(
    cwd: Path, argv: list[str], stdout: int, preexec: Callable[[], object] | None
) -> tuple[subprocess.Popen[str], str]:
    """`contcheck argv` started, and its first progress line once it came."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "contcheck", *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        preexec_fn=preexec,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()
    assert first.startswith("contcheck ["), first
    return proc, first
