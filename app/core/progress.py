"""Progress of long work: time left, transfer speed, and the short texts every front end
shows for them (pure Python, injectable clocks so tests drive time by hand).

One estimator of time left for work measured in fractions (``EtaEstimator``: the command line's
``ProgressClock`` and the window's queue both use it), one for byte transfers that may resume
(``RateEstimator``: speed over a sliding window) and one ``format_duration``.

API::

    format_duration(s) -> "45 s" | "3 min 05 s" | "12 min" | "1 h 05 min" | "--" (unknown)
    EtaEstimator(alpha=0.3).update(elapsed_s, fraction) -> float | None
    ProgressClock(clock).update(done, total); .elapsed, .fraction, .remaining
    progress_line(label, clock) -> "talk.mp3 [#####.....] 3/10 chunks 12 s elapsed, 28 s left"
    RateEstimator(clock, window_s=5.0).update(done, total) -> RateSnapshot
    format_bytes(n), format_rate(bps), format_eta(s), progress_text(snapshot)
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


def format_eta(seconds: float | None) -> str:
    if _unknown(seconds):
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


def _unknown(seconds: float | None) -> bool:
    return seconds is None or math.isinf(seconds) or math.isnan(seconds) or seconds < 0


def format_duration(seconds: float | None) -> str:
    """``"45 s"``, ``"3 min 05 s"`` (under 10 min), ``"12 min"``, ``"1 h 05 min"``; ``"--"``
    when unknown."""
    if seconds is None or _unknown(seconds):
        return "--"
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


class EtaEstimator:
    """Time left from elapsed time and fraction done, exponentially smoothed.

    The raw estimate ``elapsed * (1 - f) / f`` jumps around early on; smoothing with ``alpha``
    keeps the display calm. Nothing is shown before 1 % progress or 1 s of work.
    """

    def __init__(self, alpha: float = 0.3) -> None:
        self._alpha = alpha
        self._eta: float | None = None
        self._last_elapsed = 0.0

    def update(self, elapsed_s: float, fraction: float) -> float | None:
        f = min(1.0, max(0.0, fraction))
        if f >= 1.0:
            self._eta = 0.0
            return 0.0
        if f < 0.01 or elapsed_s < 1.0:
            return self._eta
        raw = elapsed_s * (1.0 - f) / f
        if self._eta is None:
            self._eta = raw
        else:
            # Count down the previous estimate by the time that passed, then blend.
            predicted = max(0.0, self._eta - (elapsed_s - self._last_elapsed))
            self._eta = self._alpha * raw + (1.0 - self._alpha) * predicted
        self._last_elapsed = elapsed_s
        return self._eta


class ProgressClock:
    """A job's elapsed time and time left (``EtaEstimator``) from ``done``/``total`` so far;
    ``remaining`` is ``None`` until some work is done."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._start = clock()
        self._eta = EtaEstimator()
        self._estimate: tuple[float, float] | None = None  # (seconds left, at elapsed)
        self.done = 0.0
        self.total = 0.0

    def update(self, done: float, total: float) -> None:
        self.done, self.total = done, total
        elapsed = self.elapsed
        left = self._eta.update(elapsed, self.fraction) if self.done > 0 else None
        self._estimate = None if left is None else (left, elapsed)

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total > 0 else 0.0

    @property
    def remaining(self) -> float | None:
        if self._estimate is None:
            return None
        left, at = self._estimate
        return max(0.0, left - (self.elapsed - at))


def progress_line(label: str, clock: ProgressClock, width: int = 24, unit: str = "chunks") -> str:
    """``talk.mp3 [#####.....] 3/10 chunks 12 s elapsed, 28 s left``"""
    filled = round(clock.fraction * width)
    bar = "#" * filled + "." * (width - filled)
    count = f"{clock.done:g}/{clock.total:g} {unit}" if clock.total > 0 else "decoding"
    return (
        f"{label} [{bar}] {count} {format_duration(clock.elapsed)} elapsed, "
        f"{format_duration(clock.remaining)} left"
    )
