"""The engines, one subpackage each, all over `contcheck.model`'s interface:

- `explicit`: breadth-first search with shortest counterexamples;
- `symbolic`: the per-bound z3 engines (BMC, induction, PDR);
- `unbounded`: induction over any number of contrefs;
- `replay`: runs on greenlet stacks and on the real Wasmtime, campaigns.

Shared by them: `itf` (the trace format) and `z3_interrupts` (Ctrl-C under
z3). `crosscheck` holds two engines, the explicit and the symbolic one.
"""
