"""A shard's visited set: canonical key -> global state index, in memory (a
dict), on disk (LMDB), or in memory until it holds a given number of keys and
on disk from then on, so that a run is bounded by disk rather than RAM."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import lmdb

INDEX_BYTES = 8
# LMDB reserves address space, not disk, for its map: 1 TiB leaves room for
# any run a disk can hold.
MAP_SIZE = 1 << 40


@dataclass(frozen=True)
class Spill:
    """Where a shard's visited set goes once it holds more than `after` keys."""

    folder: Path
    after: int = 10_000_000


class Visited(Protocol):
    def missing(self, keys: list[bytes]) -> list[bool]: ...
    def add_many(self, pairs: list[tuple[bytes, int]]) -> None: ...
    def remove_many(self, keys: list[bytes]) -> None: ...
    def items(self) -> Iterator[tuple[bytes, int]]: ...
    def __len__(self) -> int: ...
    def bytes_used(self) -> int: ...
    def close(self) -> None: ...


class MemoryVisited:
    def __init__(self) -> None:
        self.index: dict[bytes, int] = {}

    def missing(self, keys: list[bytes]) -> list[bool]:
        return [key not in self.index for key in keys]

    def add_many(self, pairs: list[tuple[bytes, int]]) -> None:
        self.index.update(pairs)

    def remove_many(self, keys: list[bytes]) -> None:
        for key in keys:
            del self.index[key]

    def items(self) -> Iterator[tuple[bytes, int]]:
        return iter(self.index.items())

    def __len__(self) -> int:
        return len(self.index)

    def bytes_used(self) -> int:
        entries = sum(sys.getsizeof(k) + sys.getsizeof(i) for k, i in self.index.items())
        return sys.getsizeof(self.index) + entries

    def close(self) -> None:
        self.index.clear()


class LmdbVisited:
    """The same map in an LMDB environment of its own under `parent`
    (removed on close): one write transaction per batch."""

    def __init__(self, parent: Path) -> None:
        parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix="visited-", dir=parent))
        self.env = lmdb.open(str(self.folder), map_size=MAP_SIZE, sync=False, metasync=False)
        self.count = 0

    def missing(self, keys: list[bytes]) -> list[bool]:
        with self.env.begin() as txn:
            return [txn.get(key) is None for key in keys]

    def add_many(self, pairs: list[tuple[bytes, int]]) -> None:
        with self.env.begin(write=True) as txn:
            for key, index in pairs:
                self.count += txn.put(key, index.to_bytes(INDEX_BYTES, "little"))

    def remove_many(self, keys: list[bytes]) -> None:
        with self.env.begin(write=True) as txn:
            for key in keys:
                self.count -= txn.delete(key)

    def items(self) -> Iterator[tuple[bytes, int]]:
        with self.env.begin() as txn:
            pairs = [(bytes(k), int.from_bytes(v, "little")) for k, v in txn.cursor()]
        return iter(pairs)

    def __len__(self) -> int:
        return self.count

    def bytes_used(self) -> int:
        info = self.env.info()
        stat = self.env.stat()
        return int(info["last_pgno"] + 1) * int(stat["psize"])

    def close(self) -> None:
        self.env.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class SpillingVisited:
    """In memory up to `limit` keys; then every key moves into LMDB under
    `parent` and stays there."""

    def __init__(self, parent: Path, limit: int) -> None:
        self.parent, self.limit = parent, limit
        self.inner: MemoryVisited | LmdbVisited = MemoryVisited()

    @property
    def on_disk(self) -> bool:
        return isinstance(self.inner, LmdbVisited)

    def missing(self, keys: list[bytes]) -> list[bool]:
        return self.inner.missing(keys)

    def add_many(self, pairs: list[tuple[bytes, int]]) -> None:
        self.inner.add_many(pairs)
        if not self.on_disk and len(self.inner) > self.limit:
            disk = LmdbVisited(self.parent)
            disk.add_many(list(self.inner.items()))
            self.inner.close()
            self.inner = disk

    def remove_many(self, keys: list[bytes]) -> None:
        self.inner.remove_many(keys)

    def items(self) -> Iterator[tuple[bytes, int]]:
        return self.inner.items()

    def __len__(self) -> int:
        return len(self.inner)

    def bytes_used(self) -> int:
        return self.inner.bytes_used()

    def close(self) -> None:
        self.inner.close()
