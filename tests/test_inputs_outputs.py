"""Every input answered, nothing lost (issue 17): input files read one way,
outputs written whole, lemma files limited to assertions, signals and
resources handled, verdicts independent of time."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import z3
from interrupting import ctrl_c_at_first_progress

from contcheck import main
from contcheck.checker.explicit.parallel import ParallelExpander
from contcheck.checker.output_files import write_atomically
from contcheck.checker.symbolic.lemma_syntax import LemmaSyntaxError, parse_assertions
from contcheck.checker.unbounded import induction as unbounded_induction
from contcheck.checker.unbounded.induction import claims, prove_unbounded
from contcheck.checker.z3_interrupts import stoppable
from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.reports.document_schema import PROPERTY as PROPERTY_KEYS

TINY = ["--contrefs", "1", "--tags", "1", "--clauses", "1", "--host-depth", "2", "--handles", "1"]
ONE = ["--contrefs", "1", "--tags", "1", "--clauses", "1", "--host-depth", "1", "--handles", "2"]


def one_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and err.startswith("contcheck: error: ")
    assert "Traceback" not in err
    return err


def _bad_files(tmp: Path) -> dict[str, Path]:
    """Issue 17, input files: each of these is one line, exit 2."""
    files = {
        "non-UTF-8": (b"\xff\xfe{}", "is not UTF-8"),
        "surrogate": (b'{"#meta": "\\ud800"}', "not valid Unicode"),
        "deep": (b"[" * 100_000 + b"]" * 100_000, "nests deeper"),
        "huge integer": (b'{"n": ' + b"9" * 5000 + b"}", "5000 digits"),
    }
    out = {}
    for name, (data, _) in files.items():
        out[name] = tmp / f"{name.replace(' ', '-')}.json"
        out[name].write_bytes(data)
    fifo = tmp / "fifo"
    os.mkfifo(fifo)
    out["FIFO"], out["/dev/zero"], out["directory"] = fifo, Path("/dev/zero"), tmp
    return out


EXPECTED = {
    "non-UTF-8": "is not UTF-8",
    "surrogate": "not valid Unicode",
    "deep": "nests deeper",
    "huge integer": "5000 digits",
    "FIFO": "a FIFO, not a regular file",
    "/dev/zero": "a device, not a regular file",
    "directory": "Is a directory",
}


@pytest.mark.parametrize(
    "command",
    [["trace", "show"], ["trace", "check"], ["replay"], ["report", "-o", "REPORT", "--json"]],
)
def test_bad_input_files_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """Issue 17: non-UTF-8, lone surrogates, RecursionError depth, integers
    past 4,300 digits, /dev/zero, a FIFO, a directory: one line, exit 2 (and
    the FIFO and /dev/zero do not hang)."""
    for name, path in _bad_files(tmp_path).items():
        argv = [str(tmp_path / "r") if a == "REPORT" else a for a in command] + [str(path)]
        assert EXPECTED[name] in one_error(capsys, argv), name
    assert not (tmp_path / "r").exists()


def test_lemma_file_through_the_same_reader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17: a lemma file is read like every input (here a FIFO, which
    z3's reader would block on)."""
    fifo = tmp_path / "lemma.smt2"
    os.mkfifo(fifo)
    assert "a FIFO" in one_error(capsys, ["prove", *ONE, "--lemma", str(fifo)])


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("(set-option :timeout 1)\n(assert true)", "set-option"),
        ("(set-option :rlimit 1)", "set-option"),
        ("(set-option :verbosity 10)", "set-option"),
        ("(assert (<= s.k0.args 2))\n(exit)\n(assert false)", "(exit)"),
        ("(define-fun-rec f ((x Int)) Int (f x))", "define-fun-rec"),
        ("(assert (= s.k0.args true))", "compares a Bool with an Int"),
        ("(assert (<= s.k0.args 1 2 x.unknown))", "unknown variable"),
        ("(assert (+ s.k0.args 1))", "asserts an Int"),
        ("(assert " * 200, "nested deeper"),
        ("(assert (< s.k0.args " + "9" * 5000 + "))", "5000 digits"),
    ],
)
def test_lemma_files_hold_only_typed_assertions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, refused: str
) -> None:
    """Issue 17: set-option, exit, define-fun-rec and ill-typed formulas
    would change z3 for the whole run or be coerced: refused in one line."""
    lemma = tmp_path / "l.smt2"
    lemma.write_text(text)
    err = one_error(capsys, ["prove", *ONE, "--lemma", str(lemma)])
    assert refused in err and len(err) < 200


def test_accepted_lemmas_mean_what_z3_says() -> None:
    """The subset is SMT-LIB: each accepted formula is equivalent to z3's
    own reading of it (chained comparisons, right-associative =>, unary -)."""
    decls = {name: z3.Int(name) for name in ("s.k0.args", "s.k0.vals", "s.ncont")}
    text = (
        "; a comment\n(assert (=> (<= 0 s.k0.args 2) (> s.ncont 0) (distinct s.k0.vals 3)))\n"
        "(assert (or (not (= s.ncont 0)) (= (- s.k0.args) (* 2 (+ s.k0.vals 1)))))\n"
        "(assert (ite (>= s.ncont 1) (xor (< s.k0.args 1) true) false))"
    )
    ours = parse_assertions(text, decls)
    theirs = z3.parse_smt2_string(text, decls=decls)
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs, strict=True):
        solver = z3.Solver()
        solver.add(a != b)
        assert solver.check() == z3.unsat
    with pytest.raises(LemmaSyntaxError):
        parse_assertions("(assert (forall ((x Int)) (> x s.ncont)))", decls)


def test_outputs_keep_devices_and_symlinks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17, output paths: --json /dev/null writes through the device
    (renaming over it would replace it with a file); a symlink stays a link
    and its target gets the document; '-' is stdout."""
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    for out in ("/dev/null", str(link)):
        assert main(["check", *TINY, "--property", "I1", "--json", out]) == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert link.is_symlink() and json.loads(target.read_text())["semantics"] == "v48"
    capsys.readouterr()
    assert main(["check", *TINY, "--property", "I1", "--json", "-"]) == 0
    assert '"semantics": "v48"' in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: never leave a temporary file behind on failure (here a
    Ctrl-C as the file is renamed into place)."""
    path = tmp_path / "out.json"
    path.write_text("old")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, "new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--json", "FILE/run.json"],
        ["check", "--trace-dir", "FILE"],
        ["graph", "-o", "FILE/g.json"],
        ["report", "-o", "FILE"],
        ["prove", "--engine", "bmc", "--json", "FILE/x.json"],
        ["crosscheck", "--json", "FILE/x.json"],
    ],
)
def test_unwritable_outputs_fail_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """Issue 17: an output that cannot be written (under a regular file) is
    one line before any search, not after it (no traces, no exploring)."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = [str(blocker) + a[4:] if a.startswith("FILE") else a for a in argv]
    # bounds far past what could be explored in a test: only a check first returns
    big = ["--contrefs", "5", "--tags", "3", "--clauses", "3", "--handles", "5"]
    assert "cannot write" in one_error(capsys, [*argv, *big])


def test_graph_and_report_cut_short_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17: a graph or report of a search that stopped early exits 3
    (stopped early), and the report says it is partial."""
    out = tmp_path / "g.json"
    assert main(["graph", *TINY, "--max-states", "5", "-o", str(out)]) == 3
    assert main(["report", *TINY, "--max-states", "5", "-o", str(tmp_path / "r")]) == 3
    assert "partial" in (tmp_path / "r" / "index.html").read_text()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("bounds", None, "has no 'bounds'"),
        ("semantics", "v99", "unknown semantics"),
        ("stats", "fast", "'stats' should be dict"),
        ("exhaustive", 1, "'exhaustive' should be bool"),
        ("properties", [{"id": "I1"}], "has no 'status'"),
        ("properties", [dict.fromkeys(PROPERTY_KEYS) | {"id": "<b>", "status": ""}], "unknown"),
    ],
)
def test_run_document_is_validated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: object, message: str
) -> None:
    """Issue 17: report --json with a missing key, a wrong type or an
    unknown semantics is one line, exit 2."""
    valid = tmp_path / "run.json"
    main(["check", *TINY, "--property", "I1", "--json", str(valid)])
    full = json.loads(valid.read_text())
    if value is None:
        del full[key]
    else:
        full[key] = value
    valid.write_text(json.dumps(full))
    capsys.readouterr()
    err = one_error(capsys, ["report", "--json", str(valid), "-o", str(tmp_path / "r")])
    assert message in err


def test_replay_native_checks_each_step_is_enabled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17: replay --on native checks the trace as `trace check` does:
    a step naming a contref past the end is one line, exit 2."""
    main(["check", *TINY, "--semantics", "v44", "--trace-dir", str(tmp_path)])
    trace = next(tmp_path.rglob("S2.itf.json"))  # in the run's folder
    doc = json.loads(trace.read_text())
    doc["states"][1]["#meta"]["action"]["kind"] = "resume"
    doc["states"][1]["#meta"]["action"]["handle"] = {"contref": 7, "witness": 0}
    trace.write_text(json.dumps(doc))
    capsys.readouterr()
    assert "is not enabled" in one_error(capsys, ["replay", str(trace)])


def test_resources_are_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17: --workers is bounded; a 5,000-digit flag value is not
    echoed whole."""
    assert "--workers must be between" in one_error(capsys, ["check", "--workers", "1000"])
    err = one_error(capsys, ["check", "--contrefs", "9" * 5000])
    assert len(err) < 200


def test_out_of_memory_reports_what_was_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17: a MemoryError during a search ends with the partial
    results, exit 3, no traceback."""
    from contcheck.checker.explicit import bfs

    real = bfs.StateExpander

    class Exhausted:  # the search's expander, out of memory from the 21st state on
        def __init__(self, *args: Any) -> None:
            self.inner, self.calls = real(*args), 0

        def expand(self, key: bytes) -> object:
            self.calls += 1
            if self.calls > 20:
                raise MemoryError
            return self.inner.expand(key)

    monkeypatch.setattr(bfs, "StateExpander", Exhausted)
    doc = tmp_path / "run.json"
    argv = ["check", *TINY, "--workers", "1", "--json", str(doc), "--trace-dir", str(tmp_path)]
    assert main(argv) == 3
    assert json.loads(doc.read_text())["stop_reason"] == "out of memory"


def test_interrupt_while_loading_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17: a Ctrl-C before the command's own handling starts (while
    the commands load) is one line and exit 3."""
    from contcheck import commands

    def interrupted(argv: list[str] | None) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "run_command", interrupted)
    assert main(["list-properties"]) == 3
    assert capsys.readouterr().err == "contcheck: interrupted\n"


@pytest.mark.parametrize("group", [False, True])
def test_sigterm_is_handled_like_ctrl_c(tmp_path: Path, group: bool) -> None:
    """Issue 17: SIGTERM to a running `check` on two processes stops it with
    its partial results (summary and JSON), exit 3, and no traceback from
    the main process or its pool workers; also when the whole process group
    gets it, as `timeout` sends it (workers killed holding the pool's queue
    lock once left the run waiting forever)."""
    doc = tmp_path / "run.json"
    argv = ["check", "--contrefs", "4", "--tags", "2", "--property", "I3", "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "contcheck", *argv, "--json", str(doc)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=group,
    )
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    for _ in range(600):  # until the pool's workers exist: the search is running
        if proc.poll() is not None or children.read_text().split():
            break
        time.sleep(0.2)
    time.sleep(1)
    assert proc.poll() is None, "the search ended before the signal"
    if group:
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 3 and "Traceback" not in err and "BrokenPipe" not in err
    assert "stopped early (interrupted)" in out
    assert json.loads(doc.read_text())["stop_reason"] == "interrupted"


def test_a_second_sigterm_does_not_cut_the_pool_shutdown_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GNU timeout sends SIGTERM to the run and then to its process group, so
    a second one can land while the pool is shut down after the first: the
    shutdown completes (every worker ends) and the stop is recorded, not
    raised half-way (which once left `check` waiting for live workers)."""
    model = ContinuationModel(Version.V48, Bounds(contrefs=1, host_depth=1, handles=1))
    expander = ParallelExpander(model, ["I3"], 2, every=False)
    with stoppable() as stop:
        assert len(list(expander([model.key(model.init_states()[0])]))) == 1
        workers = multiprocessing.active_children()
        terminate = expander.pool.terminate

        def signalled() -> None:
            os.kill(os.getpid(), signal.SIGTERM)
            terminate()

        monkeypatch.setattr(expander.pool, "terminate", signalled)
        expander.close()
    assert stop.interrupted and len(workers) == 2
    assert all(w.exitcode is not None for w in workers)


def test_unbounded_verdicts_do_not_depend_on_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17, deterministic verdicts: every query of the unbounded engine
    is bounded by z3's resource limit, none by a time limit."""
    settings: list[str] = []
    real_set = z3.Solver.set

    def recorded(self: z3.Solver, *args: object, **keys: object) -> None:
        settings.extend(str(a) for a in args[::2])
        settings.extend(keys)
        real_set(self, *args, **keys)

    monkeypatch.setattr(z3.Solver, "set", recorded)
    one_step = tuple(s for s in unbounded_induction.STEPS if s.name == "cont.new")
    monkeypatch.setattr(unbounded_induction, "STEPS", one_step)
    rows = prove_unbounded(claims(["I3"]))
    assert rows and "rlimit" in settings and "timeout" not in settings


def test_ctrl_c_while_traces_are_written_keeps_the_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17: a Ctrl-C while a finished run's traces are written no longer
    loses the JSON: the writing finishes, the verdict (violated) stands, and
    the interrupt is reported."""
    from contcheck import output

    real = output.save_counterexample

    def interrupted_meanwhile(*args: object) -> Path:
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(output, "save_counterexample", interrupted_meanwhile)
    doc = tmp_path / "run.json"
    argv = ["check", *TINY, "--semantics", "v44", "--trace-dir", str(tmp_path), "--json", str(doc)]
    assert main(argv) == 1
    assert json.loads(doc.read_text())["exhaustive"] is True
    assert any(tmp_path.rglob("S2.itf.json"))
    assert "interrupted" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "written"),
    [
        (["report", "--contrefs", "4", "-o", "r"], "r/index.html"),
        (["graph", "--contrefs", "4", "--view", "chains", "-o", "g.json"], "g.json"),
        (["fuzz", "--on", "native", "--runs", "100000", "--json", "f.json"], "f.json"),
    ],
)
def test_interrupted_report_graph_and_fuzz_say_so(
    tmp_path: Path, argv: list[str], written: str
) -> None:
    """Issue 17, signals: `report`, `graph` and `fuzz` stopped by Ctrl-C
    exit 3 with no traceback and still write what they have, marked as
    partial (the report: "stopped early"; the fuzz JSON: not complete)."""
    code, out, err = ctrl_c_at_first_progress(tmp_path, argv)
    assert code == 3 and "Traceback" not in err, err
    text = (tmp_path / written).read_text()
    if argv[0] == "report":
        assert "stopped early (interrupted)" in text
    if argv[0] == "fuzz":
        assert "interrupted" in out and json.loads(text)["complete"] is False
