"""Money, a sink of the journal: every payment is a transfer between two accounts, so money
is conserved.

Accounts are firms, buyers and `WORLD` (wages, materials, transport, public budgets and
final consumers: everything outside the chain). An account is a pair (book, index): the
firms' book is the firm table's cash list, so a firm's cash is read where it is kept.
Totals by kind let the results check that what buyers paid is what lead firms received,
and what lead firms paid spokes is what spokes received.
"""

from __future__ import annotations

import math
from collections import defaultdict

FIRMS, BUYERS, OUTSIDE = range(3)
Account = tuple[int, int]
WORLD: Account = (OUTSIDE, 0)


def firm_account(firm: int) -> Account:
    return (FIRMS, firm)


def buyer_account(buyer: int) -> Account:
    return (BUYERS, buyer)


class Ledger:
    """Cash of every account and the total paid by kind."""

    def __init__(self, firm_cash: list[float], n_buyers: int):
        self.firm_cash = firm_cash
        self.buyer_cash = [0.0] * n_buyers
        self._world = [-math.fsum(firm_cash)]  # initial cash came from outside the chain
        self.books = (self.firm_cash, self.buyer_cash, self._world)  # by Account[0]
        self.totals: dict[str, float] = defaultdict(float)

    @property
    def world(self) -> float:
        return self._world[0]

    def transfer(self, kind: str, payer: Account, payee: Account, amount: float) -> None:
        books = self.books
        books[payer[0]][payer[1]] -= amount
        books[payee[0]][payee[1]] += amount
        self.totals[kind] += amount

    def imbalance(self) -> float:
        """Total money in all accounts; zero up to rounding when money is conserved."""
        return math.fsum([*self.firm_cash, *self.buyer_cash, self.world])
