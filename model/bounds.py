"""The user's bounds on the most general wasm program."""

from __future__ import annotations

from dataclasses import dataclass

# The range of each bound: what the model's encodings and key layout support.
LIMITS: dict[str, tuple[int, int]] = {
    "contrefs": (0, 6),
    "tags": (1, 4),
    "clauses": (0, 4),
    "host_depth": (1, 4),
    "handles": (0, 6),
}


class BoundsError(ValueError):
    """Bounds that describe no program (one line for the user)."""


@dataclass(frozen=True)
class Bounds:
    """How large the environment may grow.

    contrefs: `cont.new` allocations (contrefs are never freed, §3.10);
    tags: distinct tags; clauses: handler clauses per `resume`;
    host_depth: nested host activations (1 = no re-entry);
    handles: slots in which wasm holds continuation handles.
    """

    # The defaults explore v48 exhaustively in about a minute on two cores and
    # reach every kind of action (tests/test_checker.py checks the latter).
    contrefs: int = 3
    tags: int = 1
    clauses: int = 1
    host_depth: int = 2
    handles: int = 2

    def __post_init__(self) -> None:
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                raise BoundsError(
                    f"--{name.replace('_', '-')} must be between {low} and {high}, got {value}"
                )

    def as_dict(self) -> dict[str, int]:
        return {
            "contrefs": self.contrefs,
            "tags": self.tags,
            "clauses": self.clauses,
            "host_depth": self.host_depth,
            "handles": self.handles,
        }
