"""The scenario format: frozen, validated pydantic models.

A scenario file is TOML; `chainsim.scenario.load` reads it into these models before the
engine starts. Every model forbids unknown keys, so a typo is an error naming its dotted
path. Documented field by field in `docs/scenario-format.md`; `chainsim schema` prints the
JSON Schema generated from these classes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    model_validator,
)

from chainsim.limits import MAX_BUYERS, MAX_FIRMS_PER_GROUP, MAX_HORIZON_YEARS, MAX_MAGNITUDE
from chainsim.vocabulary import GovernanceName, LadderName, Rung


def shown_number(value: float) -> str:
    """A number as short as `:g` makes it, unless that would round it (1e15 + 0.125 is not
    shown as 1e+15, so it never reads as exceeding a limit equal to itself)."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _within_magnitude(value: float) -> float:
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"{shown_number(value)} exceeds the limit of {MAX_MAGNITUDE:g} in "
                         "absolute value")
    return value


# Numbers are strict: a boolean, a string or a date is not a number (TOML `cash = true`
# would otherwise run as 1). An integer is a fine real number; a real is not an integer.
Real = Annotated[float, Strict(), Field(allow_inf_nan=False), AfterValidator(_within_magnitude)]
Whole = Annotated[int, Strict(), AfterValidator(_within_magnitude)]
Flag = Annotated[bool, Strict()]
Fraction = Annotated[Real, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[Real, Field(ge=0.0)]
Positive = Annotated[Real, Field(gt=0.0)]
ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"
ID_MAX_LENGTH = 64
Ident = Annotated[str, Field(pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)]



SALVAGE = {"salvage": True}  # validation context: keep items whose fields are each valid


def salvaging(info: ValidationInfo) -> bool:
    """Whether this validation only gathers what is sound for the checks across a file
    whose problems are already reported (`chainsim.scenario.paths.Salvage`): then an item
    whose fields are each valid is kept even if they do not fit together."""
    return bool(info.context and info.context.get("salvage"))


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Distribution(Frozen):
    """A value drawn per firm when a group of similar firms is declared compactly."""

    dist: Literal["uniform", "normal", "triangular", "lognormal"]
    low: Real | None = None
    high: Real | None = None
    mode: Real | None = None
    mean: Real | None = None
    sd: NonNeg | None = None

    @model_validator(mode="after")
    def _parameters(self, info: ValidationInfo) -> Distribution:
        if salvaging(info):
            return self
        need = {
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
            "lognormal": ("mean", "sd"),
        }[self.dist]
        missing = [name for name in need if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{self.dist} needs {', '.join(missing)}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not exceed high")
        if self.dist == "triangular" and not (self.low <= self.mode <= self.high):  # type: ignore[operator]
            raise ValueError("mode must lie between low and high")
        return self


Number = Real | Distribution
UnitNumber = Fraction | Distribution


class Simulation(Frozen):
    name: str = "unnamed scenario"
    start_year: Whole = Field(default=1970, ge=1800, le=2200)
    horizon_years: Real = Field(default=30, gt=0, le=MAX_HORIZON_YEARS)
    # The seed identifies a run rather than measuring anything: no magnitude limit.
    seed: Annotated[int, Strict()] = Field(default=1, ge=0, le=2**63 - 1)
    seasons_per_year: Whole = Field(default=2, ge=1, le=12)
    period_days: Whole = Field(default=90, ge=7, le=360, description="learning/recording period")


class Rules(Frozen):
    """Names of the decision rules; each must be registered in `chainsim.rules`."""

    governance: str = "hs2000"
    sourcing: str = "landed_cost"
    investment: str = "expected_return"
    fair_entry: str = "weighed_withdrawal"
    encroachment: str = "dependence_stake"
    allegiance: str = "margin_weighed"
    allocation: str = "committed_first"  # a lead firm's capacity among its chains


class GovernanceEffects(Frozen):
    """What a governance type does to a link (H&S Table 4, section 3; docs/odd.md 7.2)."""

    monitoring: Fraction = Field(description="share of the buyer's monitoring cost paid per link")
    investment: Fraction = Field(description="share of the buyer's capability investment made")
    failure_prevention: Fraction = Field(description="share of supplier failures averted")
    share_flexibility: Fraction = Field(description="largest share change per season")


class GovernanceTable(Frozen):
    market: GovernanceEffects = GovernanceEffects(
        monitoring=0.0, investment=0.0, failure_prevention=0.0, share_flexibility=0.5
    )
    modular: GovernanceEffects = GovernanceEffects(
        monitoring=0.2, investment=0.0, failure_prevention=0.3, share_flexibility=0.3
    )
    network: GovernanceEffects = GovernanceEffects(
        monitoring=0.3,
        investment=0.3,
        failure_prevention=0.4,
        share_flexibility=0.2,
    )
    quasi_hierarchy: GovernanceEffects = GovernanceEffects(
        monitoring=1.0,
        investment=1.0,
        failure_prevention=0.6,
        share_flexibility=0.1,
    )
    hierarchy: GovernanceEffects = GovernanceEffects(
        monitoring=1.0,
        investment=1.0,
        failure_prevention=0.8,
        share_flexibility=0.05,
    )

    @model_validator(mode="before")
    @classmethod
    def _complete(cls, data: object) -> object:
        """A partial table (`[governance.quasi_hierarchy] investment = 0`) changes only the
        fields it names; the others keep that type's defaults."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, given in data.items():
            default = cls.model_fields.get(name)
            if default is not None and isinstance(given, dict):
                out[name] = {**default.default.model_dump(), **given}
        return out


class Technology(Frozen):
    """How capabilities turn into cost, quality, speed and learning (H&S 1, 4.1)."""

    labour_per_unit: Positive = 1.0
    materials_per_unit: NonNeg = 2.0
    base_defect_rate: Fraction = 0.25
    quality_sensitivity: NonNeg = 2.0
    process_sensitivity: NonNeg = Field(
        default=1.0, description="failure chance per unit of process capability below the "
        "buyer's process requirement (late or wrong-sized deliveries)")
    learning_by_doing: NonNeg = 0.02
    learning_volume: Positive = 50_000.0
    learning_headroom: NonNeg = Field(
        default=0.2, description="how far above the requirements of the buyers sourcing in "
        "a cluster learning by doing can take its firms (1: up to full capability)")
    absorption: Positive = Field(default=3e-6, description="gap closed per unit of buyer money")
    services_premium: NonNeg = 0.05
    ladder: LadderName = Field(
        default="shoe", description="functional ladder: shoe (assembly ... obm) or fruit")
    rung_thresholds: tuple[Fraction, Fraction, Fraction] = (0.5, 0.5, 0.5)
    rung_premium: tuple[NonNeg, NonNeg, NonNeg, NonNeg] = (0.0, 0.05, 0.25, 0.5)
    brand_threshold: Fraction = Field(
        default=0.5, description="brand stock an own-brand rung needs (0: none)")
    brand_depreciation: NonNeg = Field(
        default=0.1, description="yearly rate at which a firm's brand stock fades")
    certification_cost: NonNeg = Field(
        default=20_000.0, description="cost of certifying a standard, without a facility")
    quality_premium: NonNeg = 0.5
    investment_cost: NonNeg = Field(default=15_000.0, description="per step, firm of 100/day")
    investment_step: Fraction = 0.1
    investment_days: Positive = 180.0
    investment_success: Fraction = 0.7
    investment_horizon_years: Positive = 5.0
    credit_line: NonNeg = Field(default=0.0, description="cash a firm may go below zero")
    stake_scale: Positive = 50_000.0
    stake_depreciation: NonNeg = Field(
        default=0.2, description="yearly rate at which a buyer's stake in a supplier fades")
    specification_risk: Fraction = Field(
        default=0.04, description="orders misread per buyer-defined spec, codifiability 0")
    governance_hysteresis: NonNeg = Field(
        default=0.1, description="net benefit a market/QH change must clear, x tight cost")
    own_design_learning: NonNeg = Field(
        default=0.25, description="design/marketing learnt selling own collections, x lbd")
    supplier_margin: NonNeg = 0.1
    penalty_rate: Fraction = 0.1
    assembly_days: NonNeg = 5.0
    late_tolerance_days: NonNeg = 30.0
    # Firms grow with their orders and exit (H&S 4.2, 2.2; rules/demography.py).
    capex_per_unit: NonNeg = Field(
        default=2_000.0, description="cost of one unit (a pair) of daily capacity")
    grow_above: Positive = Field(
        default=0.85, description="yearly utilisation above which a firm adds capacity")
    grow_refused: Fraction = Field(
        default=0.1, description="share of the work wanted refused above which it grows too")
    shrink_below: NonNeg = Field(
        default=0.4, description="yearly utilisation below which it sheds capacity")
    growth_step: Fraction = Field(default=0.15, description="share of capacity added; 0: none")
    shrink_step: Annotated[Real, Field(ge=0.0, lt=1.0)] = Field(
        default=0.1, description="share of capacity shed in an idle year; 0: none")
    exit_after_years: Whole = Field(
        default=2, ge=0, le=100, description="year-ends of losses or failures before exit; 0: none")
    exit_failure_rate: Fraction = Field(
        default=0.3, description="share of orders failed that counts as a failing year")


class Firm(Frozen):
    """A firm, or `count` similar firms whose numbers may be drawn from distributions."""

    id: Ident
    role: Literal["lead", "spoke"] = "lead"
    count: Whole = Field(default=1, ge=1, le=MAX_FIRMS_PER_GROUP)
    capacity: Number = Field(default=100.0, description="units per day")
    process: UnitNumber = 0.3
    product: UnitNumber = 0.3
    design: UnitNumber = 0.1
    marketing: UnitNumber = 0.1
    rung: Rung | None = Field(default=None, description="starting rung; none: the bottom")
    strategic_intent: UnitNumber = 0.5
    cash: Number = 0.0
    outsourcing: Fraction = Field(default=0.5, description="share of each order given to spokes")
    spokes_per_order: Whole = Field(default=3, ge=0, le=50)
    supplies: tuple[Ident, ...] = Field(
        default=(), description="lead firms or lead groups a spoke works for; empty = all"
    )
    capex_per_unit: NonNeg | None = Field(
        default=None, description="cost of a unit of daily capacity; none: technology's")


class Institutions(Frozen):
    technology_centre: Fraction = 0.0
    testing_certification: Fraction = Field(
        default=0.0, description="testing and certification facility; 1 halves the cost")
    business_association: Fraction = 0.0
    collective_stand: Flag = False


def _none_word(value: object) -> object:
    """TOML has no null: the word "none" stands for it."""
    return None if isinstance(value, str) and value.strip().lower() == "none" else value


OptionalShare = Annotated[Annotated[Real, Field(gt=0.0, le=1.0)] | None,
                          BeforeValidator(_none_word)]


class PolicyNetwork(Frozen):
    """Local policy network proposing repositioning projects (H&S 5, Messner 1997)."""

    enabled: Flag = False
    proposal_interval_years: Positive = 5.0
    propose_after_shock: Flag = True
    backing_threshold: Fraction = 0.5
    project_cost: NonNeg = 1_000_000.0
    public_share: Fraction = 0.5
    duration_years: Positive = 2.0
    design_gain: Fraction = 0.15
    marketing_gain: Fraction = 0.15
    reputation_gain: Fraction = 0.1
    # H&S 4.2, footnote 31: the largest exporters can block the programme; "none" (or
    # null from Python) leaves the plain backing threshold.
    influential_share: OptionalShare = Field(
        default=0.25, description="share of lead firms, largest first, whose backing is needed")


class Cluster(Frozen):
    id: Ident
    name: str = ""
    country: str = ""
    form: Literal["collective", "hub_and_spoke"] = "hub_and_spoke"
    wage: Positive = Field(default=1.0, description="labour cost per unit of labour")
    transport_cost: NonNeg = Field(default=0.5, description="per unit to the buyers' markets")
    transit_days: NonNeg = 30.0
    reputation: Fraction = 0.3
    spillover: Fraction = 0.05
    macro_volatility: Fraction = 0.2
    active_from_year: Real | None = None
    institutions: Institutions = Institutions()
    policy_network: PolicyNetwork = PolicyNetwork()
    firms: tuple[Firm, ...] = Field(min_length=1)


class Scouting(Frozen):
    """Buyer search for cheaper sources (H&S 3, 4.2)."""

    enabled: Flag = True
    interval_years: Positive = 1.0
    cost: NonNeg = 20_000.0
    candidates: Whole = Field(default=5, ge=0, le=100_000)
    noise: NonNeg = 0.1
    threshold: Fraction = Field(default=0.1, description="landed-cost advantage that triggers")
    reliability_premium: NonNeg = 1.0
    pilot_share: Fraction = 0.05


class Buyer(Frozen):
    """A buyer, or `count` alike buyers sharing `demand` equally (ids `<id>-1` ...).

    Links, shocks and metrics name the group by its id; a link to a group connects each
    of its firms to every buyer of the group, so more buyers means less dependence on each.
    """

    id: Ident
    count: Whole = Field(default=1, ge=1, le=MAX_BUYERS)
    name: str = ""
    market: str = ""
    segment: Literal["low", "mid", "high"] = "mid"
    arrival: Literal["initial", "fair"] = "initial"
    price: Positive = Field(default=10.0, description="initial price per unit")
    retail_price: Positive = 30.0
    transport_cost: NonNeg | None = Field(
        default=None, description="per unit to this buyer; default: the supplier cluster's")
    quality_requirement: Fraction = 0.5
    process_requirement: Fraction = 0.5
    demand: NonNeg = Field(default=100_000.0, description="units per year")
    demand_growth: Annotated[Real, Field(ge=-0.5, le=1.0)] = Field(
        default=0.0, description="yearly growth of the demand from the start year")
    demand_growth_until: Real | None = Field(
        default=None, description="calendar year after which the demand stops growing")
    seasonality: tuple[NonNeg, ...] = ()
    order_size: Positive = 5_000.0
    lead_time_days: Positive = 120.0
    product_definition: Literal["buyer", "joint", "supplier"] = "buyer"
    proprietary_technology: Flag = False
    loss_per_failed_order: NonNeg = 50_000.0
    monitoring_cost: NonNeg = Field(default=20_000.0, description="per tight link per year")
    capability_investment: NonNeg = Field(default=30_000.0, description="per link per year")
    ownership_cost: NonNeg = 1e12
    transaction_complexity: Fraction = 0.7
    codifiability: Fraction = 0.4
    encroachment_sensitivity: Fraction = 0.8
    buys_brands: Fraction = Field(
        default=0.0, description="share of its purchases resold under suppliers' brands")
    buys_designs: Fraction = Field(
        default=1.0, description="share of its purchases in which it pays for a supplier's "
        "own design where its governance pays for one; standard goods bought to a "
        "specification carry none")
    requirement_drift: Fraction = Field(
        default=0.02, description="yearly share of the distance to the ceiling closed")
    requirement_ceiling: Fraction = 0.9
    competition_jump: Flag = Field(
        default=True, description="raise kept lines' requirements once competition arrives")
    competition_lead: NonNeg = Field(
        default=0.03, description="margin over best practice then required")
    pace_drift: Fraction = Field(
        default=0.0, description="yearly share by which the lead time and order size of "
        "kept lines shrink, down to half the file's")
    competition_cut: Fraction = Field(
        default=0.25, description="share by which kept lines' lead time and order size "
        "fall when competition arrives")
    review_interval_years: Positive = 1.0
    supplier_slots: Whole = Field(
        default=8, ge=1, le=MAX_FIRMS_PER_GROUP,
        description="fair buyers: suppliers it spreads its purchases over")
    turnover: Fraction = Field(
        default=0.3, description="fair buyers: share of its suppliers it replaces a year")
    scouting: Scouting = Scouting()


class Link(Frozen):
    buyer: Ident
    firms: tuple[Ident, ...] = Field(min_length=1, description="firm ids or firm group ids")
    governance: GovernanceName = "market"
    share: Fraction = Field(default=1.0, description="buyer's demand share, split over firms")


class Fair(Frozen):
    """A trade fair (H&S 4.2-4.3: Duesseldorf, 1,612 exhibitors in March 1997)."""

    id: Ident
    name: str = ""
    months: tuple[Annotated[Whole, Field(ge=1, le=12)], ...] = (3, 9)
    from_year: Real | None = None
    stand_cost: NonNeg = 30_000.0
    collective_discount: Fraction = 0.6
    background_exhibitors: Whole = Field(default=1_600, ge=0)
    contact_rate: NonNeg = 2.0
    marketing_gain: Fraction = 0.03
    repeat_memory: Whole = Field(default=4, ge=1, le=100)


class Shock(Frozen):
    year: Real
    kind: Literal["entrant", "market_loss", "devaluation", "volatility", "codification",
                  "standard"]
    cluster: Ident | None = None
    buyer: Ident | None = None
    factor: Positive | None = None
    level: Fraction | None = None
    # A standard (H&S 3: "grades and standards ... phytosanitary standards"; 4.3: USDA pest
    # control): imposed by a buyer group or by every buyer of a market, with the quality
    # and process requirements it sets as floors from its date.
    name: Ident | None = None
    market: str | None = None
    quality: Fraction | None = None
    process: Fraction | None = None

    @model_validator(mode="after")
    def _target(self, info: ValidationInfo) -> Shock:
        if salvaging(info):
            return self
        needs = {
            "entrant": ("cluster",),
            "market_loss": ("buyer",),
            "devaluation": ("cluster", "factor"),
            "volatility": ("cluster", "level"),
            "codification": ("buyer", "level"),
            "standard": ("name",),
        }[self.kind]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} shock needs {', '.join(missing)}")
        return self


class Scenario(Frozen):
    simulation: Simulation = Simulation()
    rules: Rules = Rules()
    technology: Technology = Technology()
    governance: GovernanceTable = GovernanceTable()
    clusters: tuple[Cluster, ...] = Field(min_length=1)
    buyers: tuple[Buyer, ...] = Field(min_length=1)
    links: tuple[Link, ...] = ()
    fairs: tuple[Fair, ...] = ()
    shocks: tuple[Shock, ...] = ()


