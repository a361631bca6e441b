from __future__ import annotations

from app.core.progress import ProgressClock, format_duration, progress_line


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_format_duration() -> None:
    assert format_duration(None) == "--:--"
    assert format_duration(float("nan")) == "--:--"
    assert format_duration(59.6) == "1:00"
    assert format_duration(3725) == "1:02:05"


def test_remaining_is_linear_in_work_done() -> None:
    clock = Clock()
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
    assert line == "talk.mp3 [##########] 10/10 chunks 0:05 elapsed, 0:00 left"
    assert "decoding" in progress_line("x", ProgressClock(clock))
