"""Sizes chainsim refuses before building anything, so absurd input never exhausts memory.

Every limit is checked while the scenario is validated (`chainsim.scenario.sizes`), before
any agent is built, and the message names the limit. Sizes multiply, so the limits are on
products as well as on factors: firms x recording periods, links x periods, fair holdings
x clusters, contact draws over the run, the devaluation factors of a cluster.

Memory of a run grows with the records it keeps; the number of orders costs time, not
memory (orders are counters). Measured on the Italian district over 10 years (CPython
3.11, the records while running plus their table at the end): a firm record about 90
bytes, a link record 300, a logged decision 750, a fair record 340. At every record limit
at once a run holds about 5M x 90 + 5M x 300 + 2M x 750 + 1M x 340 bytes, under 4 GB,
so two workers and the main process fit in 16 GB.
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
MAX_FAIRS = 1_000  # [[fairs]]; each fair keeps its own list of the buyers met there
MAX_FAIR_RECORDS = 1_000_000  # fair holdings over the horizon x clusters (the fair table)
MAX_CONTACT_RATE = 10_000  # expected contacts per exhibition; MAX_BUYERS buyers to meet
MAX_FAIR_CONTACTS = 10_000_000  # contact draws over the horizon, estimated
MIN_INTERVAL_DAYS = 1.0  # shortest review, scouting or proposal interval
MAX_MAGNITUDE = 1e15  # largest absolute value of any number in a scenario
MAX_SCOUTING_NOISE = 5.0  # sd of the log error of scouted costs; e^5 = 150-fold errors
MAX_REPLICATIONS = 100_000
MAX_PROBLEMS_SHOWN = 50  # problems printed per file; the rest are counted
