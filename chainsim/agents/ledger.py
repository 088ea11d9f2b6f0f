"""Money: every payment is a transfer between two accounts, so money is conserved.

Accounts are firms, buyers and `WORLD` (wages, materials, transport, public budgets and
final consumers: everything outside the chain). Totals by kind let the results check that
what buyers paid is what lead firms received, and what lead firms paid spokes is what
spokes received (MODEL.md 6).
"""

from __future__ import annotations

import math
from collections import defaultdict

WORLD = -1


class Ledger:
    def __init__(self, firm_cash: list[float], n_buyers: int):
        self.firm_cash = firm_cash
        self.buyer_cash = [0.0] * n_buyers
        self.world = -math.fsum(firm_cash)  # initial cash came from outside the chain
        self.totals: dict[str, float] = defaultdict(float)

    def firm_to_world(self, kind: str, firm: int, amount: float) -> None:
        self.firm_cash[firm] -= amount
        self.world += amount
        self.totals[kind] += amount

    def world_to_firm(self, kind: str, firm: int, amount: float) -> None:
        self.firm_cash[firm] += amount
        self.world -= amount
        self.totals[kind] += amount

    def firm_to_firm(self, kind: str, payer: int, payee: int, amount: float) -> None:
        self.firm_cash[payer] -= amount
        self.firm_cash[payee] += amount
        self.totals[kind] += amount

    def buyer_to_firm(self, kind: str, buyer: int, firm: int, amount: float) -> None:
        self.buyer_cash[buyer] -= amount
        self.firm_cash[firm] += amount
        self.totals[kind] += amount

    def firm_to_buyer(self, kind: str, firm: int, buyer: int, amount: float) -> None:
        self.firm_cash[firm] -= amount
        self.buyer_cash[buyer] += amount
        self.totals[kind] += amount

    def world_to_buyer(self, kind: str, buyer: int, amount: float) -> None:
        self.buyer_cash[buyer] += amount
        self.world -= amount
        self.totals[kind] += amount

    def buyer_to_world(self, kind: str, buyer: int, amount: float) -> None:
        self.buyer_cash[buyer] -= amount
        self.world += amount
        self.totals[kind] += amount

    def imbalance(self) -> float:
        """Total money in all accounts; zero up to rounding when money is conserved."""
        return math.fsum([*self.firm_cash, *self.buyer_cash, self.world])
