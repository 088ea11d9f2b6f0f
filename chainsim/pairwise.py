"""numpy's mean of a float64 array, bit for bit, on a Python list.

`ndarray.mean` of a handful of numbers costs microseconds of numpy overhead; a lead
firm's chain process averages its spokes' (about eight) every time a buyer weighs it. The
average must stay the number numpy gives, so this follows numpy's own summation (pairwise:
blocks of up to 128 summed with eight accumulators, shorter than eight in sequence, longer
split in halves at a multiple of eight), then divides by the count.
tests/test_pairwise.py checks it against numpy on random arrays of many sizes.
"""

from __future__ import annotations

BLOCK = 128  # numpy's PW_BLOCKSIZE


def pairwise_sum(values: list[float], start: int = 0, n: int | None = None) -> float:
    """The sum numpy's `add.reduce` gives for `values[start:start + n]`."""
    if n is None:
        n = len(values) - start
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += values[i]
        return total
    if n <= BLOCK:
        r = values[start:start + 8]
        i = 8
        while i < n - n % 8:
            for j in range(8):
                r[j] += values[start + i + j]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for k in range(start + i, start + n):
            total += values[k]
        return total
    half = n // 2
    half -= half % 8
    return pairwise_sum(values, start, half) + pairwise_sum(values, start + half, n - half)


def mean(values: list[float]) -> float:
    """`np.asarray(values, dtype=float).mean()`, as a Python float (non-empty `values`)."""
    return pairwise_sum(values) / len(values)
