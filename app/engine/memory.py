"""MLX's buffer cache: a limit and a clear, called on the model thread.

MLX keeps freed Metal buffers cached for reuse; by default the cache may grow to most of the
RAM, which pushes an 8 GB Mac into swap next to a ~3 GB model. ``set_cache_limit`` bounds it
(Preferences → Advanced, default 1 GB) and ``clear_cache`` returns it after a file job.

Both act only when MLX is already in use in this process (the real engine imported it):
they never import MLX themselves, so test engines and headless front ends stay MLX-free.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger(__name__)

MB = 1024 * 1024


def _mlx() -> Any | None:
    return sys.modules.get("mlx.core")


def set_cache_limit(megabytes: int) -> bool:
    """Limit MLX's buffer cache; ``0`` keeps MLX's default. False when MLX is not in use."""
    mx = _mlx()
    if mx is None or megabytes <= 0:
        return False
    previous = int(mx.set_cache_limit(int(megabytes) * MB))
    log.info("MLX cache limit %d MB (was %d MB)", megabytes, previous // MB)
    return True


def clear_cache() -> bool:
    """Give MLX's cached buffers back to the system. False when MLX is not in use."""
    mx = _mlx()
    if mx is None:
        return False
    cached = int(mx.get_cache_memory())
    mx.clear_cache()
    log.info("MLX cache cleared (%d MB)", cached // MB)
    return True


def figures() -> dict[str, int]:
    """Active, cached and peak MLX memory in bytes (empty when MLX is not in use)."""
    mx = _mlx()
    if mx is None:
        return {}
    return {
        "active_bytes": int(mx.get_active_memory()),
        "cache_bytes": int(mx.get_cache_memory()),
        "peak_bytes": int(mx.get_peak_memory()),
    }
