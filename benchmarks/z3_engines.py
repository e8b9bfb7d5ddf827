"""z3 engine benchmark (on demand, not in CI).

Times: the proofs for any number of contrefs; then, per bound size, the
induction proof of every v48 property (the whole run and each consecution
query, checked two at a time), bounded model checking of v44 per depth to
the depth of its longest counterexample (4), and the cross-check.  Usage:
python benchmarks/z3_engines.py [--sizes tiny,small,...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from contcheck.checker.crosscheck import crosscheck
from contcheck.checker.symbolic import Semantics, bmc, induction, shipped
from contcheck.checker.unbounded import claims, prove_unbounded
from contcheck.model import Bounds, ContinuationModel, Version
from contcheck.properties import by_id

SIZES = {
    "tiny": Bounds(contrefs=1, tags=1, clauses=1, host_depth=1, handles=2),
    "small": Bounds(contrefs=2, tags=1, clauses=1, host_depth=1, handles=2),
    "nested": Bounds(contrefs=2, tags=1, clauses=1, host_depth=2, handles=2),
    "default": Bounds(),
}


def measure(name: str, bounds: Bounds) -> dict[str, Any]:
    v48, v44 = Version.V48, Version.V44
    start = time.perf_counter()
    rows = induction(Semantics(bounds, v48), by_id(None, v48), shipped(v48))
    proof = time.perf_counter() - start
    found = bmc(Semantics(bounds, v44), by_id(None, v44), 4)
    out: dict[str, Any] = {
        "size": name,
        "bounds": bounds.as_dict(),
        "induction_seconds": round(proof, 2),
        "not_proved": sorted(r.prop for r in rows if r.status != "proved"),
        "slowest_query_seconds": round(max(r.seconds for r in rows), 3),
        "query_seconds": {r.prop: round(r.seconds, 2) for r in rows},
        "bmc_v44_seconds_per_depth": [round(s, 2) for s in found.seconds_per_depth],
        "bmc_v44_shortest": {p: f.depth for p, f in sorted(found.findings.items())},
    }
    if bounds.contrefs <= 2:
        start = time.perf_counter()
        cc = crosscheck(ContinuationModel(v48, bounds), by_id(None, v48), 4, lambda _: None)
        out["crosscheck_v48_depth4_seconds"] = round(time.perf_counter() - start, 2)
        out["crosscheck_agree"] = cc.agree
    return out


def measure_unbounded() -> dict[str, Any]:
    """The any-size proofs (v48): total and the slowest claim."""
    start = time.perf_counter()
    rows = prove_unbounded(claims(None))
    return {
        "size": "any number of contrefs",
        "unbounded_seconds": round(time.perf_counter() - start, 2),
        "not_proved": sorted(r.prop for r in rows if r.status != "proved"),
        "slowest_claim_seconds": round(max(r.seconds for r in rows), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="tiny,small,nested")
    parser.add_argument("--json")
    args = parser.parse_args()
    results = [measure_unbounded()]
    print(json.dumps(results[-1]), flush=True)
    for name in args.sizes.split(","):
        results.append(measure(name, SIZES[name]))
        print(json.dumps(results[-1]), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
