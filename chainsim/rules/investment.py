"""Knowledge-changing investment by a firm (H&S 4.1, after Bell & Albu 1999; H&S 4.5).

Once a year each firm may start one investment in process, product, design or marketing
capability. Its expected return is weighed net of what leaks to neighbours (weak
appropriability in clusters, H&S 4.1), of macro risk ("frequent and drastic changes in
the incentive structure make it difficult to develop or maintain the strategic intent",
H&S 4.5), and, for design and marketing, of the sales the firm expects to lose if its
main buyer reacts to encroachment (H&S 4.2). Strategic intent scales the weight a firm
puts on future gains.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("process", "product", "design", "marketing")


@dataclass(frozen=True, slots=True)
class InvestmentView:
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


@dataclass(frozen=True, slots=True)
class InvestmentDecision:
    kind: str | None
    cost: float
    values: tuple[float, float, float, float]  # net expected value of each kind

    def record(self) -> dict[str, float | str | None]:
        out: dict[str, float | str | None] = {"capability": self.kind, "cost": self.cost}
        out.update({f"value_{k}": round(v, 2) for k, v in zip(KINDS, self.values, strict=True)})
        return out


def annual_values(v: InvestmentView) -> tuple[float, float, float, float]:
    """Gross yearly value of one successful step in each kind of capability."""
    process = 0.5 * v.labour_cost_per_unit * v.step * v.annual_units
    # Demanding buyers pull product upgrading: a step closes part of the shortfall that
    # fails their inspections (Tewari on Ludhiana's domestic market, H&S 4.3).
    product = v.quality_premium * v.step * v.annual_revenue + v.step * v.shortfall_cost
    design_reach = v.design_access + v.prospect
    brand_reach = v.brand_access + v.prospect
    design = v.rung_gain_design * design_reach * v.annual_revenue * min(
        1.0, v.step / max(v.distance_design, v.step)
    )
    brand = v.rung_gain_brand * brand_reach * v.annual_revenue * min(
        1.0, v.step / max(v.distance_brand, v.step)
    )
    return process, product, design, brand


def expected_return(v: InvestmentView) -> InvestmentDecision:
    """Pick the kind with the best net expected value; invest only if it is positive."""
    keep = (1.0 - min(0.9, v.spillover * v.horizon_years)) * (1.0 - v.volatility)
    weight = v.success_probability * keep * v.horizon_years * (0.5 + v.strategic_intent)
    encroach = v.reaction_probability * v.main_buyer_share * v.annual_revenue * 2.0
    gross = annual_values(v)
    values = tuple(
        g * weight * (1.0 - c) - v.cost - (encroach if k >= 2 else 0.0)
        for k, (g, c) in enumerate(zip(gross, v.capabilities, strict=True))
    )
    best = max(range(4), key=lambda k: values[k])
    if values[best] <= 0.0 or v.cash_available < v.cost:
        return InvestmentDecision(None, 0.0, values)  # type: ignore[arg-type]
    return InvestmentDecision(KINDS[best], v.cost, values)  # type: ignore[arg-type]


RULES = {"expected_return": expected_return}
