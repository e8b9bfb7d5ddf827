"""The induction's substituted step agrees with the relation (issue: z3,
"the same transition relation"): a post-store formula broken by some path of
`step_substitution` is broken over `step.relation`, and the path's
store is the relation's post-store."""

from __future__ import annotations

import z3

from contcheck.checker.symbolic.induction import assumptions
from contcheck.checker.symbolic.lemmas import shipped
from contcheck.checker.symbolic.paths import any_of, finite_solver
from contcheck.checker.symbolic.state import all_fields, variables
from contcheck.checker.symbolic.step import Semantics, action_vars, relation, step_paths
from contcheck.checker.symbolic.step_substitution import Successors
from contcheck.model import Bounds, Version

BOUNDS = Bounds(contrefs=1, tags=1, clauses=1, host_depth=2, handles=2)


def test_substituted_post_store_is_the_relations() -> None:
    """For each field of the post-store (spec §3: every instruction's
    effects), the values some path can give it are those the relation
    allows, and a model's path yields the relation's post-store."""
    sem = Semantics(BOUNDS, Version.V48)
    pre, post = variables(BOUNDS, "s"), variables(BOUNDS, "t")
    solver = finite_solver()
    solver.add(*assumptions(sem, shipped(Version.V48), [], pre).values())  # as induction does
    paths = step_paths(pre, action_vars(BOUNDS, "a"), sem, solver)
    steps = Successors(paths, pre)
    step = relation(paths, post)
    fields = [(n, f) for n, f in enumerate(all_fields(post)) if isinstance(f, z3.ArithRef)]
    for n, f in fields:
        for value in (0, 1, 2):
            bad = steps.breaking(f != value, post)
            by_paths = solver.check(bad.formula)
            assert solver.check(any_of([d.formula for d in bad.disjuncts()])) == by_paths
            by_relation = solver.check(step, f == value)
            assert by_paths == by_relation, (f, value)
            if by_paths == z3.sat:
                model = solver.model()
                store = steps.post_in(model, bad.disjuncts())
                assert all_fields(store)[n] == value
