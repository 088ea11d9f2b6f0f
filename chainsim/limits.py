"""Sizes chainsim refuses before building anything, so absurd input never exhausts memory.

Every limit is checked while the scenario is validated (`chainsim.scenario.checks`), before
any agent is built, and the message names the limit. Memory of a run grows with the records
it keeps: firm-periods (one row per firm per period), link-periods and decision-log rows
(about 1 kB each); the number of orders costs time, not memory (orders are counters).
"""

MAX_FILE_BYTES = 50_000_000  # a scenario file; larger files are refused unread
MAX_NESTING = 50  # arrays and tables inside one another in a scenario file
MAX_HORIZON_YEARS = 500
MAX_FIRMS_PER_GROUP = 100_000
MAX_TOTAL_FIRMS = 200_000
MAX_BUYERS = 10_000
MAX_LINKS = 1_000_000  # buyer-firm links declared in [[links]], after expanding groups
MAX_ORDERS = 50_000_000  # orders over the horizon, estimated before the run
MAX_FIRM_PERIODS = 5_000_000  # firms x recording periods (the firm panel)
MAX_LINK_PERIODS = 5_000_000  # declared links x recording periods (the link panel)
MAX_DECISIONS = 2_000_000  # periodic decisions logged over the horizon, estimated
MIN_INTERVAL_DAYS = 1.0  # shortest review, scouting or proposal interval
MAX_MAGNITUDE = 1e15  # largest absolute value of any number in a scenario
MAX_SCOUTING_NOISE = 5.0  # sd of the log error of scouted costs; e^5 = 150-fold errors
MAX_REPLICATIONS = 100_000
MAX_PROBLEMS_SHOWN = 50  # problems printed per file; the rest are counted
