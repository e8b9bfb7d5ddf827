"""What a property is, and the registry every engine reads them from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from contcheck.model import Action, Event, Kind, State, Version

# A state predicate returns None when it holds, else what is wrong.
StateCheck = Callable[[State, Version], str | None]
# A transition predicate judges (before, action, after, event).
TransitionCheck = Callable[[State, Action, State, Event], str | None]

BOTH = frozenset({Version.V44, Version.V48})


@dataclass(frozen=True)
class Property:
    """A named invariant or safety property with its source in the spec."""

    id: str
    statement: str
    source: str
    state_check: StateCheck | None = None
    transition_check: TransitionCheck | None = None
    versions: frozenset[Version] = BOTH
    # Where a transition predicate can fail, so that a search calls it only
    # there: after these action kinds (None: any), and only if this field of
    # the step's Event is non-empty ("": whatever the event).  Each is the
    # predicate's own first test, stated as data.
    after_kinds: frozenset[Kind] | None = None
    event_field: str = ""

    @property
    def kind(self) -> str:
        return "state" if self.state_check else "transition"

    def applies_to(self, version: Version) -> bool:
        return version in self.versions


@dataclass(frozen=True)
class Unmodelled:
    """An invariant of §4 the model's state cannot express, and why."""

    id: str
    statement: str
    reason: str


def sort_key(prop_id: str) -> tuple[str, int]:
    return (prop_id[0], int(prop_id[1:]))
