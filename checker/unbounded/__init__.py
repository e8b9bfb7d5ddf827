"""The any-size engine: the v48 lifecycle over an uninterpreted sort of
stacks, proved by induction for any number of contrefs.

Entry points: `prove_unbounded` and `claims` (`induction.py`), `LEMMAS`
(`properties.py`), and `agree` (`abstraction.py`), which checks the claims
on the explicit engine's reachable states.
"""

from .abstraction import Agreement, agree
from .induction import UnboundedRow, claims, prove_unbounded
from .properties import LEMMAS

__all__ = [
    "agree",
    "Agreement",
    "claims",
    "LEMMAS",
    "prove_unbounded",
    "UnboundedRow",
]
