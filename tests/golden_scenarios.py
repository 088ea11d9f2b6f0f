"""Golden summaries of every shipped scenario, and the deliberate command that refreshes them.

The test suite runs each file in `scenarios/` for a short horizon with a fixed seed and
compares its headline figures with `tests/golden/<name>.json`. When a change to the model
is meant to change those figures, refresh them on purpose and review the diff:

    .venv/bin/python -m tests.golden_scenarios --update
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from chainsim.engine.simulation import simulate
from chainsim.results.summary import headline
from chainsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
HORIZON_YEARS = 4.0
SEED = 12345


def figures(path: Path) -> dict[str, float | None]:
    """Headline figures of a short run, rounded so the files read well in a diff."""
    scenario = load_scenario(path)
    result = simulate(scenario, seed=SEED, horizon_years=HORIZON_YEARS)
    return {k: (None if not math.isfinite(v) else round(v, 9))
            for k, v in sorted(headline(result).items())}


def golden_path(path: Path) -> Path:
    return GOLDEN / f"{path.stem}.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the golden files")
    args = parser.parse_args()
    GOLDEN.mkdir(exist_ok=True)
    for path in SCENARIOS:
        fresh = figures(path)
        target = golden_path(path)
        old = json.loads(target.read_text()) if target.exists() else None
        if args.update:
            target.write_text(json.dumps(fresh, indent=1) + "\n")
        changed = sorted(k for k in fresh if old is None or old.get(k) != fresh[k])
        print(f"{path.name}: {len(changed)} figures {'rewritten' if args.update else 'differ'}")


if __name__ == "__main__":
    main()
