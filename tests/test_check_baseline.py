"""The explicit engine against outputs recorded before it was made faster:
the same JSON document (bar timings) and the same trace files, byte for byte,
with one process and with two."""

from __future__ import annotations

from pathlib import Path

import pytest

from check_baseline import CASES, outputs, recorded


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_matches_recorded_outputs(name: str, tmp_path: Path) -> None:
    assert outputs(CASES[name], tmp_path, workers=1) == recorded(name)


@pytest.mark.parametrize("name", ["v44-small", "v48-tags"])
def test_two_workers_match_recorded_outputs(name: str, tmp_path: Path) -> None:
    assert outputs(CASES[name], tmp_path, workers=2) == recorded(name)
