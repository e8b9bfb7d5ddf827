"""The SMT-LIB a `--lemma` file may hold: `(assert F)` commands and comments,
F a Bool formula over the store's variables (`prove --list-variables`) with
the core and integer operators below, type-checked here and built as z3
terms directly.  z3's own parser is not used: it would also run
`(set-option :timeout 1)`, `(exit)`, `define-fun-rec` and the like, for the
whole run, and coerce a Bool compared with an Int.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import z3

MAX_NESTING = 100  # far past any lemma a person writes; keeps building shallow
MAX_DIGITS = 18
TOKEN = re.compile(r"\s+|;[^\n]*|\(|\)|[^\s();]+")
SYMBOL = re.compile(r"[A-Za-z_.~!@$%^&*+=<>?/-][A-Za-z0-9_.~!@$%^&*+=<>?/-]*")

Sexp = str | list[Any]
BOOL, INT = "Bool", "Int"


class LemmaSyntaxError(ValueError):
    """What in a lemma file was refused (one short line)."""


def parse_assertions(text: str, decls: dict[str, z3.ExprRef]) -> list[z3.BoolRef]:
    """Each `(assert F)` of `text` as a z3 formula over `decls`."""
    formulas = []
    for k, command in enumerate(_sexps(text), start=1):
        if not (isinstance(command, list) and command and command[0] == "assert"):
            refused = _show(command)
            raise LemmaSyntaxError(f"command {k}: only (assert F) is accepted, not {refused}")
        if len(command) != 2:
            raise LemmaSyntaxError(f"command {k}: (assert F) takes one formula")
        term, sort = _term(command[1], decls)
        if sort != BOOL:
            raise LemmaSyntaxError(f"command {k}: asserts an {sort}, not a Bool")
        formulas.append(term)
    if not formulas:
        raise LemmaSyntaxError("no (assert F) command")
    return formulas


def _sexps(text: str) -> list[Sexp]:
    """Top-level s-expressions, read without recursion."""
    stack: list[list[Sexp]] = [[]]
    for match in TOKEN.finditer(text):
        token = match.group()
        if token[0].isspace() or token[0] == ";":
            continue
        if token == "(":
            if len(stack) > MAX_NESTING:
                raise LemmaSyntaxError(f"nested deeper than {MAX_NESTING} levels")
            stack.append([])
        elif token == ")":
            if len(stack) == 1:
                raise LemmaSyntaxError("a ')' with no '(' before it")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(token)
    if len(stack) > 1:
        raise LemmaSyntaxError("a '(' is not closed")
    return stack[0]


def _show(sexp: Sexp) -> str:
    if isinstance(sexp, str):
        return repr(sexp[:30])
    head = sexp[0] if sexp and isinstance(sexp[0], str) else ""
    return f"({head[:30]}{' ...' if len(sexp) > 1 else ''})"


def _term(sexp: Sexp, decls: dict[str, z3.ExprRef]) -> tuple[Any, str]:
    if isinstance(sexp, str):
        return _atom(sexp, decls)
    if not sexp or not isinstance(sexp[0], str):
        raise LemmaSyntaxError(f"not a formula: {_show(sexp)}")
    op, args = sexp[0], [_term(a, decls) for a in sexp[1:]]
    if op == "ite":
        return _ite(args)
    if op in ("=", "distinct"):
        return _equality(op, args)
    if op not in OPERATORS:
        raise LemmaSyntaxError(f"unknown or refused operator {op[:30]!r}")
    arg_sort, result, least, build = OPERATORS[op]
    if len(args) < least:
        raise LemmaSyntaxError(f"{op!r} needs at least {least} argument(s)")
    for _, sort in args:
        if sort != arg_sort:
            raise LemmaSyntaxError(f"{op!r} takes {arg_sort} arguments, given an {sort}")
    return build([t for t, _ in args]), result


def _atom(token: str, decls: dict[str, z3.ExprRef]) -> tuple[Any, str]:
    if token in ("true", "false"):
        return z3.BoolVal(token == "true"), BOOL
    if token.isdigit():
        if len(token) > MAX_DIGITS:
            raise LemmaSyntaxError(f"a numeral of {len(token)} digits (at most {MAX_DIGITS})")
        return z3.IntVal(int(token)), INT
    if token in decls:
        var = decls[token]
        return var, BOOL if z3.is_bool(var) else INT
    if not SYMBOL.fullmatch(token):
        raise LemmaSyntaxError(f"not SMT-LIB: {token[:30]!r}")
    raise LemmaSyntaxError(f"unknown variable {token[:30]!r} (see prove --list-variables)")


def _ite(args: list[tuple[Any, str]]) -> tuple[Any, str]:
    if len(args) != 3 or args[0][1] != BOOL or args[1][1] != args[2][1]:
        raise LemmaSyntaxError("'ite' takes a Bool and two arguments of one sort")
    return z3.If(args[0][0], args[1][0], args[2][0]), args[1][1]


def _equality(op: str, args: list[tuple[Any, str]]) -> tuple[Any, str]:
    if len(args) < 2:
        raise LemmaSyntaxError(f"{op!r} needs at least 2 arguments")
    if len({sort for _, sort in args}) > 1:
        raise LemmaSyntaxError(f"{op!r} compares a Bool with an Int")
    terms = [t for t, _ in args]
    if op == "distinct":
        return z3.Distinct(*terms), BOOL
    return z3.And(*(a == b for a, b in zip(terms, terms[1:], strict=False))), BOOL


def _chain(compare: Callable[[Any, Any], Any]) -> Callable[[list[Any]], Any]:
    return lambda ts: z3.And(*(compare(a, b) for a, b in zip(ts, ts[1:], strict=False)))


def _implies(ts: list[Any]) -> Any:
    out = ts[-1]
    for t in reversed(ts[:-1]):  # right-associative, as SMT-LIB says
        out = z3.Implies(t, out)
    return out


def _minus(ts: list[Any]) -> Any:
    if len(ts) == 1:
        return -ts[0]
    out = ts[0]
    for t in ts[1:]:
        out = out - t
    return out


def _product(ts: list[Any]) -> Any:
    out = ts[0]
    for t in ts[1:]:
        out = out * t
    return out


# operator: (argument sort, result sort, fewest arguments, builder)
OPERATORS: dict[str, tuple[str, str, int, Callable[[list[Any]], Any]]] = {
    "not": (BOOL, BOOL, 1, lambda ts: z3.Not(ts[0]) if len(ts) == 1 else _arity("not")),
    "and": (BOOL, BOOL, 1, lambda ts: z3.And(*ts)),
    "or": (BOOL, BOOL, 1, lambda ts: z3.Or(*ts)),
    "xor": (BOOL, BOOL, 2, lambda ts: z3.Xor(ts[0], ts[1]) if len(ts) == 2 else _arity("xor")),
    "=>": (BOOL, BOOL, 2, _implies),
    "<": (INT, BOOL, 2, _chain(lambda a, b: a < b)),
    "<=": (INT, BOOL, 2, _chain(lambda a, b: a <= b)),
    ">": (INT, BOOL, 2, _chain(lambda a, b: a > b)),
    ">=": (INT, BOOL, 2, _chain(lambda a, b: a >= b)),
    "+": (INT, INT, 1, lambda ts: z3.Sum(*ts)),
    "-": (INT, INT, 1, _minus),
    "*": (INT, INT, 2, _product),
}


def _arity(op: str) -> Any:
    raise LemmaSyntaxError(f"{op!r} takes {1 if op == 'not' else 2} argument(s)")
