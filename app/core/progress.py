"""Elapsed time and time-left estimates for long jobs, plus compact formatting (pure Python)."""

from __future__ import annotations

import time
from collections.abc import Callable


def format_duration(seconds: float | None) -> str:
    """``m:ss`` or ``h:mm:ss``; ``--:--`` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "--:--"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressClock:
    """Tracks a job's start and estimates the time left from ``done``/``total`` so far.

    The estimate is linear in work units (chunks or seconds of audio); it is ``None`` until some
    work is done, since a rate cannot be measured before that.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._start = clock()
        self.done = 0.0
        self.total = 0.0

    def update(self, done: float, total: float) -> None:
        self.done, self.total = done, total

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total > 0 else 0.0

    @property
    def remaining(self) -> float | None:
        if self.done <= 0 or self.total <= 0:
            return None
        return max(0.0, self.elapsed * (self.total - self.done) / self.done)


def progress_line(label: str, clock: ProgressClock, width: int = 24, unit: str = "chunks") -> str:
    """``talk.mp3 [#####.....] 3/10 chunks 0:12 elapsed, 0:28 left``"""
    filled = round(clock.fraction * width)
    bar = "#" * filled + "." * (width - filled)
    count = f"{clock.done:g}/{clock.total:g} {unit}" if clock.total > 0 else "decoding"
    return (
        f"{label} [{bar}] {count} {format_duration(clock.elapsed)} elapsed, "
        f"{format_duration(clock.remaining)} left"
    )
