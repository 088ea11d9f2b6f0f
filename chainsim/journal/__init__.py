"""The journal and its sinks: the one record stream of what happens in the chain."""

from chainsim.journal.book import STAGES, OrderBook
from chainsim.journal.journal import Entry, Journal
from chainsim.journal.ledger import WORLD, Account, Ledger, buyer_account, firm_account
from chainsim.journal.tallies import DecisionLog, EventTables, PeriodFlows

__all__ = ["STAGES", "WORLD", "Account", "DecisionLog", "Entry", "EventTables", "Journal",
           "Ledger", "OrderBook", "PeriodFlows", "buyer_account", "firm_account"]
