"""The pinned Wasmtime binary for a semantics, or one error line (exit 2)."""

from __future__ import annotations

from pathlib import Path

from contcheck.checker.wasmtime_binary import (
    WasmtimeUnavailable,
    release_for,
    version_line,
    wasmtime_binary,
)
from contcheck.model import Version

from .arguments import fail


def binary_for(version: Version) -> tuple[Path, str]:
    """The binary of the release pinned for `version`, checked to run."""
    release = release_for(version)
    try:
        binary = wasmtime_binary(release)
        version_line(binary)
    except WasmtimeUnavailable as err:
        fail(f"wasmtime {release}: {err}")
    return binary, release
