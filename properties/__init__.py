"""Every invariant of spec §4 the model can express, and the safety properties
S0-S5, as named predicates.  Start with `catalog`."""

from .catalog import PROPERTIES, UNMODELLED, by_id
from .evaluate import state_violations, transition_violations
from .registry import Property, Unmodelled

__all__ = [
    "PROPERTIES",
    "UNMODELLED",
    "Property",
    "Unmodelled",
    "by_id",
    "state_violations",
    "transition_violations",
]
