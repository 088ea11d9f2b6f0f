"""chainsim.pairwise gives numpy's sums and means bit for bit."""

from __future__ import annotations

import numpy as np

from chainsim.pairwise import mean, pairwise_sum


def test_mean_and_sum_equal_numpys_bit_for_bit():
    rng = np.random.default_rng(3)
    for n in [*range(1, 140), 255, 256, 257, 300, 1000, 1031]:
        for scale in (1.0, 1e6):
            x = rng.random(n) * scale - scale / 3
            values = x.tolist()
            assert mean(values) == x.mean()
            assert pairwise_sum(values) == np.add.reduce(x)


def test_mean_of_a_fancy_index_as_the_chain_process_takes_it():
    rng = np.random.default_rng(4)
    caps = rng.random((300, 4))
    for n in (1, 3, 7, 8, 9, 17, 64, 200):
        rows = sorted(rng.choice(300, size=n, replace=False).tolist())
        assert mean([caps.item(r, 0) for r in rows]) == caps[rows, 0].mean()
