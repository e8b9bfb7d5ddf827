"""Replay on real stacks: model runs executed on greenlets (one native stack
per continuation) and as `.wast` programs on the pinned Wasmtime releases,
compared step by step; random walks and differential campaigns over both.

Entry points: `replay_trace` (`native_replay.py`), `make_program`,
`program_wast` and `run_batch` (`wasmtime_replay.py`), `run_campaign`
(`campaign.py`), and the pinned binaries (`wasmtime_binary.py`).
"""

from .campaign import Disagreement, Plan, Tally, excluded_kinds, run_campaign
from .coverage import Coverage
from .native_replay import replay_trace
from .random_walks import WALKS
from .wasmtime_binary import (
    RELEASES,
    WasmtimeUnavailable,
    binary_for,
    release_for,
    version_line,
    wasmtime_binary,
    wast_command,
)
from .wasmtime_replay import Verdict, make_program, program_wast, run_batch
from .wast_script import NotExpressible
from .wast_text import MAX_ENTRIES

__all__ = [
    "binary_for",
    "Coverage",
    "Disagreement",
    "excluded_kinds",
    "make_program",
    "MAX_ENTRIES",
    "NotExpressible",
    "Plan",
    "program_wast",
    "release_for",
    "RELEASES",
    "replay_trace",
    "run_batch",
    "run_campaign",
    "Tally",
    "Verdict",
    "version_line",
    "WALKS",
    "wasmtime_binary",
    "WasmtimeUnavailable",
    "wast_command",
]
