"""Options of a run that change what it keeps, never what happens."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from chainsim.engine.simulation import simulate
from chainsim.scenario import load_scenario
from tests.helpers import tiny

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_a_run_without_its_decision_log_counts_the_same_decisions():
    scenario = tiny()
    full = simulate(scenario, seed=3)
    lean = simulate(scenario, seed=3, decision_log=False)
    assert full.decisions and not lean.decisions
    assert lean.decision_counts == full.decision_counts
    assert lean.events == full.events
    for name, table in full.tables.items():
        pd.testing.assert_frame_equal(lean.tables[name], table)


def test_a_run_without_its_decision_log_never_writes_a_decision_out(monkeypatch):
    """Without the log a decision is counted and its numbers never worked out: a rule's
    `record()` is not called (fails if the journal builds the row it will not keep)."""
    from chainsim.rules import governance

    calls = []
    real = governance.GovernanceDecision.record
    monkeypatch.setattr(governance.GovernanceDecision, "record",
                        lambda self: calls.append(1) or real(self))
    sinos = load_scenario(SCENARIOS / "sinos_valley.toml", ["simulation.horizon_years=2"])
    full = simulate(sinos, seed=3)
    assert calls and full.decision_counts["governance"] > 0
    calls.clear()
    lean = simulate(sinos, seed=3, decision_log=False)
    assert not calls and lean.decision_counts == full.decision_counts


def test_cluster_metrics_computes_only_the_names_asked_for(monkeypatch):
    """What each metric is worth is the goldens' to check (tests/test_golden.py); here:
    asked for two, a run gets those two, with the values of the full set, and the
    metrics not asked for are never worked out."""
    from chainsim.results import summary

    result = simulate(tiny(), seed=3)
    every = summary.cluster_metrics(result, 0)
    asked = {"process_gain", "projects_funded"}

    def not_asked(*args, **kwargs):
        raise AssertionError("lock_in was not asked for")

    monkeypatch.setattr(summary.m, "lock_in", not_asked)
    some = summary.cluster_metrics(result, 0, names=asked)
    assert set(some) == asked
    assert all(some[k] == every[k] for k in asked)
