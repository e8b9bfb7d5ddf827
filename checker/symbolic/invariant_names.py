"""A formula over the store's z3 variables in the model's names.

Spacer's invariants speak of `s.k0.st <= 2`; a person reads
`k0.state in {Fresh, Running, Parent}`.  Variables get the field names of the
ITF traces, and a comparison of an enumerated field with a number names the
values it allows (states, links, control-context kinds, stack limits).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import z3

from contcheck.model.state import CtrlKind, VMStackState

from .state import Codes

FIELDS = {
    "st": "state",
    "rev": "revision",
    "args": "args_len",
    "vals": "values_len",
    "nh": "handler_count",
    "fshi": "first_switch_handler_index",
    "par": "parent_chain",
    "la": "last_ancestor",
    "cck": "control_context.kind",
    "ccs": "control_context.stack",
    "schain": "saved_chain",
    "lim": "limits",
    "vm": "vmctx",
    "sl": "stack_limit",
    "fp": "entry_fp",
    "sp": "entry_sp",
    "th": "entry_trap_handler",
    "chain": "stack_chain",
    "ncont": "contrefs_allocated",
    "nact": "activations",
    "herr": "host_error",
}
LINKS = {"par", "ccs", "caller", "schain", "fp", "sp", "th", "chain", "running"}
FLIP = {
    z3.Z3_OP_LE: ">",
    z3.Z3_OP_GE: "<",
    z3.Z3_OP_LT: ">=",
    z3.Z3_OP_GT: "<=",
    z3.Z3_OP_EQ: "!=",
}
SYMBOL = {
    z3.Z3_OP_LE: "<=",
    z3.Z3_OP_GE: ">=",
    z3.Z3_OP_LT: "<",
    z3.Z3_OP_GT: ">",
    z3.Z3_OP_EQ: "==",
}
TESTS: dict[str, Callable[[int, int], bool]] = {
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def field_name(variable: str) -> str:
    """`s.k0.lim.sl` -> `k0.limits.stack_limit`; `s.h1.cur` -> `handle1.current`."""
    parts = variable.split(".")[1:]
    out: list[str] = []
    for part in parts:
        handler = re.fullmatch(r"h(\d+)", part)
        if handler and out:
            out.append(f"handlers[{handler.group(1)}]")
        elif handler:
            out.append(f"handle{handler.group(1)}")
        elif re.fullmatch(r"a\d+", part):
            out.append(f"init{part[1:]}")
        else:
            out.append(FIELDS.get(part, part))
    return ".".join(out)


def in_model_names(formula: z3.ExprRef, codes: Codes) -> str:
    return _Renderer(codes).show(formula)


class _Renderer:
    def __init__(self, codes: Codes) -> None:
        self.codes = codes

    def show(self, e: z3.ExprRef, negated: bool = False) -> str:
        kind = e.decl().kind() if z3.is_app(e) else None
        if kind == z3.Z3_OP_NOT:
            return self.show(e.arg(0), not negated)
        if kind in (z3.Z3_OP_AND, z3.Z3_OP_OR):
            # De Morgan keeps a negation next to the comparison it flips.
            word = " and " if (kind == z3.Z3_OP_AND) != negated else " or "
            return "(" + word.join(self.show(a, negated) for a in e.children()) + ")"
        if kind in SYMBOL:
            return self._comparison(e, FLIP[kind] if negated else SYMBOL[kind])
        text = self._plain(e)
        return f"not {text}" if negated else text

    def _comparison(self, e: z3.ExprRef, op: str) -> str:
        left, right = e.arg(0), e.arg(1)
        if z3.is_int_value(left) and _is_variable(right):
            left, right = right, left
            op = {"<=": ">=", ">=": "<=", "<": ">", ">": "<"}.get(op, op)
        if _is_variable(left) and z3.is_int_value(right):
            return self._field_test(str(left), op, right.as_long())
        return f"{self._plain(left)} {op} {self._plain(right)}"

    def _field_test(self, variable: str, op: str, value: int) -> str:
        name, last = field_name(variable), variable.split(".")[-1]
        domain = self._domain(last)
        if domain is None:
            return f"{name} {op} {value}"
        allowed = [label for code, label in domain if TESTS[op](code, value)]
        if len(allowed) == 1:
            return f"{name} == {allowed[0]}"
        return f"{name} in {{{', '.join(allowed)}}}"

    def _domain(self, last: str) -> list[tuple[int, str]] | None:
        if last == "st":
            return [(s.value, s.name.title()) for s in VMStackState]
        if last == "cck":
            return [(k.value, k.name.lower()) for k in CtrlKind]
        if last in LINKS:
            return [(c, str(self.codes.link(c))) for c in self.codes.all]
        if last == "sl":
            stacks = [(k, f"stack of k{k}") for k in range(self.codes.contrefs)]
            return [(-2, "Absent"), (-1, "host stack"), *stacks]
        return None

    def _plain(self, e: z3.ExprRef) -> str:
        return re.sub(r"\bs\.[\w.]+", lambda m: field_name(m.group(0)), str(e))


def _is_variable(e: z3.ExprRef) -> bool:
    return bool(z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED)
