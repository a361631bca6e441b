"""Preferences that tune the loaded engine: speculative decoding on or off.

The engine is created on the model thread by the bridge's factory; this wrapper sets its exact
speed-up options from the current preferences when it loads, and again when the preferences
change. ``GraniteEngine.run`` reads ``engine.speed`` once at the start of each chunk, so a change
applies from the next chunk on; only a plain attribute crosses threads, never MLX state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.core.preferences import Preferences
from app.engine.base import SpeechEngine
from app.engine.fastpath import SpeedOptions
from app.workers.engine_thread import EngineFactory

log = logging.getLogger(__name__)


def speed_options(prefs: Preferences) -> SpeedOptions:
    return SpeedOptions(speculative=prefs.speculative_decoding)


class EngineOptions:
    """Wraps an engine factory; ``apply(prefs)`` retunes the engine it last made."""

    def __init__(self, base: EngineFactory, prefs: Preferences) -> None:
        self._base = base
        self._options = speed_options(prefs)
        self._engine: Any = None

    def factory(self, spec: str, on_progress: Any, cancel: Callable[[], bool]) -> SpeechEngine:
        engine = self._base(spec, on_progress, cancel)
        if hasattr(engine, "speed"):  # the granite adapter; fakes have no speed-ups
            engine.speed = self._options
        self._engine = engine
        return engine

    def apply(self, prefs: Preferences) -> None:
        options = speed_options(prefs)
        if options == self._options:
            return
        self._options = options
        if self._engine is not None and hasattr(self._engine, "speed"):
            self._engine.speed = options
        log.info("Speculative decoding %s", "on" if options.speculative else "off")
