"""MLX cache limit and clear (app/engine/memory.py): act only when MLX is in use; with the real
MLX (CPU here) the limit is set and the cache returned; the model thread applies the limit
after a load and clears the cache after a file job."""

from __future__ import annotations

import sys
import threading
from typing import Any

import numpy as np
import pytest

from app.engine import memory
from tests.workers.helpers import speech_like
from tests.workers.test_engine_thread import CFG, EN, Rig


class FakeMx:
    """Records the calls on the thread they came from."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object, str]] = []
        self.limit = 0

    def set_cache_limit(self, limit: int) -> int:
        self.calls.append(("limit", limit, threading.current_thread().name))
        previous, self.limit = self.limit, limit
        return previous

    def clear_cache(self) -> None:
        self.calls.append(("clear", None, threading.current_thread().name))

    def get_cache_memory(self) -> int:
        return 5 * memory.MB

    get_active_memory = get_peak_memory = get_cache_memory


def test_nothing_happens_without_mlx_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "mlx.core", raising=False)
    assert not memory.set_cache_limit(1024)
    assert not memory.clear_cache()
    assert memory.figures() == {}
    assert "mlx.core" not in sys.modules  # and MLX was not imported for it


def test_real_mlx_cache_limit_and_clear() -> None:
    import mlx.core as mx

    before = int(mx.set_cache_limit(0))
    try:
        assert memory.set_cache_limit(64)
        assert int(mx.set_cache_limit(64 * memory.MB)) == 64 * memory.MB
        a = mx.ones((256, 1024))
        mx.eval(a)
        del a
        assert memory.clear_cache()
        assert mx.get_cache_memory() == 0
        assert set(memory.figures()) == {"active_bytes", "cache_bytes", "peak_bytes"}
    finally:
        mx.set_cache_limit(before)


def test_model_thread_applies_the_limit_and_clears_after_a_file_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake: Any = FakeMx()
    monkeypatch.setitem(sys.modules, "mlx.core", fake)
    rig = Rig()
    try:
        rig.thread.set_cache_limit(1024)
        rig.load()
        assert fake.calls[0] == ("limit", 1024 * memory.MB, "granite-model")
        job = rig.thread.submit_file(rig.files.add("/a.wav", speech_like(2.0)), [EN], CFG)
        rig.rec.wait_done(job)
        rig.thread.set_cache_limit(256)  # a change applies before the next step
        rig.rec.wait_done(rig.thread.submit_audio(np.zeros(16_000, np.float32), 0.0, [EN]))
    finally:
        rig.thread.shutdown()
    assert ("clear", None, "granite-model") in fake.calls
    assert fake.calls[-1] == ("limit", 256 * memory.MB, "granite-model")
