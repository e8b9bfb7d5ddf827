"""Proofs for any number of contrefs (issue z3, "Beyond a fixed number of
continuations"): the v48 chain-shape invariants of spec §4 over an
uninterpreted sort of stacks."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import z3

from contcheck import main
from contcheck.checker import z3_unbounded
from contcheck.checker.unbounded_abstraction import agree
from contcheck.checker.unbounded_model import STEPS, Step, Store, at, resume
from contcheck.checker.unbounded_properties import SUSPENDED, Claim, x
from contcheck.checker.z3_unbounded import claims, prove_unbounded
from contcheck.model import Bounds, ContinuationModel, Version


def test_chain_invariants_are_proved_for_any_size() -> None:
    """§4 I1, I2, I3, I4, I6, I11, I14, I16, I17 and the lemmas are inductive
    for every number of stacks under every v48 step of §3."""
    rows = prove_unbounded(claims(None))
    assert {r.prop: r.status for r in rows} == {c.id: "proved" for c in claims(None)}


def test_a_resume_that_keeps_its_handle_breaks_linearity(monkeypatch: pytest.MonkeyPatch) -> None:
    """§3.3 step 3 (revision bump) removed: the resumed contref still has a
    current handle while Running, so I11 is not inductive, over `resume`."""

    def keeps_handle(s: Store, c: z3.ExprRef, clauses: z3.BoolRef) -> tuple[z3.BoolRef, Store]:
        guard, post = resume(s, c, clauses)
        return guard, replace(post, current=at(post.current, c, True))

    broken = tuple(Step(s.name, s.params, keeps_handle) if s.name == "resume" else s for s in STEPS)
    monkeypatch.setattr(z3_unbounded, "STEPS", broken)
    rows = {r.prop: r for r in prove_unbounded(claims(["I11"]))}
    assert rows["I11"].status == "not inductive"
    assert rows["I11"].step == "resume"
    assert any("current_handle=True" in line for line in rows["I11"].cti)


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


def test_prove_unbounded_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`prove --engine unbounded --property I3 I13`: I3 (§4) proved for any
    size, I13 named as proved per bound only; JSON has the explicit check."""
    doc = tmp_path / "u.json"
    code = main(["prove", "--engine", "unbounded", "--property", "I3", "I13", "--json", str(doc)])
    assert code == 0
    out = capsys.readouterr().out
    assert "proved per bound only: I13" in out
    data = json.loads(doc.read_text())
    assert {r["id"]: r["status"] for r in data["properties"]}["I3"] == "proved"
    assert data["violated_on_explicit_states"] == [] and data["explicit_states_checked"] == 300
