"""The words a result uses, the same in text, JSON and the README.

`holds` only after an exhaustive search or a proof; a search stopped early
says `not violated so far`; bounded model checking says how deep it looked.
"""

from __future__ import annotations

from contcheck.checker.explicit import Exploration

HOLDS = "holds"
VIOLATED = "violated"
NOT_VIOLATED_SO_FAR = "not violated so far"
UNKNOWN = "unknown"
# A z3 run the explicit model does not replay into a violation: a defect of
# contcheck to report, never a verdict on Wasmtime.
NOT_REPRODUCED = "z3's run not reproduced by the model"


def up_to_depth(depth: int) -> str:
    """Bounded model checking found nothing in runs of at most `depth` steps."""
    return f"no violation up to depth {depth}"


def explicit_status(run: Exploration, property_id: str) -> str:
    if property_id in run.found:
        return VIOLATED
    return HOLDS if run.exhaustive else NOT_VIOLATED_SO_FAR
