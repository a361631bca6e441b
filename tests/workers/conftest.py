"""Fixtures of the model-thread tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.workers.qt_engine import EngineBridge

#: The tiny model's first load and runs on a busy 2-core machine.
TINY_TIMEOUT_MS = 300_000


@pytest.fixture
def tiny_bridge(qtbot, tiny_model_dir: Path) -> Iterator[EngineBridge]:
    """The Qt bridge with the app's own loader (its default factory) and the tiny random
    model loaded; shut down afterwards."""
    bridge = EngineBridge()
    try:
        with qtbot.waitSignal(
            bridge.modelStateChanged,
            timeout=TINY_TIMEOUT_MS,
            check_params_cb=lambda s, m: s in ("ready", "error", "missing"),
        ) as state:
            bridge.load_model(str(tiny_model_dir))
        assert state.args[0] == "ready", state.args
        yield bridge
    finally:
        bridge.shutdown()
