"""Sizes chainsim refuses before building anything, so absurd input never exhausts memory."""

MAX_HORIZON_YEARS = 500
MAX_FIRMS_PER_GROUP = 100_000
MAX_TOTAL_FIRMS = 200_000
MAX_BUYERS = 10_000
MAX_ORDERS = 50_000_000
MAX_REPLICATIONS = 100_000
