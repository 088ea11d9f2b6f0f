"""Options of a run that change what it keeps, never what happens."""

from __future__ import annotations

import pandas as pd

from chainsim.engine.simulation import simulate
from tests.helpers import tiny


def test_a_run_without_its_decision_log_counts_the_same_decisions():
    scenario = tiny()
    full = simulate(scenario, seed=3)
    lean = simulate(scenario, seed=3, decision_log=False)
    assert full.decisions and not lean.decisions
    assert lean.decision_counts == full.decision_counts
    assert lean.events == full.events
    for name, table in full.tables.items():
        pd.testing.assert_frame_equal(lean.tables[name], table)
