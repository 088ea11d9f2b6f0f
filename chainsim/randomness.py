"""Random streams keyed by agent and purpose (common random numbers).

Every draw in chainsim comes from `Streams.get(agent, purpose)`: a numpy Generator seeded
by `SeedSequence(seed, spawn_key=(replication, hash(agent), hash(purpose)))`. Keys are
stable hashes of names, never creation order, so adding an agent or a mechanism leaves
every other agent's draws untouched. Generators are created lazily, on first use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import numpy as np


def stable_key(name: str) -> int:
    """A 64-bit key for a name, identical across processes and Python versions. 64 bits
    make collisions among even 200,000 firms' names vanishingly unlikely (32 bits did
    not: two colliding agents would share every stream)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class Streams:
    """The per-(agent, purpose) generators of one replication of one scenario."""

    __slots__ = ("seed", "replication", "_cache")

    def __init__(self, seed: int, replication: int = 0):
        self.seed = int(seed)
        self.replication = int(replication)
        self._cache: dict[tuple[str, str], np.random.Generator] = {}

    def get(self, agent: str, purpose: str) -> np.random.Generator:
        rng = self._cache.get((agent, purpose))
        if rng is None:
            seq = np.random.SeedSequence(
                self.seed, spawn_key=(self.replication, stable_key(agent), stable_key(purpose))
            )
            rng = self._cache[(agent, purpose)] = np.random.default_rng(seq)
        return rng


def uniform_draws(rng: np.random.Generator, block: int = 64) -> Iterator[float]:
    """`rng.random()`, one number at a time, drawn from the generator in blocks.

    numpy's Generator fills a block with exactly the numbers successive scalar calls would
    return, so a stream read through this iterator gives the same draws in the same order;
    only the per-call overhead goes (a hot path draws one number per order). Use it only
    for a stream nothing else reads: the block is drawn ahead of use.
    """
    while True:
        yield from rng.random(block).tolist()


def lognormal_draws(rng: np.random.Generator, sigma: float, block: int = 64
                    ) -> Iterator[float]:
    """`rng.lognormal(0.0, sigma)`, one number at a time, drawn in blocks (see
    `uniform_draws`: same numbers, same order)."""
    while True:
        yield from rng.lognormal(0.0, sigma, block).tolist()
