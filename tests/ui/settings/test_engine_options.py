"""Speculative-decoding preference reaches the engine ON THE MODEL THREAD, at load and on
change (the GUI never touches the engine)."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import numpy as np

from app.core.model_state import ModelState
from app.core.preferences import Preferences
from app.core.transcript import Task, TaskSpec
from app.engine.base import TaskOutput
from app.engine.runner import SpeedOptions
from app.ui.settings.engine_options import speed_options
from app.workers.engine_thread import EngineThread
from app.workers.listener import FinishedEvent, ModelStateEvent, QueueListener
from tests.support.fake_engine import FakeEngine


class SpeedEngine(FakeEngine):
    """Records the options it runs with and the thread that set them."""

    def __init__(self) -> None:
        super().__init__(name="speed")
        self._speed: SpeedOptions | None = None
        self.set_on: list[str] = []
        self.ran_with: list[SpeedOptions | None] = []

    @property
    def speed(self) -> SpeedOptions | None:
        return self._speed

    @speed.setter
    def speed(self, value: SpeedOptions) -> None:
        self.set_on.append(threading.current_thread().name)
        self._speed = value

    def run(self, audio: Any, specs: Any, **kwargs: Any) -> list[TaskOutput]:
        self.ran_with.append(self._speed)
        return super().run(audio, specs, **kwargs)


def _next(events: QueueListener, kind: type) -> Any:
    while True:
        event = events.q.get(timeout=10)
        if isinstance(event, kind):
            return event


def test_speed_options_follow_preferences() -> None:
    assert speed_options(replace(Preferences(), speculative_decoding=False)) == SpeedOptions(
        speculative=False
    )
    assert speed_options(Preferences()).speculative == Preferences().speculative_decoding


def test_options_are_applied_on_the_model_thread_at_load_and_on_change() -> None:
    engine = SpeedEngine()
    events = QueueListener()
    thread = EngineThread(lambda *_: engine, events)
    thread.start()
    try:
        thread.set_speed(SpeedOptions(speculative=False))
        thread.load_model("m")
        state = _next(events, ModelStateEvent)
        while state.state is not ModelState.READY:
            state = _next(events, ModelStateEvent)
        audio = np.zeros(16000, dtype=np.float32)
        spec = TaskSpec(Task.TRANSCRIBE, None, None, ())
        thread.submit_audio(audio, 0.0, [spec])
        _next(events, FinishedEvent)
        thread.set_speed(SpeedOptions(speculative=True))
        thread.submit_audio(audio, 1.0, [spec])
        _next(events, FinishedEvent)
    finally:
        thread.shutdown(3.0)
    assert engine.ran_with == [SpeedOptions(speculative=False), SpeedOptions(speculative=True)]
    assert engine.set_on and set(engine.set_on) == {"granite-model"}
