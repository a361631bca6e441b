from __future__ import annotations

from app.core.text.timecode import clock


def test_clock() -> None:
    assert [clock(t) for t in (0, 7.9, 59.99, 60, 754, 3723.5, -3, float("nan"))] == [
        "0:00",
        "0:07",
        "0:59",
        "1:00",
        "12:34",
        "1:02:03",
        "0:00",
        "0:00",
    ]
