"""The harness says "agree" only on evidence (issue 18): a program shows it
ran, a pass killed from outside runs again, a timeout is a timeout, and the
events before a crash the model predicts are still compared."""

from __future__ import annotations

from pathlib import Path

import pytest

from contcheck import main
from contcheck.checker.explicit.tracefile import write_run
from contcheck.checker.replay import wasmtime_process
from contcheck.checker.replay.wasmtime_binary import (
    OVERRIDE,
    RELEASES,
    TRAP_MESSAGES,
    wasmtime_binary,
)
from contcheck.checker.replay.wasmtime_process import NoEvidence
from contcheck.checker.replay.wasmtime_replay import Program, make_program, program_wast, run_batch
from contcheck.checker.replay.wast_events import EventKind, Observed, Opcode
from contcheck.model import Action, Bounds, ContinuationModel, Kind, Version

from program import Program as Steps

BOUNDS = Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2)
REAL = wasmtime_binary("49.0.4")


def wrapper(tmp_path: Path, body: str) -> Path:
    """A stand-in binary: `--version` is the real one's, the rest is `body`."""
    script = tmp_path / "wasmtime"
    script.write_text(
        f'#!/bin/sh\nif [ "$1" = "--version" ]; then exec {REAL} --version; fi\n{body}\n'
    )
    script.chmod(0o755)
    return script


def programs(version: Version = Version.V48) -> list[Program]:
    """Three small programs: resume, suspend, resume again, return."""
    out = []
    for number in range(3):
        p = Steps(version, BOUNDS)
        k = p.new()
        p.resume(k, on=(0,))
        p.suspend(0)
        p.resume(k)
        p.ret()
        out.append(make_program(ContinuationModel(version, BOUNDS), p.history, number))
    return out


def test_a_binary_that_runs_nothing_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A binary with the right --version that exits 0 printing nothing does
    not give agreement: the run is an error (one line, exit 2)."""
    silent = wrapper(tmp_path, "exit 0")
    with pytest.raises(NoEvidence, match="did not run"):
        run_batch(silent, "49.0.4", programs())
    monkeypatch.setenv(OVERRIDE, str(silent))
    with pytest.raises(SystemExit) as stop:
        main(["fuzz", "--runs", "3", "--on", "wasmtime", "--out-dir", str(tmp_path)])
    assert stop.value.code == 2
    assert "did not run" in capsys.readouterr().err


def test_a_pass_killed_from_outside_runs_again(tmp_path: Path) -> None:
    """SIGKILL from outside (the first pass here) is not a disagreement: the
    pass runs again, and every program agrees on the rerun's evidence."""
    marker = tmp_path / "killed-once"
    killer = wrapper(
        tmp_path, f'if [ ! -e {marker} ]; then touch {marker}; kill -9 $$; fi\nexec {REAL} "$@"'
    )
    verdicts = run_batch(killer, "49.0.4", programs())
    assert marker.exists() and all(v.agree for v in verdicts)


def test_a_timeout_is_reported_as_a_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that never answers is stopped at a limit scaled to its
    programs and reported as a timeout, not as the signal that ended it."""
    monkeypatch.setattr(wasmtime_process, "SECONDS_BASE", 1.0)
    monkeypatch.setattr(wasmtime_process, "SECONDS_PER_PROGRAM", 0.5)
    assert wasmtime_process.time_limit(4) == 3.0
    hung = wrapper(tmp_path, "exec sleep 1000")
    verdict = run_batch(hung, "49.0.4", programs()[:1])[0]
    assert not verdict.agree
    assert verdict.observed == "a timeout (no answer within 2 s)"


def v44_crash() -> Program:
    """v44: after a continuation returned, a trap on the initial stack unwinds
    through the trap handler its trampoline saved (#13298): the model predicts
    undefined behaviour, and 44.0.0 dies."""
    p = Steps(Version.V44, BOUNDS)
    p.resume(p.new())
    p.ret()
    p.trap()
    return make_program(ContinuationModel(Version.V44, BOUNDS), p.history)


def test_events_before_a_predicted_crash_are_compared() -> None:
    """Where the model predicts undefined behaviour the program echoes its
    events; those before the crash must be the predicted ones.  With one
    prediction changed, the run disagrees at that event's step."""
    program = v44_crash()
    assert program.script.activations[-1].outcome == "undefined"
    binary = wasmtime_binary("44.0.0")
    verdict = run_batch(binary, "44.0.0", [program])[0]
    assert verdict.agree and verdict.undefined
    assert verdict.observed == "the process died (SIGSEGV)"
    program.script.expected[3] = Observed(EventKind.STEP, 1, Opcode.SUSPEND)
    verdict = run_batch(binary, "44.0.0", [program])[0]
    assert not verdict.agree and verdict.step == program.script.event_steps[3] == 3
    assert verdict.expected == "k0 runs suspend" and verdict.observed == "k0 runs return"


def test_trap_messages_come_from_one_table_per_release(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pinned release has its row; a release that names null operands
    by type (as newer Wasmtime does) gets its own words in assert_trap, a
    null funcref and a null contref told apart by the trapping action."""
    assert set(RELEASES.values()) <= set(TRAP_MESSAGES)
    newer = {**TRAP_MESSAGES["49.0.4"], "null funcref": "null function reference"}
    newer["null contref"] = "null continuation reference"
    monkeypatch.setitem(TRAP_MESSAGES, "99.0.0", newer)
    model = ContinuationModel(Version.V48, BOUNDS)
    cases = [
        (Kind.CONT_NEW, "null function reference"),
        (Kind.RESUME, "null continuation reference"),
    ]
    for kind, words in cases:
        action = Action(kind, null=kind == Kind.CONT_NEW)
        assert f'"{words}"' in program_wast(make_program(model, [action], 0, "99.0.0"))
        assert '"null reference"' in program_wast(make_program(model, [action], 0, "49.0.4"))


def test_replay_and_to_wast_read_the_release_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18, "The harness must not say agree without evidence", trap
    messages by release: `replay --on wasmtime` and `trace to-wast` word a
    trap as the row of the release they run or target says (§2.12), not as
    the model does.  49.0.4's row says "null reference" and 49.0.4 agrees.
    With the row in newer Wasmtime's words the program asserts those words,
    and 49.0.4 still passes them (its wast runner takes "null function
    reference" and "null continuation reference" for its "null reference");
    with a wrong row the real 49.0.4 contradicts the program at the trap."""
    model = ContinuationModel(Version.V48, BOUNDS)
    actions = [Action(Kind.CONT_NEW, null=True), Action(Kind.HOST_INVOKE), Action(Kind.RESUME)]
    trace = write_run(tmp_path / "null.itf.json", model, actions)
    out = tmp_path / "null.wast"
    assert main(["trace", "to-wast", str(trace), "-o", str(out)]) == 0
    assert out.read_text().count('"null reference")') == 2
    assert main(["replay", str(trace), "--on", "wasmtime"]) == 0
    newer = {**TRAP_MESSAGES["49.0.4"], "null funcref": "null function reference"}
    newer["null contref"] = "null continuation reference"
    monkeypatch.setitem(TRAP_MESSAGES, "49.0.4", newer)
    assert main(["trace", "to-wast", str(trace), "-o", str(out)]) == 0
    written = out.read_text()
    assert '"null function reference")' in written and '"null continuation reference")' in written
    assert main(["replay", str(trace), "--on", "wasmtime"]) == 0
    wrong = {**newer, "null funcref": "integer divide by zero"}
    monkeypatch.setitem(TRAP_MESSAGES, "49.0.4", wrong)
    capsys.readouterr()
    assert main(["replay", str(trace), "--on", "wasmtime"]) == 1
    shown = capsys.readouterr().out
    assert "step 1: cont.new null   DIFFER" in shown
    assert "model:    trap 'integer divide by zero'" in shown
    assert "wasmtime: trap 'null reference'" in shown
