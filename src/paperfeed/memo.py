"""A value read again at most every few seconds per process.

Page ETags consult the catalogue version and the community revision several times
a request and on every request; reading them at most once a second keeps that off
the hot path, and a writer ``forget``s so its own next page shows its change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Recent(Generic[T]):
    def __init__(self, compute: Callable[[], T], seconds: float = 1.0) -> None:
        self._compute = compute
        self._seconds = seconds
        self._at = -1.0
        self._value: T | None = None

    def __call__(self) -> T:
        now = time.monotonic()
        if self._at < 0 or now - self._at >= self._seconds:
            self._value = self._compute()
            self._at = now
        return self._value  # type: ignore[return-value]

    def forget(self) -> None:
        self._at = -1.0
