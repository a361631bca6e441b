"""Speculative-decoding preference reaches the engine at load and on change."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.core.preferences import Preferences
from app.engine.fastpath import SpeedOptions
from app.ui.settings.engine_options import EngineOptions


class Engine:
    name = "fake"

    def __init__(self) -> None:
        self.speed: SpeedOptions | None = None


class NoSpeedEngine:
    name = "plain fake"


def test_factory_sets_speed_from_preferences_and_apply_retunes():
    made: list[Engine] = []

    def base(spec, on_progress, cancel) -> Any:
        made.append(Engine())
        return made[-1]

    options = EngineOptions(base, replace(Preferences(), speculative_decoding=False))
    engine: Any = options.factory("m", lambda d, t: None, lambda: False)
    assert engine is made[0]
    assert made[0].speed == SpeedOptions(speculative=False)
    options.apply(replace(Preferences(), speculative_decoding=True))
    assert made[0].speed == SpeedOptions(speculative=True)
    # A reload gets the current options too.
    options.factory("m", lambda d, t: None, lambda: False)
    assert made[1].speed == SpeedOptions(speculative=True)


def test_engines_without_speed_options_are_left_alone():
    def base(*args) -> Any:
        return NoSpeedEngine()

    options = EngineOptions(base, Preferences())
    engine = options.factory("m", lambda d, t: None, lambda: False)
    options.apply(replace(Preferences(), speculative_decoding=False))
    assert not hasattr(engine, "speed")
