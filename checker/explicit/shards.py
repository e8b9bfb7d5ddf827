"""Where the shards of a partitioned search live: in this process, or as
actors on a Ray cluster (a local one started here, or one joined by address).

Both answer `call(method, args)` with one result per shard, in shard order.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from contcheck.model import ContinuationModel

from .partition import Partition
from .visited import Spill


class LocalShards:
    def __init__(self, partitions: list[Partition]) -> None:
        self.partitions = partitions
        self.count = len(partitions)

    def call(self, method: str, args: list[tuple[Any, ...]]) -> list[Any]:
        return [getattr(p, method)(*a) for p, a in zip(self.partitions, args, strict=True)]

    def close(self) -> None:
        for partition in self.partitions:
            partition.close()


def local_shards(
    model: ContinuationModel, property_ids: list[str], count: int, spill: Spill | None
) -> LocalShards:
    return LocalShards([_partition(model, property_ids, spill) for _ in range(count)])


def _partition(model: ContinuationModel, property_ids: list[str], spill: Spill | None) -> Partition:
    b = model.bounds.as_dict()
    return Partition(int(model.version), b, model.symmetry, property_ids, spill)


class RayUnavailable(Exception):
    """Ray could not start or join a cluster: the message says why."""


def ray_shards(
    model: ContinuationModel,
    property_ids: list[str],
    count: int,
    address: str | None,
    spill: Spill | None,
) -> RayShards:
    """Shards as Ray actors; RayUnavailable if Ray cannot start or join."""
    try:
        import ray  # noqa: F401  (an optional dependency, imported only here)
    except ImportError:
        raise RayUnavailable("not installed: pip install 'contcheck[ray]'") from None
    return RayShards(model, property_ids, count, address, spill)


class RayShards:
    """One Ray actor per shard. Without an address a local cluster is
    started (and stopped on close); with one, that cluster is joined."""

    def __init__(
        self,
        model: ContinuationModel,
        property_ids: list[str],
        count: int,
        address: str | None,
        spill: Spill | None,
    ) -> None:
        import ray

        self.ray = ray
        try:
            self._connect(address, count)
        except (ConnectionError, RuntimeError, ValueError) as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise RayUnavailable(first) from None
        actor = ray.remote(num_cpus=1, scheduling_strategy="SPREAD")(Partition)
        b = model.bounds.as_dict()
        self.actors: list[Any] = [
            actor.remote(int(model.version), b, model.symmetry, property_ids, spill)
            for _ in range(count)
        ]
        self.count = count

    def _connect(self, address: str | None, count: int) -> None:
        # Ray would report usage statistics to its authors over the network.
        os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
        # A local cluster gets one logical CPU per shard even on fewer cores:
        # shards mostly wait for each other, and each must be placed.
        options: dict[str, Any] = {
            "include_dashboard": False,
            "logging_level": logging.ERROR,
            "log_to_driver": False,
            "configure_logging": True,
        }
        if address:
            self.ray.init(address=address, **options)
        else:
            self.ray.init(num_cpus=max(count, os.cpu_count() or 1), **options)

    def call(self, method: str, args: list[tuple[Any, ...]]) -> list[Any]:
        futures = [getattr(a, method).remote(*x) for a, x in zip(self.actors, args, strict=True)]
        return list(self.ray.get(futures))

    def close(self) -> None:
        try:
            self.ray.get([a.close.remote() for a in self.actors])
        finally:
            self.ray.shutdown()
