"""The z3 engines (issue: z3): bounded model checking, induction with CTIs,
PDR, and the cross-check with the explicit checker."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from interrupting import ctrl_c_at_first_progress

from contcheck import main
from contcheck.checker.crosscheck import crosscheck
from contcheck.checker.explicit.tracefile import verify_trace
from contcheck.checker.itf import read_trace
from contcheck.checker.symbolic import step as symbolic_step
from contcheck.checker.symbolic.bmc import bmc
from contcheck.checker.symbolic.induction import induction
from contcheck.checker.symbolic.lemmas import shipped
from contcheck.checker.symbolic.pdr import pdr
from contcheck.checker.symbolic.properties import STATE_PREDICATES, View
from contcheck.checker.symbolic.step import Semantics
from contcheck.checker.symbolic.traces import replay, write_z3_trace
from contcheck.model import Bounds, ContinuationModel, Kind, Version
from contcheck.properties import Property, by_id

TINY = Bounds(contrefs=1, tags=1, clauses=1, host_depth=1, handles=2)
NESTED = Bounds(contrefs=1, tags=1, clauses=1, host_depth=2, handles=1)


@pytest.mark.parametrize("version", [Version.V44, Version.V48])
def test_crosscheck_agrees(version: Version) -> None:
    """Issue z3, cross-check: states within d steps, violated properties and
    shortest lengths agree; every counterexample crosses over (spec §3, §4)."""
    model = ContinuationModel(version, TINY)
    result = crosscheck(model, by_id(None, version), 4, lambda _: None)
    assert result.agree, result.first_difference
    assert result.explicit.counts == result.symbolic.counts
    assert result.explicit.counts[-1] > 20
    assert all(not problem for _, problem in result.trace_checks)
    violated = {r.prop for r in result.properties if r.symbolic is not None}
    assert violated == ({"S0", "S1", "S2", "S5"} if version == Version.V44 else {"S0", "S5"})


def test_broken_encoding_fails_the_crosscheck(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue z3: an encoding whose handle.drop does nothing must part from the
    explicit model (§2.6: dropping a handle removes it)."""
    monkeypatch.setitem(symbolic_step._EXECUTE, Kind.HANDLE_DROP, lambda ins: None)
    model = ContinuationModel(Version.V48, TINY)
    result = crosscheck(model, by_id(["I1"], Version.V48), 3, lambda _: None)
    assert not result.agree
    assert "only z3 reaches" in result.first_difference or "only the explicit" in (
        result.first_difference
    )


def test_bmc_finds_the_v44_trap_return_at_depth_3(tmp_path: Path) -> None:
    """§3.8 and #13028: on v44 a trap in a continuation reaches its resumer as
    a return; z3's shortest run has 3 steps and passes `trace check`."""
    sem = Semantics(TINY, Version.V44)
    result = bmc(sem, by_id(["S1"], Version.V44), 4)
    finding = result.findings["S1"]
    assert finding.depth == 3
    model = ContinuationModel(Version.V44, TINY)
    rep = replay(model, finding.run)
    assert rep.departure == ""
    path = tmp_path / "s1.itf.json"
    assert "reached its resumer as a return" in write_z3_trace(model, "S1", rep, path)
    assert verify_trace(read_trace(path)).ok


def test_bmc_finds_the_v44_dangling_chain_at_depth_2() -> None:
    """§3.9 and #13322: a host call that returns leaves the v44 store chain
    dangling after 2 steps; v48 restores it (S3 holds to depth 3)."""
    found = bmc(Semantics(NESTED, Version.V44), by_id(["S3"], Version.V44), 3).findings
    assert found["S3"].depth == 2
    assert "S3" not in bmc(Semantics(NESTED, Version.V48), by_id(["S3"], Version.V48), 3).findings


def test_induction_proves_every_v48_property_that_holds() -> None:
    """Issue z3, induction: with the shipped lemmas every v48 property but the
    GC panic (S0, S5: #14239) is inductive relative to the others (§4)."""
    sem = Semantics(TINY, Version.V48)
    rows = induction(sem, by_id(None, Version.V48), shipped(Version.V48))
    status = {r.prop: r.status for r in rows}
    assert {p for p, s in status.items() if s != "proved"} == {"S0", "S5"}
    assert {"W", "L1", "L2", "L3", "L4"} <= set(status)
    gc = next(r for r in rows if r.prop == "S5").cti
    assert gc is not None and gc.action.kind == Kind.GC


def test_a_broken_property_gets_a_counterexample_to_induction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue z3: 'no contref is ever allocated' holds initially but not after
    cont.new (§3.1); the CTI names that step and shows the new contref."""

    def no_contrefs(v: View) -> bool:
        return v.ncont > 0

    monkeypatch.setitem(STATE_PREDICATES, "X1", no_contrefs)
    fake = Property("X1", "no contref exists", "test", lambda s, v: None)
    sem = Semantics(TINY, Version.V48)
    (row,) = [r for r in induction(sem, [fake], shipped(Version.V48)) if r.prop == "X1"]
    assert row.status == "not inductive"
    assert row.cti is not None
    assert row.cti.action.kind == Kind.CONT_NEW
    assert not row.cti.pre.continuations and len(row.cti.post.continuations) == 1


def test_pdr_proves_i13_and_refutes_the_gc_panic() -> None:
    """Issue z3, PDR: Spacer finds an invariant for I13 (§4 I13: no unconsumed
    values in a Fresh, Running or Parent contref) and derives S0's fault."""
    sem = Semantics(TINY, Version.V48)
    rows = pdr(sem, by_id(["I13", "S0"], Version.V48), shipped(Version.V48))
    status = {r.prop: r for r in rows}
    assert status["I13"].status == "proved" and "k0.values_len" in status["I13"].invariant
    assert "s.k0" not in status["I13"].invariant  # the model's names, not z3's
    assert status["S0"].status == "violated"


def test_pdr_interrupted_keeps_what_it_decided(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C during Spacer's second property keeps the first verdict
    (§4 I3 or I13, both proved) and leaves only the undecided ones unknown."""
    # The package's `pdr` is the function, so the module comes from sys.modules.
    pdr_module = sys.modules["contcheck.checker.symbolic.pdr"]
    original, calls = pdr_module._one, []

    def interrupted_second(*args: Any) -> Any:
        calls.append(args[1])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(pdr_module, "_one", interrupted_second)
    sem = Semantics(TINY, Version.V48)
    rows = pdr(sem, by_id(["I13", "I3", "S0"], Version.V48), shipped(Version.V48))
    status = {r.prop: (r.status, r.reason) for r in rows}
    first, *rest = [p.id for p in by_id(["I13", "I3", "S0"], Version.V48)]
    assert calls[0] == first and status[first][0] == "proved"
    assert [status[i] for i in rest] == [("unknown", "interrupted")] * 2


ONE = ["--contrefs", "1", "--tags", "1", "--clauses", "1", "--host-depth", "1", "--handles", "2"]


def test_prove_bmc_command_writes_checkable_traces(tmp_path: Path) -> None:
    """Issue z3, `prove --engine bmc`: exit 1 on v44 (§3.8 S1), each violation
    an ITF trace that `trace check` accepts; JSON names the depths."""
    doc = tmp_path / "bmc.json"
    argv = ["prove", "--engine", "bmc", "--semantics", "v44", *ONE, "--depth", "3"]
    code = main([*argv, "--trace-dir", str(tmp_path), "--json", str(doc)])
    assert code == 1
    rows = {r["id"]: r for r in json.loads(doc.read_text())["properties"]}
    assert rows["S1"]["depth"] == 3 and rows["I3"]["status"] == "no violation up to depth 3"
    assert main(["trace", "check", rows["S1"]["trace"]]) == 0


def test_prove_and_crosscheck_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue z3: induction of one property that holds exits 0; the cross-check
    agrees (exit 0); a lemma file that is not SMT-LIB is one error line, exit 2."""
    assert main(["prove", *ONE, "--property", "I13"]) == 0
    assert main(["crosscheck", *ONE, "--depth", "2", "--property", "S1"]) == 0
    assert "the engines agree" in capsys.readouterr().out
    bad = tmp_path / "lemma.smt2"
    bad.write_text("(assert (<= no.such.variable 2))")
    with pytest.raises(SystemExit) as stop:
        main(["prove", *ONE, "--lemma", str(bad)])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "lemma.smt2" in err[0]


def test_user_lemma_is_proved_or_refuted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue z3, `--lemma`: a true lemma is proved; a false one ('args never
    exceed 1', broken by resume's STORE_PAYLOADS of two values, §3.3) fails."""
    lemma = tmp_path / "args.smt2"
    lemma.write_text("(assert (<= s.k0.args 2))\n(assert (<= s.k0.args 1))\n")
    assert main(["prove", *ONE, "--lemma", str(lemma), "--property", "I13"]) == 1
    out = capsys.readouterr().out
    assert "args.smt2#1 proved" in " ".join(out.split())
    assert "args.smt2#2 not inductive" in " ".join(out.split())


def test_ctrl_c_stops_an_induction_proof(tmp_path: Path) -> None:
    """The brief's long runs stop cleanly: a Ctrl-C cancels the running z3
    check, and the per-bound induction takes it as the user stopping: every
    property not decided is `unknown (interrupted)`, exit 3, no traceback,
    well before the run would end (and no hang: z3's own handler, which can
    deadlock, is off)."""
    code, out, err = ctrl_c_at_first_progress(tmp_path, ["prove"])  # the defaults: minutes
    assert code == 3 and "Traceback" not in err
    assert "I1    unknown" in out and "interrupted" in out


def test_bmc_reports_only_what_the_model_reproduces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """README "Standards": "violated" means a counterexample.  A z3 run whose
    replay on the explicit model departs from it (here its first step's store
    is tampered with, as a cancelled z3 context once left a property over
    unconstrained variables) is named as contcheck's defect, exit 3, no trace."""
    import contcheck.prove as prove_cli

    def tampered(*args: Any) -> Any:
        result = bmc(*args)
        run = result.findings["S1"].run
        run.stores[1] = run.stores[0]
        return result

    monkeypatch.setattr(prove_cli, "bmc", tampered)
    argv = ["prove", "--engine", "bmc", "--semantics", "v44", *ONE, "--depth", "3"]
    code = main([*argv, "--property", "S1", "--trace-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 3, out
    assert "S1    z3's run not reproduced by the model (step 1:" in out
    assert "violated" not in out and not list(tmp_path.rglob("*.itf.json"))
