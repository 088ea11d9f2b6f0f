"""Fingerprints of every shipped scenario: a hash of each table, the order counts, the money
totals and the whole decision log, at a fixed seed and each file's own horizon.

A change meant to leave the model's results untouched (a redesign, a speed-up) must leave
these unchanged. Write them before the change and compare after:

    .venv/bin/python -m benchmarks.fingerprint > before.json
    ... change ...
    .venv/bin/python -m benchmarks.fingerprint --compare before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

from chainsim.engine.simulation import simulate
from chainsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SEED = 7


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def table_hash(frame: pd.DataFrame) -> str:
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    return digest(rows + ",".join(map(str, frame.columns)).encode())


def fingerprint(path: Path, seed: int = SEED) -> dict[str, object]:
    result = simulate(load_scenario(path), seed=seed)
    return {
        "tables": {name: table_hash(t) for name, t in sorted(result.tables.items())},
        "orders": result.orders,
        "money": {k: repr(v) for k, v in sorted(result.money.items())},
        "decisions": digest(json.dumps(result.decisions, default=repr).encode()),
        "decision_counts": dict(sorted(result.decision_counts.items())),
        "events": result.events,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", type=Path, help="a file written by an earlier run")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("scenarios", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.scenarios or sorted((ROOT / "scenarios").glob("*.toml"))
    fresh = {p.stem: fingerprint(p, args.seed) for p in paths}
    if args.compare is None:
        json.dump(fresh, sys.stdout, indent=1)
        print()
        return 0
    old = json.loads(args.compare.read_text())
    differ = 0
    for name, prints in fresh.items():
        for key, value in prints.items():
            if old.get(name, {}).get(key) != value:
                differ += 1
                print(f"{name}.{key}: differs")
    print(f"{len(fresh)} scenarios, {differ} parts differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
