"""Shared pytest fixtures (registered from tests/conftest.py).

Model fixtures: the tiny random granite_speech checkpoint, built once per test session in the
mlx-community 8-bit layout (``tiny_model_dir``) and as unquantized float32
(``tiny_model_f32_dir``), and ``tiny_engine``, a GraniteEngine loaded by the app's own loader on
the main thread (MLX streams belong to the thread that made them: use it only from the test
thread).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from app.engine.runner import GraniteEngine


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model, 8-bit quantized LM + bf16 encoder/projector, as the app loads it."""
    from tests.support.tiny_model import build

    return build(tmp_path_factory.mktemp("models") / "tiny-granite-8bit")


@pytest.fixture(scope="session")
def tiny_model_f32_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same tiny model (same seed), unquantized float32, for exactness tests."""
    from tests.support.tiny_model import build

    return build(
        tmp_path_factory.mktemp("models") / "tiny-granite-f32", quantize=False, dtype="float32"
    )


@pytest.fixture(scope="session")
def tiny_engine(tiny_model_dir: Path) -> Iterator[GraniteEngine]:
    """A GraniteEngine on the tiny 8-bit model (main thread only), on the PLAIN path.

    The app's default engine runs the exact speed-ups (``app.engine.runner``); tests use the
    plain stage-by-stage path as the reference they compare those speed-ups against.
    """
    from app.engine.loader import load_engine

    engine = load_engine(str(tiny_model_dir))
    engine.speed = None
    yield engine


@pytest.fixture(scope="session")
def tiny_sortformer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Sortformer speaker model in its real layout (config.json + safetensors)."""
    from tests.support.tiny_sortformer import build

    return build(tmp_path_factory.mktemp("models") / "tiny-sortformer")
