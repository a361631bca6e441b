"""Transfer speed and time-left estimates, plus the short texts the GUI shows for them.

Pure Python with an injectable clock, so tests drive time by hand.

API::

    RateEstimator(clock=time.monotonic, window_s=5.0)
        .update(done: int, total: int) -> RateSnapshot   # call on every progress report
        .reset()
    RateSnapshot(done, total, rate: float | None, eta_s: float | None)
    format_bytes(n) -> "1.2 GB"; format_rate(bps) -> "12.3 MB/s"; format_eta(s) -> "3 min left"
    progress_text(snapshot) -> "1.2 GB of 2.9 GB · 12.3 MB/s · 3 min left"
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

#: Before this much time has passed between samples, a speed figure is mostly noise.
MIN_SPAN_S = 0.5


@dataclass(frozen=True)
class RateSnapshot:
    done: int
    total: int
    #: Units per second over the recent window; ``None`` until there is enough data.
    rate: float | None
    #: Seconds left at that rate; ``None`` if unknown (no rate, no total, or stalled).
    eta_s: float | None

    @property
    def fraction(self) -> float | None:
        if self.total <= 0:
            return None
        return min(1.0, max(0.0, self.done / self.total))


class RateEstimator:
    """Speed over a sliding window of recent samples.

    Measures what was transferred *since the first sample*, so a resumed download that starts
    at 1.5 GB already on disk does not report a huge speed. If ``done`` goes backwards (a
    restart) the window starts again.
    """

    def __init__(self, clock: Clock = time.monotonic, window_s: float = 5.0) -> None:
        self._clock = clock
        self._window_s = window_s
        self._samples: deque[tuple[float, int]] = deque()

    def reset(self) -> None:
        self._samples.clear()

    def update(self, done: int, total: int) -> RateSnapshot:
        now = self._clock()
        if self._samples and done < self._samples[-1][1]:
            self._samples.clear()
        self._samples.append((now, done))
        # Keep one sample at or beyond the window edge so the span stays about window_s long.
        while len(self._samples) > 2 and now - self._samples[1][0] >= self._window_s:
            self._samples.popleft()
        t0, d0 = self._samples[0]
        span = now - t0
        rate: float | None = None
        if span >= MIN_SPAN_S:
            rate = (done - d0) / span
        eta: float | None = None
        if total > 0 and done >= total:
            eta = 0.0
        elif rate is not None and rate > 0 and total > 0:
            eta = (total - done) / rate
        return RateSnapshot(done=done, total=total, rate=rate, eta_s=eta)


def format_bytes(n: float) -> str:
    """Decimal units, as download sizes are usually quoted (``2.9 GB``)."""
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if abs(value) < 1000 or unit == "GB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def format_rate(bytes_per_s: float) -> str:
    return f"{format_bytes(bytes_per_s)}/s"


def format_duration(seconds: float) -> str:
    """``"45 s"``, ``"3 min 05 s"`` (under 10 min), ``"12 min"``, ``"1 h 05 min"``."""
    s = max(0, math.ceil(seconds))
    if s < 60:
        return f"{s} s"
    minutes, sec = divmod(s, 60)
    if minutes < 10:
        return f"{minutes} min {sec:02d} s"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_eta(seconds: float | None) -> str:
    if seconds is None or math.isinf(seconds) or math.isnan(seconds):
        return "time left unknown"
    return f"{format_duration(seconds)} left"


def progress_text(snap: RateSnapshot) -> str:
    """One status line for a byte transfer: amount, speed and time left (when known)."""
    amount = format_bytes(snap.done)
    if snap.total > 0:
        amount = f"{amount} of {format_bytes(snap.total)}"
    parts = [amount]
    if snap.rate is not None:
        parts.append(format_rate(max(0.0, snap.rate)))
    if snap.total > 0 and snap.done < snap.total:
        parts.append(format_eta(snap.eta_s))
    return " · ".join(parts)
