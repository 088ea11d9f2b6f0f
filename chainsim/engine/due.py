"""Timeouts that only call back: the order path's events, lighter than SimPy's `Timeout`.

Every stage of an order (assembly done, a rework done, arrival at the buyer) is a
timeout listened to by one callback and nothing else. SimPy's `Timeout` builds an event
with an attribute dict, a fresh callback list and a value; `Due` is an event with two
slots and a callback tuple shared by every event of its stage, put on the environment's
queue under the key `Timeout` would give it: (now + delay, NORMAL, the next event id).
SimPy processes it at the same place, in the same order (`Environment.step` reads an
event's `callbacks` and `_ok`), and the events counted processed
(`simulation.events_processed`) are the same, since the id comes from the same counter.
Relies on SimPy 4's queue layout, which tests/test_orderflow.py checks against `Timeout`.
"""

from __future__ import annotations

from heapq import heappush
from typing import TYPE_CHECKING, Any

from simpy.events import NORMAL

if TYPE_CHECKING:
    from collections.abc import Callable

    import simpy


class Due:
    """A timeout that never fails and calls back the callbacks it was given."""

    __slots__ = ("callbacks", "value")
    _ok = True

    def __init__(self, env: simpy.Environment, delay: float,
                 callbacks: tuple[Callable[[Due], None], ...], value: Any):
        self.callbacks = callbacks
        self.value = value
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))
