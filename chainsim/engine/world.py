"""Build everything a run needs from a validated scenario, and wire it together.

The world is data only: the environment, the scenario, the random streams, the firm table,
the links, the agents and the journal. Each agent is handed the collaborators it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import simpy

from chainsim.agents.buyers import BuyerAgent
from chainsim.agents.clusters import ClusterAgent
from chainsim.agents.demography import Demography
from chainsim.agents.fairs import FairAgent
from chainsim.agents.firms import FirmTable, expand_firms, spoke_map
from chainsim.agents.lead_firms import LeadFirms
from chainsim.agents.links import Links
from chainsim.journal import Journal
from chainsim.randomness import Streams
from chainsim.results.records import Recorder
from chainsim.rules import RULES
from chainsim.scenario.model import Buyer, Scenario
from chainsim.technology import YEAR, ladder_of
from chainsim.vocabulary import member_ids


@dataclass(eq=False)
class World:
    """Everything a run holds; nothing here acts."""

    scenario: Scenario
    env: simpy.Environment
    streams: Streams
    firms: FirmTable
    groups: dict[str, list[int]]  # firm group id -> firm rows
    spokes: list[list[int]]  # lead firm row -> its spokes' rows
    links: Links
    lead_firms: LeadFirms
    buyers: list[BuyerAgent]
    buyer_groups: dict[str, list[int]]  # buyer group id -> buyer indices
    clusters: list[ClusterAgent]
    fairs: list[FairAgent]
    demography: Demography
    journal: Journal
    recorder: Recorder


def expand_buyers(spec: Buyer) -> list[Buyer]:
    """A buyer group as its members, each with an equal part of the group's demand."""
    if spec.count == 1:
        return [spec]
    return [spec.model_copy(update={"id": member, "count": 1,
                                    "demand": spec.demand / spec.count})
            for member in member_ids(spec.id, spec.count)]


def build_world(scenario: Scenario, replication: int = 0, seed: int | None = None) -> World:
    s = scenario
    seed = s.simulation.seed if seed is None else seed
    streams = Streams(seed, replication)
    firms, groups = expand_firms(s, streams)
    spokes = spoke_map(s, firms, groups)
    env = simpy.Environment()
    members, buyer_groups = buyer_members(s)
    journal = Journal(env, firms, [m.id for m in members], len(s.clusters))
    links = links_registry(len(firms), members, s)
    rules = SimpleNamespace(**{field: RULES[field][name] for field, name in s.rules})
    common = {"env": env, "scenario": s, "rules": rules, "streams": streams, "firms": firms,
              "links": links, "journal": journal}
    buyers: list[BuyerAgent] = []
    entrants = {sh.cluster for sh in s.shocks if sh.kind == "entrant"}
    clusters = [ClusterAgent(c, spec, spec.id in entrants, buyers=buyers, spokes=spokes,
                             **common)
                for c, spec in enumerate(s.clusters)]
    lead_firms = LeadFirms(env, firms, spokes, clusters, buyers, dict(s.governance),
                           s.technology, streams, journal, links=links,
                           allocation=(s.rules.allocation, rules.allocation),
                           season_days=YEAR / s.simulation.seasons_per_year)
    buyers += [BuyerAgent(b, m, lead_firms=lead_firms, clusters=clusters, **common)
               for b, m in enumerate(members)]
    for spec in s.links:  # the links the scenario starts with
        targets = [i for target in spec.firms for i in groups[target]]
        for b in buyer_groups[spec.buyer]:
            for i in targets:
                links.add(b, i, spec.governance, spec.share / len(targets),
                          buyers[b].spec.price, origin="initial")
    fairs = [FairAgent(k, spec, buyers=buyers, clusters=clusters, **common)
             for k, spec in enumerate(s.fairs)]
    demography = Demography(firms, links, lead_firms, clusters, s.technology, journal)
    return World(scenario=s, env=env, streams=streams, firms=firms, groups=groups,
                 spokes=spokes, links=links, lead_firms=lead_firms, buyers=buyers,
                 buyer_groups=buyer_groups, clusters=clusters, fairs=fairs,
                 demography=demography, journal=journal, recorder=Recorder())


def links_registry(n_firms: int, members: list[Buyer], s: Scenario) -> Links:
    """The links registry, with what it needs to know of each buyer: the share it resells
    under suppliers' brands, and whether it buys their own collections (it does not define
    the product)."""
    return Links(n_firms, len(members), [m.buys_brands for m in members],
                 ladder_of(s.technology), [m.product_definition == "supplier" for m in members],
                 [m.buys_designs for m in members])


def buyer_members(s: Scenario) -> tuple[list[Buyer], dict[str, list[int]]]:
    """Every buyer agent, and each buyer group's agents by index."""
    members: list[Buyer] = []
    groups: dict[str, list[int]] = {}
    for spec in s.buyers:
        expanded = expand_buyers(spec)
        groups[spec.id] = list(range(len(members), len(members) + len(expanded)))
        members += expanded
    return members, groups
