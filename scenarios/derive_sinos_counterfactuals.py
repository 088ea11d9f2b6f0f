"""Derive the Sinos Valley counterfactual scenarios from `sinos_valley.toml`.

Each counterfactual changes ONE thing in the template (see scenarios/README.md):

- `sinos_market_buyers.toml`: the initial export buyers buy the suppliers' own collections
  (product_definition "supplier") and their links start at arm's length (market);
- `sinos_one_buyer.toml`: all of the initial export demand through one buyer;
- `sinos_five_buyers.toml`: the same total demand spread over five buyers of equal size.

The files are made by editing the template's text, so every comment of the template is kept
and every changed line says so. Run from anywhere whenever `sinos_valley.toml` changes:

    .venv/bin/python scenarios/derive_sinos_counterfactuals.py          # rewrite the files
    .venv/bin/python scenarios/derive_sinos_counterfactuals.py --check  # exit 1 if stale
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "sinos_valley.toml"
MAIN_BUYER = "us-main"  # the template's main buyer, whose attributes the new buyers take
FIVE = 5


# -- the template as blocks of text ----------------------------------------------------------

def split_blocks(text: str) -> tuple[str, list[str]]:
    """The text before the first array table, and one block per `[[...]]` table; comment
    lines that end a block are moved to the start of the next (they introduce it)."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("[[")]
    head = "".join(lines[: starts[0]])
    raw = ["".join(lines[s:e]) for s, e in zip(starts, [*starts[1:], len(lines)], strict=True)]
    blocks, carry = [], ""
    for block in raw:
        body = (carry + block).splitlines(keepends=True)
        j = len(body)
        while j > 0 and (body[j - 1].startswith("#") or not body[j - 1].strip()):
            j -= 1
        carry = "".join(line for line in body[j:] if line.strip())
        blocks.append("".join(body[:j]) + "\n")
    if carry:
        blocks.append(carry)
    return head, blocks


def kind(block: str) -> str:
    line = next(line for line in block.splitlines() if line.startswith("[["))
    return line.strip()[2:-2].strip()


def get(block: str, key: str) -> str | None:
    m = re.search(rf'^{key}\s*=\s*"([^"]*)"', block, re.M)
    return m.group(1) if m else None


def put(block: str, key: str, value: str, comment: str) -> str:
    """Set `key = value` in a block, replacing the line's comment by `comment`."""
    pattern = re.compile(rf"^({key}\s*=\s*)([^#\n]*?)(\s*#.*)?$", re.M)
    if not pattern.search(block):
        raise SystemExit(f"template changed: no {key!r} in block {block.splitlines()[0]!r}")

    def line(m: re.Match[str]) -> str:
        left = m.group(1) + value
        return f"{left}{' ' * max(1, 32 - len(left))}# {comment}"

    return pattern.sub(line, block, count=1)


def is_initial_buyer(block: str) -> bool:
    return kind(block) == "buyers" and get(block, "arrival") != "fair"


def is_export_buyer(block: str) -> bool:
    """An initial buyer of the buyer-driven export chains the counterfactuals vary; the
    domestic and Latin American buyers, who buy the firms' own collections (H&S 4.3:
    chains "not buyer-dominated"), stay as they are."""
    return is_initial_buyer(block) and get(block, "product_definition") != "supplier"


def is_export(buyer: dict) -> bool:
    return (buyer.get("arrival", "initial") != "fair"
            and buyer.get("product_definition", "buyer") != "supplier")


def header(title: str, paragraphs: list[str]) -> str:
    bar = "# " + "=" * 86 + "\n"
    out = bar + f"# COUNTERFACTUAL: {title}\n"
    for p in paragraphs:
        out += "#\n" + "".join(f"# {line}\n" for line in textwrap.wrap(p, 88))
    out += ("#\n# Derived from scenarios/sinos_valley.toml by "
            "scenarios/derive_sinos_counterfactuals.py\n# (see scenarios/README.md); regenerate "
            "it whenever that file changes. The template's\n# own header follows.\n")
    return out + bar + "\n"


# -- the counterfactuals -----------------------------------------------------------------------

def derive(text: str) -> dict[str, str]:
    head, blocks = split_blocks(text)
    raw = tomllib.loads(text)
    name = raw["simulation"]["name"]

    def renamed(suffix: str) -> str:
        return head.replace(f'name = "{name}"', f'name = "{name}, {suffix} (counterfactual)"')

    out: dict[str, str] = {}

    # 1. market-based buyers ------------------------------------------------------------
    tag = "COUNTERFACTUAL market-based buyers"
    initial_ids = [get(b, "id") for b in blocks if is_export_buyer(b)]
    changed = []
    for b in blocks:
        if is_initial_buyer(b) and get(b, "product_definition") in ("buyer", "joint", None):
            b = put(b, "product_definition", '"supplier"',
                    f"{tag}: the buyer buys the suppliers' own collections")
            b = put(b, "buys_brands", "1.0", f"{tag}: ... under the suppliers' brands")
        if kind(b) == "links" and get(b, "governance") != "market":
            b = put(b, "governance", '"market"', f"{tag}: initial links at arm's length")
        changed.append(b)
    out["sinos_market_buyers.toml"] = header(
        "market-based buyers instead of quasi-hierarchy (one change from sinos_valley.toml)", [
            f"What changed: the initial export buyers ({', '.join(initial_ids)}) buy the "
            "suppliers' own collections (product_definition \"supplier\" instead of \"buyer\") "
            "and their links start at arm's length (governance \"market\"). Every changed line "
            f"carries the comment '{tag}'; nothing else differs (same firms, demand, prices, "
            "losses, scouting, fair, shocks, seed).",
            "Why: H&S 4.3 asks for 'comparisons with less hierarchical chains': 'What is the "
            "upgrading trajectory of local firms which operate in chains characterised by "
            "market-based relationships? Here one would expect that all upgrading paths are "
            "open-ended, that there is no external blockage.' Table 4, market: 'the supplier "
            "defines it without reference to particular customers'. With a supplier-defined "
            "product the governance rule (hs2000) chooses market, the buyer pays up to the OBM "
            "premium, and at arm's length it has little stake to defend against encroachment.",
            "What to expect: this file forces market relations through a label on lead firms "
            "that start well below the buyers' quality and process requirements (process "
            "0.2-0.4 against 0.45-0.55), and at arm's length no buyer teaches them. They fail "
            "about half their orders, lose money and most exit within a few years (20 of the "
            "24 export lead firms by 1976 at seed 7): the paper's point that market relations "
            "presume capable suppliers (H&S 3, Table 4). To compare governance that the buyers "
            "choose, lower the buyers' risk instead (the low-risk twin of the README and of "
            "`chainsim propositions`).",
        ]) + renamed("market-based buyers") + "".join(changed).rstrip("\n") + "\n"

    # 2-3. one buyer, five buyers ----------------------------------------------------------
    # Each lead group's yearly volume in the template: each initial buyer's demand split over
    # its links by share, and a link's share over its firms equally (as engine/world.py does).
    size = {g["id"]: g.get("count", 1) for c in raw["clusters"] for g in c["firms"]}
    group_demand: dict[str, float] = {}
    for b in raw["buyers"]:
        if not is_export(b):
            continue
        links = [lk for lk in raw.get("links", []) if lk["buyer"] == b["id"]]
        total_share = sum(lk.get("share", 1.0) for lk in links)
        for lk in links:
            firms = sum(size[g] for g in lk["firms"])
            for g in lk["firms"]:
                group_demand[g] = group_demand.get(g, 0.0) + (
                    b["demand"] * lk.get("share", 1.0) / total_share * size[g] / firms)
    total = sum(b["demand"] for b in raw["buyers"] if is_export(b))
    if abs(sum(group_demand.values()) - total) > 1e-6 * total:
        raise SystemExit("template changed: an initial buyer has no links")
    main = next(b for b in blocks if is_initial_buyer(b) and get(b, "id") == MAIN_BUYER)
    volumes = ", ".join(f"{g} {d:,.0f}" for g, d in group_demand.items())

    def buyer(bid: str, label: str, demand: float, tag: str) -> str:
        b = put(main, "id", f'"{bid}"', tag)
        b = put(b, "name", f'"{label}"', tag)
        return put(b, "demand", f"{demand:.1f}", tag)

    def links(bid: str, tag: str) -> list[str]:
        return [f'[[links]]\nbuyer = "{bid}"\nfirms = ["{g}"]\n'
                f'governance = "quasi_hierarchy"   # {tag}: as the main buyer\'s links\n'
                f"share = {d / total:.6f}{' ' * 8}# {tag}: {g} had {d:,.0f} of the "
                f"template's {total:,.0f} pairs\n\n"
                for g, d in group_demand.items()]

    def assemble(new_buyers: list[str], new_links: list[str]) -> str:
        parts, placed_buyers, placed_links = [], False, False
        for b in blocks:
            if is_export_buyer(b):
                if not placed_buyers:
                    parts += new_buyers
                    placed_buyers = True
                continue
            if kind(b) == "links" and get(b, "buyer") in initial_ids:
                if not placed_links:
                    parts += new_links
                    placed_links = True
                continue
            parts.append(b)
        return "".join(parts).rstrip("\n") + "\n"

    attributes = ("the main US buyer's attributes (us-main: price, order size, losses, "
                  "governance costs, encroachment sensitivity, scouting)")
    tag = "COUNTERFACTUAL one buyer"
    out["sinos_one_buyer.toml"] = header(
        "all the cluster's export demand through one buyer (one change from "
        "sinos_valley.toml)", [
            f"What changed: the template's initial export buyers ({', '.join(initial_ids)}; "
            f"{total:,.0f} pairs a year together) are replaced by ONE buyer with {attributes} "
            f"and their summed demand, {total:,.0f} pairs a year. Its links give each lead "
            f"group the volume it had in the template ({volumes} pairs a year), all "
            f"quasi-hierarchical like the main buyer's. Changed lines carry the comment "
            f"'{tag}'. The fair buyers (arrival = \"fair\") and the domestic and Latin American "
            "buyers (who buy the firms' own collections) are not initial export demand and "
            "stay as they were; so do the firms, China, the fair, the shocks and the seed.",
            "Why: H&S 5: 'If local firms sell to few buyers to whom they are in a relationship "
            "of quasi-hierarchy, their risk of supporting a project of repositioning is "
            "particularly high ... the smaller the number of buyers the more limited the scope "
            "for local industrial policy aimed at repositioning local producers in global "
            "chains.' Compare with sinos_five_buyers.toml: the same total demand spread over "
            "five buyers.",
        ]) + renamed("one buyer") + assemble(
            [buyer(MAIN_BUYER, "the one US buyer", total, tag)], links(MAIN_BUYER, tag))

    tag = "COUNTERFACTUAL five buyers"
    ids = [f"us-{k}" for k in range(1, FIVE + 1)]
    out["sinos_five_buyers.toml"] = header(
        "the same export demand spread over five buyers (one change from "
        "sinos_valley.toml)", [
            f"What changed: as in sinos_one_buyer.toml the template's initial export buyers are "
            f"replaced, here by FIVE identical buyers ({', '.join(ids)}) with {attributes} and "
            f"{total / FIVE:,.0f} pairs a year each: the same total, {total:,.0f} pairs a year. "
            f"Each buyer orders from every lead firm, giving each lead group the volume it had "
            f"in the template ({volumes} pairs a year), so a lead firm's main buyer takes about "
            f"a fifth of its sales instead of all of them. Changed lines carry the comment "
            f"'{tag}'; everything else is as in the template.",
            "A consequence of the change itself, not a second change: each of the five buyers "
            "scouts on its own (as the one buyer does), so five scouts examine candidates each "
            "year and each may adopt a pilot supplier in China. To separate the allegiance "
            "effect from that, switch four of them off: --set buyers.us-2.scouting.enabled=false "
            "(and us-3, us-4, us-5).",
            "Why: H&S 5: 'While there is no firm correlation between the degree of hierarchy of "
            "a chain and the number of buyers, the latter is a useful proxy in empirical "
            "research ... the smaller the number of buyers the more limited the scope for local "
            "industrial policy'.",
        ]) + renamed("five buyers") + assemble(
            [buyer(bid, f"US buyer {k} of {FIVE}", total / FIVE, tag)
             for k, bid in enumerate(ids, 1)],
            [lk for bid in ids for lk in links(bid, tag)])

    for text_out in out.values():
        tomllib.loads(text_out)  # each file must still be valid TOML
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="report stale files and exit 1 instead of rewriting them")
    args = parser.parse_args()
    stale = []
    for name, text in derive(TEMPLATE.read_text()).items():
        target = HERE / name
        if target.exists() and target.read_text() == text:
            print(f"{name}: up to date")
            continue
        stale.append(name)
        if args.check:
            print(f"{name}: STALE (sinos_valley.toml changed; rerun without --check)")
        else:
            target.write_text(text)
            print(f"{name}: written")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
