"""The per-bound z3 engines: the same runtime as symbolic paths over a store
of z3 variables, written from the spec independently of `contcheck.model`.

Entry points: `bmc` (bounded model checking, `bmc.py`), `induction`
(`induction.py`), `pdr` (Spacer, `pdr.py`), with lemmas from `lemmas.py`;
`step_paths` (`step.py`) and `from_state`/`to_state` (`state.py`) for the
cross-check; `replay` and `write_z3_trace` (`traces.py`) turn z3 runs into
explicit runs and ITF files.
"""

from .bmc import BmcResult, SymbolicRun, Unrolling, bmc
from .induction import InductionRow, induction
from .lemmas import Lemma, load_lemmas, shipped
from .pdr import BUDGET, PdrRow, pdr
from .state import Store, all_fields, equalities, evaluate, from_state, to_state, variables
from .step import Semantics, action_vars, step_paths
from .traces import Replay, comparable, replay, write_z3_trace

__all__ = [
    "BUDGET",
    "action_vars",
    "all_fields",
    "bmc",
    "BmcResult",
    "comparable",
    "equalities",
    "evaluate",
    "from_state",
    "induction",
    "InductionRow",
    "Lemma",
    "load_lemmas",
    "pdr",
    "PdrRow",
    "replay",
    "Replay",
    "Semantics",
    "shipped",
    "step_paths",
    "Store",
    "SymbolicRun",
    "to_state",
    "Unrolling",
    "variables",
    "write_z3_trace",
]
