"""Wasmtime's stack-switching runtime as a transition system (pure: no I/O).

Start with `state` (the runtime structures), then `semantics.step` and the
instructions it dispatches to; `system.ContinuationModel` is what engines use.
"""

from .actions import UNCAUGHT, Action, Kind
from .bounds import Bounds, BoundsError
from .machine import Event
from .semantics import Step, initial_state, step
from .state import State, Version, VMStackState
from .system import ContinuationModel

__all__ = [
    "UNCAUGHT",
    "Action",
    "Bounds",
    "BoundsError",
    "ContinuationModel",
    "Event",
    "Kind",
    "State",
    "Step",
    "Version",
    "VMStackState",
    "initial_state",
    "step",
]
