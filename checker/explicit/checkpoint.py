"""Checkpoints of a partitioned search, written at level boundaries.

A checkpoint folder holds `meta.json` (tool version, semantics, bounds,
properties, the level reached, statistics, violations found), the parent
index as three arrays, and per shard its visited keys with their indices and
its frontier. It is written beside the folder and renamed over it, so a crash
while writing leaves the previous checkpoint whole. A resumed run may use
another number of shards: keys go to the shard that owns them now.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from array import array
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from contcheck.model import ContinuationModel

from .bfs import Found
from .partition import owner
from .partitioned import Search, Shards

FORMAT = 1
META = "meta.json"
COLUMNS = {"parent": "q", "via": "i", "depth": "H"}
_RECORD = struct.Struct("<IQ")  # key length, index


class CheckpointError(Exception):
    """A checkpoint that cannot be used: the message is one line."""


def tool_version() -> str:
    try:
        return version("contcheck")
    except PackageNotFoundError:
        return "unknown"


def identity(model: ContinuationModel, property_ids: list[str]) -> dict[str, Any]:
    """What must match for a checkpoint to be resumed."""
    return {
        "format": FORMAT,
        "tool": tool_version(),
        "semantics": f"v{int(model.version)}",
        "bounds": model.bounds.as_dict(),
        "symmetry": model.symmetry,
        "properties": sorted(property_ids),
    }


def save(
    folder: Path, ident: dict[str, Any], search: Search, shards: Shards, seconds: float
) -> None:
    """Write the search as of its last complete level; `seconds` so far."""
    staging = folder.with_name(folder.name + ".writing")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, column in _columns(search).items():
        with open(staging / f"{name}.bin", "wb") as out:
            column.tofile(out)
    for k, (visited, frontier) in enumerate(shards.call("snapshot", [()] * shards.count)):
        _write_shard(staging / f"shard-{k}", visited, frontier)
    meta = {**ident, "search": _search_meta(search, seconds), "shards": shards.count}
    (staging / META).write_text(json.dumps(meta, indent=1) + "\n")
    _swap(staging, folder)


def _swap(staging: Path, folder: Path) -> None:
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(staging, folder)
    shutil.rmtree(old, ignore_errors=True)


def _columns(search: Search) -> dict[str, array[int]]:
    return {"parent": search.parent, "via": search.via, "depth": search.depth}


def _search_meta(search: Search, seconds: float) -> dict[str, Any]:
    return {
        "states": len(search.parent),
        "level": search.level,
        "frontier": search.frontier,
        "transitions": search.transitions,
        "max_depth": search.max_depth,
        "seconds": seconds,
        "found": [
            {**f.__dict__, "target": f.target.hex()}
            for f in sorted(search.found.values(), key=lambda f: f.property_id)
        ],
    }


def _write_shard(stem: Path, visited: list[tuple[bytes, int]], frontier: list[int]) -> None:
    with open(stem.with_suffix(".keys"), "wb") as out:
        for key, index in visited:
            out.write(_RECORD.pack(len(key), index))
            out.write(key)
    with open(stem.with_suffix(".frontier"), "wb") as out:
        array("q", frontier).tofile(out)


def load(folder: Path, ident: dict[str, Any], search: Search, shards: Shards) -> None:
    """Restore `search` and `shards` (fresh) from `folder`, or CheckpointError."""
    meta = _meta(folder)
    for field in ("format", "tool", "semantics", "bounds", "symmetry", "properties"):
        if meta.get(field) != ident[field]:
            raise CheckpointError(
                f"checkpoint {folder} was written for {field} {meta.get(field)!r}, "
                f"this run has {ident[field]!r}"
            )
    try:
        _restore_search(folder, meta["search"], search)
        _restore_shards(folder, int(meta["shards"]), shards)
    except (OSError, KeyError, TypeError, ValueError, struct.error) as err:
        raise CheckpointError(f"checkpoint {folder} is damaged: {err}") from None


def _meta(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(f"{folder} holds no checkpoint (no {META})") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise CheckpointError(f"checkpoint {folder}: unreadable {META}: {err}") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("search"), dict):
        raise CheckpointError(f"checkpoint {folder}: {META} is not a checkpoint's")
    return meta


def _restore_search(folder: Path, meta: dict[str, Any], search: Search) -> None:
    for name, column in _columns(search).items():
        data = (folder / f"{name}.bin").read_bytes()
        column.frombytes(data)
        if len(column) != meta["states"]:
            raise ValueError(f"{name}.bin holds {len(column)} states, not {meta['states']}")
    search.level, search.frontier = int(meta["level"]), int(meta["frontier"])
    search.transitions, search.max_depth = int(meta["transitions"]), int(meta["max_depth"])
    search.seconds = float(meta["seconds"])
    for f in meta["found"]:
        search.found[f["property_id"]] = Found(**{**f, "target": bytes.fromhex(f["target"])})


def _restore_shards(folder: Path, written: int, shards: Shards) -> None:
    visited: list[list[tuple[bytes, int]]] = [[] for _ in range(shards.count)]
    frontier: list[list[int]] = [[] for _ in range(shards.count)]
    for k in range(written):
        stem = folder / f"shard-{k}"
        pairs = list(_read_keys(stem.with_suffix(".keys")))
        keys = dict((index, key) for key, index in pairs)
        for key, index in pairs:
            visited[owner(key, shards.count)].append((key, index))
        on_frontier = array("q")
        on_frontier.frombytes(stem.with_suffix(".frontier").read_bytes())
        for index in on_frontier:
            frontier[owner(keys[index], shards.count)].append(index)
    shards.call("restore", [(v, sorted(f)) for v, f in zip(visited, frontier, strict=True)])


def _read_keys(path: Path) -> list[tuple[bytes, int]]:
    data = path.read_bytes()
    pairs, at = [], 0
    while at < len(data):
        length, index = _RECORD.unpack_from(data, at)
        at += _RECORD.size
        if at + length > len(data):
            raise ValueError(f"{path.name} ends inside a key")
        pairs.append((data[at : at + length], index))
        at += length
    return pairs
