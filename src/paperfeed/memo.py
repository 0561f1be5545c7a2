"""Values worked out once and kept: for a few seconds per process (``Recent``), in a
bounded table (``Lru``), or for the life of one object such as a request (``PerObject``).

Page ETags consult the catalogue version and the community revision several times
a request and on every request; reading them at most once a second keeps that off
the hot path, and a writer ``forget``s so its own next page shows its change.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K")
S = TypeVar("S")
Obj = TypeVar("Obj")


class Recent(Generic[T]):
    def __init__(self, compute: Callable[[], T], seconds: float = 1.0) -> None:
        self._compute = compute
        self._seconds = seconds
        self._read: tuple[float, T] | None = None  # (when, value)

    def __call__(self) -> T:
        now = time.monotonic()
        read = self._read
        if read is None or now - read[0] >= self._seconds:
            read = self._read = (now, self._compute())
        return read[1]

    def forget(self) -> None:
        self._read = None


class Lru(Generic[K, S, T]):
    """A bounded mapping, safe across threads, that drops its least recently used
    entry. Each value is stored with a stamp of type ``S`` (when it was read, which
    version it belongs to); :meth:`get` returns it only while ``fresh(stamp)`` holds.

    With ``weigh`` and ``budget``, entries are also dropped, oldest first, while their
    weights add up to more than the budget (the newest entry always stays): a few
    large values, such as a big filter's vectors, then cannot hold a process's memory
    hostage the way a count of entries would let them."""

    def __init__(self, size: int, weigh: Callable[[T], int] | None = None, budget: int = 0) -> None:
        self.size = size
        self._weigh = weigh
        self._budget = budget
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, tuple[S, T]] = OrderedDict()

    def get(self, key: K, fresh: Callable[[S], bool]) -> T | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or not fresh(hit[0]):
                return None
            self._entries.move_to_end(key)
            return hit[1]

    def put(self, key: K, stamp: S, value: T) -> None:
        with self._lock:
            self._entries[key] = (stamp, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            if self._weigh is not None:
                weights = [self._weigh(v) for _, v in self._entries.values()]
                total = sum(weights)
                for weight in weights[:-1]:
                    if total <= self._budget:
                        break
                    self._entries.popitem(last=False)
                    total -= weight

    def current(self, key: K, stamp: S, compute: Callable[[], T]) -> T:
        """The value kept under ``key`` if it was kept with this very ``stamp`` (the
        catalogue version, a table's state); otherwise ``compute()``'s, kept with it.
        Two threads missing at once both compute, and the later one's value stays."""
        found = self.get(key, lambda kept: kept == stamp)
        if found is None:
            found = compute()
            self.put(key, stamp, found)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class PerObject(Generic[Obj, T]):
    """``compute(obj)`` worked out once per object and kept on the object itself, in
    its ``__dict__`` under ``name``: a request's ETag or vote buttons, a paper's
    submission for the two panels of its page.

    On the object, the value lives exactly as long as the object and is never seen
    by another request or thread. A table keyed by the object would not do: model
    instances compare and hash by primary key, so two loads of one row would share
    a value (a submission read before a write), and an unsaved one has no hash."""

    def __init__(self, name: str, compute: Callable[[Obj], T]) -> None:
        self.name = name
        self._compute = compute

    def __call__(self, obj: Obj) -> T:
        kept = vars(obj)
        if self.name not in kept:
            kept[self.name] = self._compute(obj)
        return kept[self.name]
