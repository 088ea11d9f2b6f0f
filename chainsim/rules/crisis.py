"""A firm's answer to a crisis: investment that answers price pressure, and lead firms'
help to their spokes.

H&S 4.2: when Chinese producers undercut Brazil, "the Brazilian producers were faced with
sharply declining prices ... The upgrading imperative was clear"; "By reorganising their
factories and local supply chains they were able to offer their buyers a fast and
flexible response". H&S 2.1: in the four crisis studies "vertical co-operation (between
manufacturers and suppliers) was much more pronounced than horizontal co-operation. This
increase in vertical co-operation was spearheaded by some of the larger local
manufactures". H&S 4.5: strategic intent, "the willingness to make the required intra-
and inter-firm investment".

Pressure is what the firm sees of the crisis: the fall of its agreed prices against its
memory of them and the share of its buyers' orders it lost. Under pressure a step in
process or product capability is worth more than the labour it saves: it defends the
sales the firm would otherwise lose (the buyer moves orders elsewhere when the price it
offers falls below the firm's cost), and the firm's intent to upgrade rises. The
investment rule (rules/investment.py) adds `defence_value` to the values of process and
product and weighs them with the raised intent.

Every function works on numbers and on numpy columns alike (one value per firm), so a
cluster computes its firms' pressure and responses at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# Choices: a 20% price fall, or a third of the orders lost, is full pressure; under full
# pressure half of the firm's sales are at stake; strategic intent rises by up to 0.3.
FULL_PRICE_FALL = 0.2
FULL_SHARE_LOSS = 0.33
AT_RISK = 0.5
INTENT_GAIN = 0.3
# A choice: the firm remembers its prices and shares over about three years (the weight
# of a new year in the memory is a third).
MEMORY_YEARS = 3.0


def remember(memory: np.ndarray, now: np.ndarray, years: float = 1.0,
             memory_years: float = MEMORY_YEARS) -> np.ndarray:
    """The memory after another `years`: an exponential average that moves a
    `years / memory_years` part of the way to now (all of it where nothing was seen yet,
    NaN; unchanged where nothing is seen now)."""
    weight = min(1.0, years / memory_years)
    out = np.where(np.isnan(memory), now, memory + weight * (now - memory))
    return np.where(np.isnan(now), memory, out)


def pressure(price_now: Any, price_before: Any, share_now: Any, share_before: Any) -> Any:
    """0-1: the larger of the price fall and the order loss, each scaled to full; none
    where the firm has no memory or no sales yet."""
    fall = 1.0 - _ratio(price_now, price_before)
    lost = 1.0 - _ratio(share_now, share_before)
    p = np.maximum(fall / FULL_PRICE_FALL, lost / FULL_SHARE_LOSS)
    # Rounding in sums of shares is no crisis.
    return np.where(p < 1e-9, 0.0, np.clip(p, 0.0, 1.0))


def _ratio(now: Any, before: Any) -> np.ndarray:
    """now / before where both are numbers and before is positive, else 1 (no change)."""
    now, before = np.asarray(now, dtype=float), np.asarray(before, dtype=float)
    seen = (before > 0.0) & np.isfinite(now)
    return np.divide(now, before, out=np.ones(np.broadcast(now, before).shape), where=seen)


@dataclass(frozen=True, slots=True)
class PressureView:
    """What a firm (or a column of firms) sees of a crisis and of its chances."""

    pressure: Any  # 0-1, from `pressure`
    annual_revenue: Any
    margin: float  # the firm's margin on sales (Technology.supplier_margin)
    cost_gap: Any  # how far the firm's price floor lies above the lowest offer, per unit
    saving_per_step: Any  # what one process step takes off the price floor, per unit
    strategic_intent: Any


@dataclass(frozen=True, slots=True)
class CrisisResponse:
    """The investment response the pressure calls for."""

    defence_value: Any  # yearly value of the sales one step defends
    intent: Any  # strategic intent under the pressure, 0-1
    steps_needed: Any  # process steps to bring the floor down to the lowest offer


def upgrading_imperative(v: PressureView) -> CrisisResponse:
    """The crisis response: the margin on the sales at risk, times the share of the cost
    gap one step closes (all of it when the firm already matches the lowest offer). A firm
    far above the offer defends little with one step: the buyer's alternative is out of
    reach (H&S 4.2: faced with "sharply declining prices" the firms competed on "a fast
    and flexible response", not on cost)."""
    gap = np.asarray(v.cost_gap, dtype=float)
    saving = np.asarray(v.saving_per_step, dtype=float)
    steps = np.divide(gap, saving, out=np.zeros(np.broadcast(gap, saving).shape),
                      where=saving > 0.0)
    closes = 1.0 / np.maximum(steps, 1.0)
    defence = v.pressure * AT_RISK * v.annual_revenue * v.margin * closes
    intent = np.minimum(1.0, v.strategic_intent + INTENT_GAIN * v.pressure)
    return CrisisResponse(defence, intent, steps)


# A choice: under full pressure a lead firm closes a fifth of its spokes' process gap a year
# (H&S 2.1: "This increase in vertical co-operation was spearheaded by some of the larger
# local manufactures"; 4.2: "By reorganising their factories and local supply chains").
VERTICAL_RATE = 0.2


def vertical_cooperation(pressure_now: Any, lead_process: Any, spoke_process: Any,
                         years: float, rate: float | None = None) -> Any:
    """Process capability a spoke gains in `years` from its lead firm's help under pressure
    (bilateral, within the cluster); nothing without pressure or when the spoke is ahead.
    `rate`: the gap closed a year under full pressure (default VERTICAL_RATE)."""
    rate = VERTICAL_RATE if rate is None else rate
    gap = np.maximum(0.0, lead_process - spoke_process)
    speed = np.minimum(1.0, rate * np.maximum(0.0, pressure_now))
    return gap * (1.0 - (1.0 - speed) ** years)
