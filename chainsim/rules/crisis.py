"""A firm's answer to a crisis: investment that answers price pressure.

H&S 4.2: when Chinese producers undercut Brazil, "the Brazilian producers were faced with
sharply declining prices ... The upgrading imperative was clear"; H&S 2.1: the four crisis
studies found that "the need to raise quality, flexibility and speed" was answered by more
co-operation, "vertical co-operation ... much more pronounced than horizontal"; H&S 4.5:
strategic intent, "the willingness to make the required intra- and inter-firm investment".

Pressure is what the firm sees of the crisis: the fall of its agreed prices over the last
years and the share of orders its buyers took away. Under pressure a step in process or
product capability is worth more than the labour it saves: it defends the sales the firm
would otherwise lose (the buyer moves orders to the entrant when the price it offers falls
below the firm's cost), and the firm's intent to upgrade rises. The investment rule
(rules/investment.py) adds `defence_value` to the gross yearly value of process and
product and uses `intent` for strategic intent.
"""

from __future__ import annotations

from dataclasses import dataclass

# Choices: a 20% price fall, or a third of the orders lost, is full pressure; under full
# pressure half of the firm's sales are at stake; strategic intent rises by up to 0.3.
FULL_PRICE_FALL = 0.2
FULL_SHARE_LOSS = 0.33
AT_RISK = 0.5
INTENT_GAIN = 0.3


@dataclass(frozen=True, slots=True)
class PressureView:
    price_now: float  # the firm's sales-weighted agreed price now
    price_before: float  # ... a few years ago (3 by default)
    share_now: float  # its buyers' order shares now, summed over its links
    share_before: float
    annual_revenue: float
    margin: float  # the firm's margin on sales (Technology.supplier_margin)
    unit_cost: float  # what a unit costs the firm now
    price_floor: float  # the lowest price its buyers offer (the entrant's landed cost)
    labour_saving_per_step: float  # unit cost saved by one step of process capability
    strategic_intent: float


@dataclass(frozen=True, slots=True)
class CrisisResponse:
    pressure: float  # 0-1
    defence_value: float  # yearly value of the sales one step defends
    intent: float  # strategic intent under the pressure, 0-1
    steps_needed: float  # process steps to bring cost down to the price floor

    def record(self) -> dict[str, float]:
        return {"pressure": self.pressure, "defence_value": self.defence_value,
                "intent": self.intent, "steps_needed": self.steps_needed}


def pressure(v: PressureView) -> float:
    """0-1: the larger of the price fall and the order loss, each scaled to full."""
    fall = 1.0 - v.price_now / v.price_before if v.price_before > 0.0 else 0.0
    lost = 1.0 - v.share_now / v.share_before if v.share_before > 0.0 else 0.0
    return min(1.0, max(0.0, fall / FULL_PRICE_FALL, lost / FULL_SHARE_LOSS))


def upgrading_imperative(v: PressureView) -> CrisisResponse:
    """The crisis response: the sales at risk, the margin on them, and the share of the
    cost gap one step closes (all of it when the firm is already competitive)."""
    p = pressure(v)
    gap = max(0.0, v.unit_cost - v.price_floor)
    steps = gap / v.labour_saving_per_step if v.labour_saving_per_step > 0.0 else 0.0
    closes = 1.0 if steps <= 1.0 else 1.0 / steps
    defence = p * AT_RISK * v.annual_revenue * v.margin * closes
    intent = min(1.0, v.strategic_intent + INTENT_GAIN * p)
    return CrisisResponse(p, defence, intent, steps)


# A choice: under full pressure a lead firm closes a fifth of its spokes' process gap a year
# (H&S 2.1: "vertical co-operation (between manufacturers and suppliers) was much more
# pronounced than horizontal co-operation. This increase in vertical co-operation was
# spearheaded by some of the larger local manufactures"; 4.2: "By reorganising their
# factories and local supply chains").
VERTICAL_RATE = 0.2


def vertical_cooperation(pressure_now: float, lead_process: float, spoke_process: float,
                         years: float, rate: float = VERTICAL_RATE) -> float:
    """Process capability a spoke gains in `years` from its lead firm's help under pressure
    (bilateral, within the cluster); nothing without pressure or when the spoke is ahead."""
    gap = max(0.0, lead_process - spoke_process)
    return gap * (1.0 - (1.0 - min(1.0, rate * max(0.0, pressure_now))) ** years)
