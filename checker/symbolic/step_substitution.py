"""One step as substitutions: a formula over the post-store, per path.

The relation (`step.relation`) names the post-store with fresh
variables tied to each path's result by equalities inside a disjunction of
thousands of paths, which z3 must search through.  Substituting each path's
post-store into the formula instead leaves one disjunct per path over the
pre-store alone, which z3 decides far faster at the default bounds (I15's
consecution: 432 s with the relation, 48 s substituted, the rewriting included).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from .paths import Explored, any_of, ast_array
from .state import Store, all_fields, evaluate
from .step import StepResult


@dataclass
class Disjunct:
    path: int  # index into `Successors.paths`
    formula: z3.BoolRef


@dataclass
class Bad:
    """The paths that break something: their disjunction, to ask z3, and
    the disjuncts one by one, to find which path a model takes."""

    formula: z3.BoolRef
    disjuncts: Callable[[], list[Disjunct]]


class Successors:
    """Every path of one step from `pre`, ready to rewrite formulas over a
    store's variables (`pre`'s own, or another store's of the same bounds)
    into formulas over the path's post-store."""

    def __init__(self, paths: list[Explored[StepResult]], pre: Store) -> None:
        self.paths = paths
        self.ctx = z3.main_ctx()
        fields = all_fields(pre)
        self.kept = [i for i, v in enumerate(fields) if not isinstance(v, int | bool)]
        sorts = [fields[i].sort() for i in self.kept]  # type: ignore[union-attr]
        # The arrays hold raw pointers: the terms stay referenced beside them.
        self._terms = [self._post_terms(x.result.post, sorts) for x in paths]
        self.targets = [ast_array(terms) for terms in self._terms]
        # Every path's disjunct at once, with the formula left open: `post`
        # applied to the path's post-store, for `breaking` to define.
        self._post = z3.Function("post-store", *sorts, z3.BoolSort())
        self._arguments = [z3.Var(i, sort) for i, sort in enumerate(sorts)]
        self._template = any_of(
            [z3.And(x.condition, z3.Not(self._applied(k))) for k, x in enumerate(paths)]
        )

    def breaking(self, formula: z3.BoolRef, over: Store) -> Bad:
        """The paths whose post-store breaks `formula` (over `over`'s
        variables), built by z3 in one substitution."""
        body = self._substituted(formula, over, ast_array(self._arguments))
        decls = (z3.FuncDecl * 1)(self._post.as_func_decl())
        bodies = ast_array([body])
        ast = z3.Z3_substitute_funs(self.ctx.ref(), self._template.as_ast(), 1, decls, bodies)
        return Bad(z3.BoolRef(ast, self.ctx), lambda: self.broken(formula, over))

    def after(self, formula: z3.BoolRef, over: Store) -> list[z3.BoolRef]:
        """`formula` (over `over`'s variables) in each path's post-store."""
        return [self._substituted(formula, over, to) for to in self.targets]

    def _substituted(self, formula: z3.BoolRef, over: Store, to: ctypes.Array[Any]) -> z3.BoolRef:
        fields = all_fields(over)
        variables = [fields[i] for i in self.kept]  # referenced while `sources` is used
        sources, n = ast_array(variables), len(self.kept)
        ast = z3.Z3_substitute(self.ctx.ref(), formula.as_ast(), n, sources, to)
        return z3.BoolRef(ast, self.ctx)

    def _applied(self, path: int) -> z3.BoolRef:
        decl, n = self._post.as_func_decl(), len(self.kept)
        return z3.BoolRef(z3.Z3_mk_app(self.ctx.ref(), decl, n, self.targets[path]), self.ctx)

    def broken(self, formula: z3.BoolRef, over: Store) -> list[Disjunct]:
        """Per path: it is taken and its post-store breaks `formula`."""
        return [
            Disjunct(i, z3.And(x.condition, z3.Not(f)))
            for i, (x, f) in enumerate(zip(self.paths, self.after(formula, over), strict=True))
        ]

    def post_in(self, model: z3.ModelRef, disjuncts: list[Disjunct]) -> Store:
        """The post-store of a path a model of `any_of(disjuncts)` takes."""
        for d in disjuncts:
            if z3.is_true(model.eval(d.formula, model_completion=True)):
                return evaluate(self.paths[d.path].result.post, model)
        raise ValueError("the model satisfies no disjunct")

    def _post_terms(self, store: Store, sorts: list[z3.SortRef]) -> list[z3.ExprRef]:
        fields = all_fields(store)
        return [_term(fields[i], s) for i, s in zip(self.kept, sorts, strict=True)]


def _term(v: z3.ExprRef | int | bool, sort: z3.SortRef) -> z3.ExprRef:
    if not isinstance(v, int | bool):
        return v
    return z3.BoolVal(bool(v)) if sort == z3.BoolSort() else z3.IntVal(int(v))
