"""The Wasmtime binary for a semantics and its release, or one error line (exit 2)."""

from __future__ import annotations

from pathlib import Path

from contcheck.checker.replay import WasmtimeUnavailable, release_for
from contcheck.checker.replay import binary_for as pinned_binary
from contcheck.model import Version

from .arguments import fail


def binary_for(version: Version) -> tuple[Path, str]:
    """The binary pinned for `version` (or CONTCHECK_WASMTIME's), checked to be wasmtime."""
    try:
        return pinned_binary(version)
    except WasmtimeUnavailable as err:
        fail(f"wasmtime {release_for(version)}: {err}")
