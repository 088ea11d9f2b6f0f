"""Small scenarios built in code, for tests that want exact control."""

from __future__ import annotations

import copy
from typing import Any

from chainsim.scenario import parse_scenario

TINY: dict[str, Any] = {
    "simulation": {"name": "tiny", "start_year": 2000, "horizon_years": 1, "seed": 7,
                   "seasons_per_year": 1, "period_days": 90},
    "technology": {"base_defect_rate": 0.0, "assembly_days": 5.0, "quality_sensitivity": 0.0},
    "clusters": [{
        "id": "home", "wage": 1.0, "transit_days": 10.0, "spillover": 0.0,
        "firms": [
            {"id": "lead", "role": "lead", "capacity": 100.0, "process": 0.5, "product": 0.5,
             "outsourcing": 0.5, "spokes_per_order": 2, "cash": 0.0},
            {"id": "spoke", "role": "spoke", "count": 2, "capacity": 50.0, "process": 0.5,
             "product": 0.5},
        ],
    }],
    "buyers": [{"id": "buyer", "demand": 2000.0, "order_size": 2000.0, "lead_time_days": 120,
                "quality_requirement": 0.4, "process_requirement": 0.4,
                "scouting": {"enabled": False}}],
    "links": [{"buyer": "buyer", "firms": ["lead"], "governance": "market"}],
}


def set_path(raw: dict[str, Any], parts: list[str], value: Any) -> None:
    """Set a nested field of a raw scenario: list items by index."""
    node: Any = raw
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[parts[-1]] = value


def tiny(**changes: Any):
    """The tiny chain (one buyer, one lead firm, two spokes), with dotted-key changes."""
    raw = copy.deepcopy(TINY)
    for dotted, value in changes.items():
        set_path(raw, dotted.split("__"), value)
    return parse_scenario(raw, "tiny")
