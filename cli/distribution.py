"""`check`'s search options beyond one machine's memory and one session:
Ray (`--ray [ADDRESS]`), checkpoints (`--checkpoint DIR`, `--resume DIR`) and
the visited set on disk (`--spill DIR`). Without them `check` runs the local
search (`explore`); with any of them, the partitioned search, which gives
the same states, verdicts and traces."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from contcheck.checker.explicit import (
    CheckpointError,
    Checkpoints,
    Exploration,
    Level,
    Progress,
    RayUnavailable,
    Shards,
    Spill,
    explore,
    explore_partitioned,
    local_shards,
    ray_shards,
)
from contcheck.model import ContinuationModel
from contcheck.properties import Property

from .arguments import fail


def add_distribution(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--ray",
        nargs="?",
        const="",
        metavar="ADDRESS",
        help="run the search on Ray, one actor per --workers: a local cluster, or join ADDRESS",
    )
    p.add_argument("--checkpoint", type=Path, metavar="DIR", help="write checkpoints into DIR")
    p.add_argument(
        "--checkpoint-every",
        type=float,
        default=10.0,
        metavar="MINUTES",
        help="minutes between checkpoints (default 10; also written at Ctrl-C)",
    )
    p.add_argument(
        "--resume", type=Path, metavar="DIR", help="continue the search checkpointed in DIR"
    )
    p.add_argument(
        "--spill",
        type=Path,
        metavar="DIR",
        help="move a worker's visited set into LMDB under DIR once it outgrows --spill-after",
    )
    p.add_argument(
        "--spill-after",
        type=int,
        default=Spill(Path()).after,
        metavar="STATES",
        help="states a worker keeps in memory before it spills (default %(default)s)",
    )


def partitioned(args: argparse.Namespace) -> bool:
    """Whether the options ask for the partitioned search."""
    return args.ray is not None or bool(args.checkpoint or args.resume or args.spill)


def search(
    model: ContinuationModel,
    props: list[Property],
    args: argparse.Namespace,
    progress: Progress,
) -> Exploration:
    """The local search, or the partitioned one when an option asks for it."""
    if not partitioned(args):
        return explore(model, props, args.max_states, progress, args.workers, exact=args.exact)
    checkpoints = _checkpoints(args)
    try:
        return explore_partitioned(
            model,
            props,
            _shards(model, props, args),
            args.max_states,
            progress,
            _print_level if args.ray is not None else None,
            checkpoints,
            gather_keys=False,  # check writes traces, which need only the parent index
        )
    except CheckpointError as err:
        fail(str(err))


def _checkpoints(args: argparse.Namespace) -> Checkpoints | None:
    if args.checkpoint_every <= 0:
        fail("--checkpoint-every must be a positive number of minutes")
    if args.resume and args.checkpoint and args.resume != args.checkpoint:
        fail("--resume continues checkpointing into its own DIR: leave out --checkpoint")
    folder = args.resume or args.checkpoint
    if folder is None:
        return None
    return Checkpoints(folder, args.checkpoint_every * 60, resume=args.resume is not None)


def _shards(model: ContinuationModel, props: list[Property], args: argparse.Namespace) -> Shards:
    ids = [p.id for p in props]
    if args.ray is None:
        return local_shards(model, ids, 1, _spill(args))
    try:
        return ray_shards(model, ids, args.workers, args.ray or None, _spill(args))
    except RayUnavailable as err:
        fail(f"ray: {err}")


def _spill(args: argparse.Namespace) -> Spill | None:
    if args.spill_after < 0:
        fail("--spill-after must be 0 or more states")
    return Spill(args.spill, args.spill_after) if args.spill else None


def _print_level(level: Level) -> None:
    shards = ", ".join(f"{n:,}" for n in level.per_shard)
    rate = level.states / level.seconds if level.seconds > 0 else 0.0
    sys.stderr.write(
        f"level {level.depth}: {level.states:,} states, frontier {level.frontier:,} "
        f"({shards} per worker), {rate:,.0f} states/s\n"
    )
    sys.stderr.flush()
