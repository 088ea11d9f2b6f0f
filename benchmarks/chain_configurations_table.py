"""Print the chain-configuration comparison as a Markdown table from a sweep's --out dir.

    .venv/bin/python -m benchmarks.chain_configurations_table runs/chain-configurations
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COLUMNS = (
    ("functional_upgrading", "ODM/OBM share", "{:.2f}"),
    ("design_gain", "design gain", "{:.3f}"),
    ("marketing_gain", "marketing gain", "{:.3f}"),
    ("fair_share", "fair share", "{:.2%}"),
    ("backing_share", "backing", "{:.2f}"),
    ("process_gain", "process gain", "{:.3f}"),
    ("price_decline", "price decline", "{:.1%}"),
)


def cell(ci: dict, fmt: str) -> str:
    if ci["mean"] is None:
        return "-"
    if ci["ci_low"] is None:
        return fmt.format(ci["mean"])
    return f"{fmt.format(ci['mean'])} [{fmt.format(ci['ci_low'])}, {fmt.format(ci['ci_high'])}]"


def main(out_dir: str) -> None:
    summary = json.loads((Path(out_dir) / "summary.json").read_text())
    head = ["governance", "form", "buyers", *(label for _, label, _ in COLUMNS)]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for point in summary["points"]:
        p = point["params"]
        row = [p["links.0.governance"], p["clusters.0.form"], str(p["buyers.0.count"])]
        row += [cell(point["metrics"][f"cluster.cluster.{key}"], fmt)
                for key, _, fmt in COLUMNS]
        print("| " + " | ".join(row) + " |")
    print(f"\n{summary['replications']} replications per point, seed {summary['seed']}, "
          f"{summary['events']:,} SimPy events, {summary['wall_seconds']:.0f} s wall.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "runs/chain-configurations")
