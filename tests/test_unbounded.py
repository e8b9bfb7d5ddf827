"""Proofs for any number of contrefs (issue z3, "Beyond a fixed number of
continuations"): the v48 chain-shape, control-context and buffer invariants
of spec §4 over an uninterpreted sort of stacks."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import z3

from contcheck import main
from contcheck.checker.unbounded import induction as unbounded_induction
from contcheck.checker.unbounded import model as unbounded_model
from contcheck.checker.unbounded.abstraction import agree
from contcheck.checker.unbounded.induction import claims, prove_unbounded
from contcheck.checker.unbounded.model import (
    STEPS,
    Step,
    Store,
    at,
    resume,
    returns,
    set_cc,
    store_variables,
    switch,
)
from contcheck.checker.unbounded.properties import SUSPENDED, Claim, i15, x
from contcheck.checker.unbounded.small_stores import small_cti
from contcheck.model import Bounds, ContinuationModel, Version


def test_invariants_are_proved_for_any_size() -> None:
    """§4 I1-I4, I6-I9, I11, I13-I18, I23, I25 and the lemmas are inductive
    for every number of stacks under every v48 step of §3."""
    assert fresh_process_statuses() == {c.id: "proved" for c in claims(None)}


def fresh_process_statuses() -> dict[str, str]:
    """The unbounded proof's statuses, run in a new process: z3's resource
    limit makes a verdict independent of load, but not of the terms an
    earlier test left in the process's z3 context (they change the search),
    so the proof runs as `contcheck prove` runs it, from a fresh start."""
    code = (
        "import json; from contcheck.checker.unbounded.induction import claims, prove_unbounded; "
        "print(json.dumps({r.prop: r.status for r in prove_unbounded(claims(None))}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    statuses: dict[str, str] = json.loads(done.stdout.splitlines()[-1])
    return statuses


def test_a_resume_that_keeps_its_handle_breaks_linearity(monkeypatch: pytest.MonkeyPatch) -> None:
    """§3.3 step 3 (revision bump) removed: the resumed contref still has a
    current handle while Running, so I11 is not inductive, over `resume`."""

    def keeps_handle(s: Store, c: z3.ExprRef, *ops: z3.BoolRef) -> tuple[z3.BoolRef, Store]:
        guard, post = resume(s, c, *ops)
        return guard, replace(post, current=at(post.current, c, True))

    _break(monkeypatch, "resume", keeps_handle)
    rows = {r.prop: r for r in prove_unbounded(claims(["I11"]))}
    assert rows["I11"].status == "not inductive"
    assert rows["I11"].step == "resume"
    assert any("current_handle=True" in line for line in rows["I11"].cti)


def test_a_switch_that_keeps_the_switchee_context_breaks_i15(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """§3.5 step 14 without its first copy (w's last ancestor keeps its own
    control context, not L's resume point in Hs): I15 is not inductive, over
    `switch`."""

    def keeps_context(s: Store, w: z3.ExprRef, *ops: z3.ExprRef) -> tuple[z3.BoolRef, Store]:
        guard, post = switch(s, w, *ops)
        wl = s.last_ancestor(w)
        return guard, set_cc(post, wl, s.cc(wl), s.cc_at(wl))

    _break(monkeypatch, "switch", keeps_context)
    rows = {r.prop: r for r in prove_unbounded(claims(["I15"]))}
    assert rows["I15"].status == "not inductive"
    assert rows["I15"].step == "switch"
    assert any("cc=" in line for line in rows["I15"].cti)


def test_a_return_that_keeps_its_results_breaks_i25(monkeypatch: pytest.MonkeyPatch) -> None:
    """§3.3 Return branch without the clear of `H.args`: a Returned contref
    keeps its results, so I25 is not inductive, over `return`; I13 (values)
    still is."""

    def keeps_results(s: Store) -> tuple[z3.BoolRef, Store]:
        guard, post = returns(s)
        return guard, replace(post, args=at(post.args, s.head, True))

    _break(monkeypatch, "return", keeps_results)
    rows = {r.prop: r for r in prove_unbounded(claims(["I13", "I25"]))}
    assert rows["I25"].status == "not inductive" and rows["I25"].step == "return"
    assert rows["I13"].status == "proved"


def test_the_v44_restore_breaks_i23(monkeypatch: pytest.MonkeyPatch) -> None:
    """§3.0 RESTORE_LIMITS as in v44 (stack_limit and entry fp only, §5.1
    #13298): the live entry sp and trap handler stay the resumer's, so I23
    is not inductive, over `resume`; I7 still is."""

    def v44_restore(s: Store, x: z3.ExprRef) -> Store:
        return replace(s, live=(s.limit(x), s.fp(x), *s.live[2:]))

    monkeypatch.setattr(unbounded_model, "restore_limits", v44_restore)
    rows = {r.prop: r for r in prove_unbounded(claims(["I7", "I23"]))}
    assert rows["I23"].status == "not inductive" and rows["I23"].step == "resume"
    assert rows["I7"].status == "proved"
    assert any(line.strip().startswith("live limits") for line in rows["I23"].cti)


def _break(monkeypatch: pytest.MonkeyPatch, name: str, effect: object) -> None:
    broken = tuple(Step(s.name, s.params, effect) if s.name == name else s for s in STEPS)  # type: ignore[arg-type]
    monkeypatch.setattr(unbounded_induction, "STEPS", broken)


def test_explicit_states_satisfy_the_encoding_and_enable_every_step() -> None:
    """The abstraction agrees with the explicit model: its reachable v48
    states satisfy every lemma and property, every abstract step is enabled
    in one of them; a false claim ('nothing is ever Suspended', §3.4) is
    caught there."""
    model = ContinuationModel(Version.V48, Bounds(contrefs=2, host_depth=1, handles=2))
    never = Claim("X", "no stack is Suspended", lambda s: z3.ForAll([x], s.state(x) != SUSPENDED))
    result = agree(model, [*claims(None), never], 120)
    assert result.states == 120
    assert {claim for claim, _ in result.violations} == {"X"}
    assert all(count > 0 for count in result.enabled.values()), result.enabled


def test_unbounded_engine_refuses_v44(capsys: pytest.CaptureFixture[str]) -> None:
    """The encoding is of v48 (§3.8 trap bubbling); v44 is one error line."""
    with pytest.raises(SystemExit) as stop:
        main(["prove", "--engine", "unbounded", "--semantics", "v44"])
    assert stop.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_prove_unbounded_command(tmp_path: Path) -> None:
    """`prove --engine unbounded --property I3 S3 S0`: I3 (§4) proved for any
    size; S3, which has no any-size form, is named as not stated over any
    size (never as proved); S0, which the explicit v48 model violates (the GC
    panic, #14239), is named violated and the run exits 1, not 0; JSON has
    the explicit check."""
    doc = tmp_path / "u.json"
    argv = ["prove", "--engine", "unbounded", "--property", "I3", "S3", "S0", "--json", str(doc)]
    done = subprocess.run(  # a fresh process, as fresh_process_statuses says why
        [sys.executable, "-m", "contcheck", *argv], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "not stated over any size (prove them per bound: --engine induction): S3" in out
    assert "violated by the explicit v48 model" in out and "S0 (4 steps)" in out
    data = json.loads(doc.read_text())
    assert {r["id"]: r["status"] for r in data["properties"]}["I3"] == "proved"
    assert data["not_stated_over_any_size"] == ["S3"]
    assert data["violated_by_explicit_model"] == {"S0": 4}
    assert data["violated_on_explicit_states"] == [] and data["explicit_states_checked"] == 300


def test_small_store_search_finds_the_smallest_cti_and_nothing_for_a_true_claim() -> None:
    """Counterexamples among small stores (quantifiers expanded over Absent,
    init, k0...): a switch that keeps the switchee's context (§3.5 step 14
    broken) breaks I15 on a store of four stacks (one contref running, one
    Fresh); I15 over the real switch has no counterexample of up to seven."""
    pre = store_variables("s")
    given = [c.holds(pre) for c in claims(None) if not c.transition]
    real = next(s for s in STEPS if s.name == "switch")
    args, guard, post = real.apply(pre, "a")
    wl = pre.last_ancestor(args[0])
    broken = set_cc(post, wl, pre.cc(wl), pre.cc_at(wl))
    for store, expected in ((broken, 4), (post, None)):
        bad = z3.Not(i15(store))
        found = small_cti(given, guard, bad, pre, args, 40_000_000)
        assert (len(found[1]) if found else None) == expected
