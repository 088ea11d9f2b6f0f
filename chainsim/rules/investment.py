"""Knowledge-changing investment by a firm (H&S 4.1, after Bell & Albu 1999; H&S 4.5).

Once a year each firm may start one investment in process, product, design or marketing
capability. Its expected return is weighed net of what leaks to neighbours (weak
appropriability in clusters, H&S 4.1), of macro risk ("frequent and drastic changes in
the incentive structure make it difficult to develop or maintain the strategic intent",
H&S 4.5), and, for design and marketing, of the sales the firm expects to lose if its
main buyer reacts to encroachment (H&S 4.2). Strategic intent scales the weight a firm
puts on future gains.

Screening. A rule may carry a `screen`: a function of a *column view*, an
`InvestmentView` whose per-firm fields hold numpy arrays (one value per firm; the
capabilities a tuple of four arrays) and whose cluster-wide fields stay numbers. It
returns a boolean array that is False only for firms the rule would surely leave without
an investment, so the cluster need not build their views. Most firms in a year are such
firms (too little cash, or no kind with a positive net value), and views are built one
firm at a time. A rule without a screen is called for every idle firm.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

KINDS = ("process", "product", "design", "marketing")


@dataclass(frozen=True, slots=True)
class InvestmentView:
    """What a firm (or a column of firms) weighs before a knowledge-changing investment."""

    capabilities: tuple[float, float, float, float]
    annual_revenue: float
    annual_units: float
    labour_cost_per_unit: float  # at zero process capability
    quality_premium: float  # unit value gained per unit of product capability
    shortfall_cost: float  # yearly failures' cost per unit of product capability missing
    design_access: float  # share of sales to chains that pay for supplier design
    brand_access: float  # share of sales to chains that buy own brands
    prospect: float  # weight of new markets the firm could reach (fairs, new buyers)
    rung_gain_design: float  # price premium of the next design-based rung
    rung_gain_brand: float
    distance_design: float  # capability still missing to the next design rung
    distance_brand: float
    reaction_probability: float
    main_buyer_share: float
    strategic_intent: float
    spillover: float
    volatility: float
    cost: float
    step: float
    success_probability: float
    horizon_years: float
    cash_available: float
    # The yearly value of the sales a step in process or product defends under price
    # pressure (rules/crisis.py, H&S 4.2: "The upgrading imperative was clear").
    defence_value: float = 0.0


FIELDS = tuple(f.name for f in fields(InvestmentView))


def firm_view(columns: InvestmentView, j: int) -> InvestmentView:
    """The view of the j-th firm of a column view (see the module docstring), in floats."""
    values: dict[str, Any] = {}
    for name in FIELDS:
        x = getattr(columns, name)
        if name == "capabilities":
            values[name] = tuple(float(c[j]) for c in x)
        elif isinstance(x, np.ndarray):
            values[name] = float(x[j])
        else:
            values[name] = x
    return InvestmentView(**values)


@dataclass(frozen=True, slots=True)
class InvestmentDecision:
    """The investment chosen (or none), its cost and the values compared."""

    kind: str | None
    cost: float
    values: tuple[float, float, float, float]  # net expected value of each kind

    def record(self) -> dict[str, float | str | None]:
        out: dict[str, float | str | None] = {"capability": self.kind, "cost": self.cost}
        out.update({f"value_{k}": round(v, 2) for k, v in zip(KINDS, self.values, strict=True)})
        return out


def _lesser(a: Any, b: Any) -> Any:
    """`min` of two numbers, elementwise when either is a numpy column (same floats)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.minimum(a, b)
    return min(a, b)


def _greater(a: Any, b: Any) -> Any:
    """`max` of two numbers, elementwise when either is a numpy column (same floats)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.maximum(a, b)
    return max(a, b)


def annual_values(v: InvestmentView) -> tuple[float, float, float, float]:
    """Gross yearly value of one successful step in each kind of capability.

    Numbers in a firm's view, numpy columns in a column view: the same operations in the
    same order, so each firm's values are the same floats either way."""
    process = 0.5 * v.labour_cost_per_unit * v.step * v.annual_units
    # Demanding buyers pull product upgrading: a step closes part of the shortfall that
    # fails their inspections (Tewari on Ludhiana's domestic market, H&S 4.3).
    product = v.quality_premium * v.step * v.annual_revenue + v.step * v.shortfall_cost
    design_reach = v.design_access + v.prospect
    brand_reach = v.brand_access + v.prospect
    design = v.rung_gain_design * design_reach * v.annual_revenue * _lesser(
        1.0, v.step / _greater(v.distance_design, v.step)
    )
    brand = v.rung_gain_brand * brand_reach * v.annual_revenue * _lesser(
        1.0, v.step / _greater(v.distance_brand, v.step)
    )
    return process, product, design, brand


def net_values(v: InvestmentView) -> tuple[float, float, float, float]:
    """Net expected value of an investment in each kind: gross value weighted by success,
    appropriability, macro risk, horizon and intent, less its cost and, for design and
    marketing, the sales put at risk with the main buyer (H&S 4.1, 4.2, 4.5). Works on a
    firm's view and on a column view alike (see `annual_values`)."""
    keep = (1.0 - _lesser(0.9, v.spillover * v.horizon_years)) * (1.0 - v.volatility)
    weight = v.success_probability * keep * v.horizon_years * (0.5 + v.strategic_intent)
    encroach = v.reaction_probability * v.main_buyer_share * v.annual_revenue * 2.0
    gross = annual_values(v)
    return tuple(  # type: ignore[return-value]
        g * weight * (1.0 - c) - v.cost - (encroach if k >= 2 else 0.0)
        + (_defended(v, c) * weight if k < 2 else 0.0)
        for k, (g, c) in enumerate(zip(gross, v.capabilities, strict=True))
    )


def _defended(v: InvestmentView, capability: Any) -> Any:
    """The defence value of a step in process or product, for the part of a step the
    frontier leaves room for: a step defends sales by the cost (or quality) it actually
    gains, which falls short of a full step only within a step of the frontier. (The
    labour saving keeps the rule's older `1 - capability` discount.)"""
    room = _lesser(1.0, (1.0 - capability) / _greater(v.step, 1e-9))
    return v.defence_value * room


def expected_return(v: InvestmentView) -> InvestmentDecision:
    """Pick the kind with the best net expected value; invest only if it is positive.

    Screen (`expected_return.screen`, see the module docstring): the same `net_values` on
    a column view; a firm is screened out exactly where this rule returns no investment,
    its best net value not positive or its cash short of the cost."""
    values = net_values(v)
    best = max(range(4), key=lambda k: values[k])
    if values[best] <= 0.0 or v.cash_available < v.cost:
        return InvestmentDecision(None, 0.0, values)  # type: ignore[arg-type]
    return InvestmentDecision(KINDS[best], v.cost, values)  # type: ignore[arg-type]


def screen_expected_return(columns: InvestmentView) -> np.ndarray:
    """For a column view: False where `expected_return` surely returns no investment.

    The firm's best net value is not positive, or its cash falls short of the cost: the
    rule's own test, on the rule's own `net_values`. A value that is not a number never
    screens a firm out (`<=` is False for it), so the rule decides such a firm itself."""
    best = np.max(np.stack(net_values(columns)), axis=0)
    return ~((best <= 0.0) | (columns.cash_available < columns.cost))


expected_return.screen = screen_expected_return  # type: ignore[attr-defined]

RULES = {"expected_return": expected_return}
