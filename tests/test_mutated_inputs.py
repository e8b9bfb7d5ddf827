"""Mutated inputs never escape as a traceback (issue 17): valid traces, run
documents and lemma files, mutated by Hypothesis as a careless script would,
driven through the command in-process.  Every answer is an exit code of
0-3, stderr holds no traceback, and no file is left behind.

Derandomized with a fixed number of examples, so the same inputs are tried
on every run; the slow parts behind a valid input (drawing the report's
graphs, the induction proof) are replaced, since what is tested is reading."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contcheck import main, prove

TINY = ["--contrefs", "1", "--tags", "1", "--clauses", "1", "--host-depth", "2", "--handles", "1"]
ONE = ["--contrefs", "1", "--tags", "1", "--clauses", "1", "--host-depth", "1", "--handles", "2"]
RUNS = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
LEMMA = "; every contref's arguments fit\n(assert (=> (> s.ncont 0) (<= 0 s.k0.args 2)))\n"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


@cache
def originals() -> tuple[str, str]:
    """A v44 counterexample trace and the run document that names it."""
    folder = Path(tempfile.mkdtemp(prefix="contcheck-mutated-"))
    doc = folder / "run.json"
    argv = ["check", *TINY, "--semantics", "v44", "--trace-dir", str(folder), "--json", str(doc)]
    assert main(argv) == 1
    return next(folder.rglob("S2.itf.json")).read_text(), doc.read_text()


def _places(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _places(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _places(v, (*path, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """`text` with one JSON value replaced or removed, or its bytes cut,
    flipped or repeated."""
    how = draw(st.sampled_from(["replace", "delete", "bytes"]))
    if how == "bytes":
        return _byte_mutation(draw, text.encode())
    doc = json.loads(text)
    path = draw(st.sampled_from(_places(doc)[1:]))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if how == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_values)
    return json.dumps(doc).encode()


def _byte_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    kind = draw(st.sampled_from(["cut", "flip", "insert"]))
    if kind == "cut":
        return data[:at]
    if kind == "flip":
        return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    return data[:at] + draw(st.binary(max_size=8)) + data[at:]


@st.composite
def lemma_files(draw: st.DrawFn) -> bytes:
    tokens = [
        "(",
        ")",
        "assert",
        "s.ncont",
        "s.k0.args",
        "true",
        "1",
        "=",
        "<=",
        "and",
        "set-option",
        ":timeout",
        "exit",
        "define-fun-rec",
        "=>",
        "ite",
        "-",
        "x",
        "|",
    ]
    if draw(st.booleans()):
        return _byte_mutation(draw, LEMMA.encode())
    return " ".join(draw(st.lists(st.sampled_from(tokens), max_size=25))).encode()


def answer(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    """The command's exit code; its stderr holds no traceback."""
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else -1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (0, 1, 2, 3), (code, err)
    return code


def _only(files: list[Path]) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        assert sorted(folder.iterdir()) == sorted(files)

    return check


@RUNS
@given(data=st.data())
def test_mutated_traces(data: st.DataObject, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17 (Test): a mutated trace given to trace show/check/to-wast and
    replay --on native."""
    with tempfile.TemporaryDirectory() as folder:
        _traces(data, Path(folder), capsys)


def _traces(data: st.DataObject, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "t.itf.json"
    trace.write_bytes(data.draw(mutated(originals()[0])))
    for command in (["trace", "show"], ["trace", "check"], ["replay"]):
        answer([*command, str(trace)], capsys)
    wast = tmp_path / "t.wast"
    answer(["trace", "to-wast", str(trace), "-o", str(wast)], capsys)
    _only([trace, wast] if wast.exists() else [trace])(tmp_path)


@RUNS
@given(data=st.data())
def test_mutated_run_documents(data: st.DataObject, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17 (Test): a mutated `check --json` document given to report
    (which reads the run and explores nothing: no graphs were saved with it)."""
    with tempfile.TemporaryDirectory() as folder:
        _documents(data, Path(folder), capsys)


def _documents(data: st.DataObject, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "run.json"
    doc.write_bytes(data.draw(mutated(originals()[1])))
    out = tmp_path / "r"
    code = answer(["report", *TINY, "--json", str(doc), "-o", str(out)], capsys)
    assert code == 2 or (out / "index.html").exists()
    _only([doc, out] if out.exists() else [doc])(tmp_path)


@RUNS
@given(text=lemma_files())
def test_mutated_lemma_files(
    text: bytes, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 (Test): a mutated lemma file given to prove --lemma (the
    proof replaced: what is tested is that the file is read and refused
    cleanly)."""
    monkeypatch.setattr(prove, "_induction", lambda args, sem, props, lemmas: 0)
    with tempfile.TemporaryDirectory() as folder:
        lemma = Path(folder) / "l.smt2"
        lemma.write_bytes(text)
        answer(["prove", *ONE, "--lemma", str(lemma)], capsys)
        _only([lemma])(Path(folder))
