from __future__ import annotations

import pytest

from app.core.progress import (
    ProgressClock,
    RateEstimator,
    format_bytes,
    format_duration,
    format_eta,
    progress_line,
    progress_text,
)
from tests.support.clock import FakeClock


def test_format_duration_unknown() -> None:
    assert format_duration(None) == "--"
    assert format_duration(float("nan")) == "--"
    assert format_duration(59.6) == "1 min 00 s"
    assert format_duration(3725) == "1 h 02 min"


def test_remaining_from_work_done() -> None:
    clock = FakeClock(100.0)
    p = ProgressClock(clock)
    assert p.remaining is None and p.fraction == 0.0
    p.update(0, 10)
    clock.now += 5
    assert p.remaining is None
    p.update(2, 10)
    assert p.elapsed == 5 and p.remaining == 20 and p.fraction == 0.2
    p.update(10, 10)
    assert p.remaining == 0
    line = progress_line("talk.mp3", p, width=10)
    assert line == "talk.mp3 [##########] 10/10 chunks 5 s elapsed, 0 s left"
    assert "decoding" in progress_line("x", ProgressClock(clock))


def test_rate_and_eta_over_window() -> None:
    clock = FakeClock()
    est = RateEstimator(clock, window_s=5.0)
    first = est.update(0, 1000)
    assert first.rate is None and first.eta_s is None
    for _ in range(10):
        clock.now += 1.0
        snap = est.update(snap_done := int(clock.now * 10), 1000)
    assert snap.done == snap_done == 100
    assert snap.rate == pytest.approx(10.0)
    assert snap.eta_s == pytest.approx(90.0)
    assert snap.fraction == pytest.approx(0.1)


def test_window_follows_speed_changes() -> None:
    clock = FakeClock()
    est = RateEstimator(clock, window_s=2.0)
    done = 0
    for _ in range(10):  # 100 B/s
        clock.now += 1
        done += 100
        est.update(done, 10_000)
    for _ in range(5):  # then 1000 B/s
        clock.now += 1
        done += 1000
        snap = est.update(done, 10_000)
    assert snap.rate == pytest.approx(1000.0)


def test_resume_does_not_count_bytes_already_on_disk() -> None:
    clock = FakeClock()
    est = RateEstimator(clock)
    est.update(1_500_000_000, 2_900_000_000)
    clock.now += 2.0
    snap = est.update(1_520_000_000, 2_900_000_000)
    assert snap.rate == pytest.approx(10_000_000.0)


def test_going_backwards_restarts_the_window() -> None:
    clock = FakeClock()
    est = RateEstimator(clock)
    est.update(0, 100)
    clock.now += 1
    est.update(50, 100)
    clock.now += 1
    snap = est.update(10, 100)
    assert snap.rate is None


def test_stalled_transfer_has_no_eta() -> None:
    clock = FakeClock()
    est = RateEstimator(clock)
    est.update(10, 100)
    clock.now += 3
    snap = est.update(10, 100)
    assert snap.rate == 0.0 and snap.eta_s is None
    assert "time left unknown" in progress_text(snap)


def test_formats() -> None:
    assert format_bytes(999) == "999 B"
    assert format_bytes(1_500) == "1.5 KB"
    assert format_bytes(2_900_000_000) == "2.9 GB"
    assert format_duration(45.2) == "46 s"
    assert format_duration(185) == "3 min 05 s"
    assert format_duration(725) == "12 min"
    assert format_duration(3_900) == "1 h 05 min"
    assert format_eta(None) == "time left unknown"
    assert format_eta(90) == "1 min 30 s left"


def test_progress_text() -> None:
    clock = FakeClock()
    est = RateEstimator(clock)
    est.update(0, 2_900_000_000)
    clock.now += 10
    snap = est.update(120_000_000, 2_900_000_000)
    assert progress_text(snap) == "120.0 MB of 2.9 GB · 12.0 MB/s · 3 min 52 s left"
    done = est.update(2_900_000_000, 2_900_000_000)
    assert progress_text(done).startswith("2.9 GB of 2.9 GB")
    assert "left" not in progress_text(done)
