"""Short clock times for the window: elapsed recording time, the player's position and the
transcript's timestamp gutter."""

from __future__ import annotations

import math


def clock(seconds: float) -> str:
    """``0:07``, ``12:34``, ``1:02:03`` (whole seconds, rounded down; negatives are 0)."""
    total = math.floor(max(seconds, 0.0)) if math.isfinite(seconds) else 0
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
