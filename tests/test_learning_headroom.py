"""Learning by doing reaches the practice the cluster knows, no further (H&S 4.1).

Firms learn by doing and circulating what they know up to the highest requirements of the
buyers sourcing in their cluster plus `technology.learning_headroom`; beyond it takes
knowledge-changing investment, a buyer's teaching or the technology centre."""

from __future__ import annotations

from chainsim.engine.simulation import simulate
from tests.helpers import tiny


def final_process(**changes) -> float:
    """The lead firm's process capability after ten years of selling at arm's length
    (no teaching, no cash to invest, no spillover, no technology centre; the buyer's
    requirements do not drift)."""
    sc = tiny(simulation__horizon_years=10, technology__learning_by_doing=0.2,
              technology__learning_volume=500.0, buyers__0__requirement_drift=0.0, **changes)
    firms = simulate(sc).tables["firms"]
    lead = firms[firms["lead"]]
    return float(lead[lead["period"] == lead["period"].max()]["process"].iloc[0])


def test_doing_stops_at_the_requirements_plus_the_headroom():
    # requirements 0.4: the practice known in the cluster is 0.6
    assert 0.55 < final_process(technology__learning_headroom=0.2) <= 0.6 + 1e-9


def test_without_the_bound_doing_goes_on_toward_full_capability():
    assert final_process(technology__learning_headroom=1.0) > 0.75


def test_a_buyer_that_asks_more_opens_room_to_learn():
    low = final_process(technology__learning_headroom=0.2)
    high = final_process(technology__learning_headroom=0.2,
                         buyers__0__process_requirement=0.6)
    assert high > low + 0.1
