"""A clock the test sets by hand (``clock.now = 10.0``), for code that takes a ``clock``
callable returning seconds (progress, time left, queue timings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FakeClock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now
