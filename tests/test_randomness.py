"""Block draws read one at a time give exactly the draws of one-at-a-time calls.

The order path reads its inspection and transit streams through `uniform_draws` and
`lognormal_draws` (chainsim/randomness.py); results stay those of scalar draws only if
numpy fills a block with the very numbers successive scalar calls would return.
"""

from __future__ import annotations

from itertools import islice

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from chainsim.randomness import lognormal_draws, uniform_draws


@given(seed=st.integers(0, 2**63), n=st.integers(1, 300), block=st.integers(1, 70))
def test_uniform_blocks_match_scalar_draws(seed: int, n: int, block: int) -> None:
    scalar = np.random.default_rng(seed)
    expected = [scalar.random() for _ in range(n)]
    assert list(islice(uniform_draws(np.random.default_rng(seed), block), n)) == expected


@given(seed=st.integers(0, 2**63), n=st.integers(1, 300), block=st.integers(1, 70),
       sigma=st.floats(0.0, 2.0))
def test_lognormal_blocks_match_scalar_draws(seed: int, n: int, block: int,
                                             sigma: float) -> None:
    scalar = np.random.default_rng(seed)
    expected = [float(scalar.lognormal(0.0, sigma)) for _ in range(n)]
    drawn = list(islice(lognormal_draws(np.random.default_rng(seed), sigma, block), n))
    assert drawn == expected
