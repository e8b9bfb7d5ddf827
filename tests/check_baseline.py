"""Recorded outputs of `contcheck check` at small bounds, and the code that
produces them: the explicit engine must keep verdicts, counterexample lengths
and trace files byte for byte whatever it does to go faster.

Regenerate (only when a change of verdict, or of the state count by a new
reduction, is intended) with
`python tests/check_baseline.py`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from contcheck import main

FIXTURES = Path(__file__).parent / "fixtures" / "check_baseline"

# name -> command-line flags; each runs in seconds even on the slowest engine.
CASES: dict[str, list[str]] = {
    f"{v}-{name}": ["--semantics", v, *flags]
    for v in ("v44", "v48")
    for name, flags in {
        "small": ["--contrefs", "2", "--host-depth", "2", "--handles", "2"],
        "tags": [
            "--contrefs",
            "2",
            "--tags",
            "2",
            "--clauses",
            "2",
            "--host-depth",
            "1",
            "--handles",
            "1",
        ],
        "deep": ["--contrefs", "1", "--host-depth", "3", "--handles", "3"],
    }.items()
}

# Fields of the JSON document that measure the run rather than describe it.
VOLATILE = ("seconds", "states_per_second", "peak_memory_kb")


def outputs(flags: list[str], workdir: Path, workers: int) -> dict[str, str]:
    """Every file `check` writes, by name, with run-dependent numbers removed
    and trace paths made relative to the trace directory."""
    traces = workdir / "traces"
    document = workdir / "check.json"
    argv = ["check", *flags, "--json", str(document), "--trace-dir", str(traces)]
    main([*argv, "--workers", str(workers)])
    doc = json.loads(document.read_text())
    for name in VOLATILE:
        doc["stats"].pop(name)
    for prop in doc["properties"]:
        if prop["trace_file"] is not None:
            prop["trace_file"] = Path(prop["trace_file"]).name
    files = {"check.json": json.dumps(doc, indent=2) + "\n"}
    files.update({p.name: p.read_text() for p in sorted(traces.rglob("*.itf.json"))})
    return files


def recorded(name: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((FIXTURES / name).glob("*"))}


def regenerate(workdir: Path) -> None:
    for name, flags in CASES.items():
        target = FIXTURES / name
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*"):
            old.unlink()
        for file, text in outputs(flags, workdir / name, workers=1).items():
            (target / file).write_text(text)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        regenerate(Path(tmp))
    sys.exit(0)
