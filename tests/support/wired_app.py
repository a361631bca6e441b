"""The wired app (``start_gui``) for tests: window + dictation controller + tray + indicator +
system-wide dictation + single instance, with the fake engine, fake microphone sessions that
speak a script, and the fake platform (hotkey, injector, permissions, login item). The ``app``
fixture is in tests/ui/conftest.py."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any, cast

import numpy as np
from PySide6.QtCore import QTimer

from app.audio.capture import Level
from app.audio.session import DictationConfig, SessionSummary
from app.core.dictation.endpointing import Utterance
from app.core.preferences import Preferences
from app.core.transcript import TaskSpec
from app.system import Platform
from app.system.fake import FakeHotkey, FakeLoginItem, FakePermissions, FakeTextInjector
from app.ui.app import Gui, start_gui
from app.ui.settings.settings_store import SettingsStore
from app.workers.qt_engine import EngineBridge
from tests.support import fake_engine
from tests.workers.helpers import MemoryFiles, fixed_splitter, speech_like

WAIT_MS = 20_000
RATE = 16_000


def tone(seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(round(seconds * RATE), dtype=np.float32) / RATE
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


class FakeSession:
    """A microphone session: ``say(audio)`` queues an utterance; ``stop`` delivers what was
    said and then ``stopped`` on a later event-loop turn, as the consumer thread would."""

    def __init__(self, listener: Any, config: DictationConfig, script: list[np.ndarray]) -> None:
        self.listener, self.config = listener, config
        self.script = script
        self.recording = False
        self.level = Level(-18.0, -9.0)
        self.overflows = 0
        self.journal_path: Path | None = None
        self.started = 0

    def start(self) -> None:
        self.recording = True
        self.started += 1

    def stop(self, tail: bool = True) -> None:
        if not self.recording:
            return
        QTimer.singleShot(0, lambda: self._finish(tail))

    def _finish(self, tail: bool) -> None:
        if not self.recording:
            return
        start, count = 0.0, 0
        for index, audio in enumerate(self.script if tail else []):
            end = start + len(audio) / RATE
            self.listener.utterance(Utterance(index, start, end, audio))
            start, count = end + 0.5, count + 1
        self.recording = False
        self.listener.stopped(SessionSummary(None, start, count, 0))

    def wait(self, timeout: float | None = None) -> bool:
        return True


class Sessions:
    """Session factory; each session speaks ``script`` and is kept for inspection."""

    def __init__(self, gui_ref: list[Gui], script: list[np.ndarray]) -> None:
        self.gui_ref, self.script = gui_ref, script
        self.made: list[FakeSession] = []

    def __call__(self, listener: Any) -> FakeSession:
        config = self.gui_ref[0].dictation.config  # what the controller would use
        session = FakeSession(listener, config, self.script)
        self.made.append(session)
        return session


class App:
    def __init__(self, qtbot, tmp_path: Path, prefs: Preferences | None = None) -> None:
        self.qtbot = qtbot
        self.key = f"granite-dictate-test-{uuid.uuid4().hex[:10]}"
        self.hotkey = FakeHotkey()
        self.injector = FakeTextInjector()
        self.login = FakeLoginItem()
        self.platform = Platform(self.hotkey, self.injector, FakePermissions(), self.login, "fake")
        self.settings = SettingsStore(str(tmp_path / "settings.ini"))
        if prefs is not None:
            self.settings.save_preferences(prefs)
        self.tmp = tmp_path
        self.files = MemoryFiles()
        self.bridge = EngineBridge(fake_engine.factory, decoder=self.files, splitter=fixed_splitter)
        self.texts = [tone(0.5), tone(0.75, 0.4)]
        ref: list[Gui] = []
        self.sessions = Sessions(ref, self.texts)
        gui = start_gui(
            bridge=self.bridge,
            settings=self.settings,
            platform=self.platform,
            session_factory=cast(Any, self.sessions),  # fake sessions stand in
            instance_key=self.key,
        )
        assert gui is not None
        ref.append(gui)
        self.gui = gui
        self.window = gui.window
        self.shell = gui.shell
        self.ctl = gui.dictation
        qtbot.addWidget(self.window)
        qtbot.addWidget(self.shell.indicator)
        with qtbot.waitSignal(self.bridge.modelStateChanged, timeout=WAIT_MS):
            self.window.use_model("fake")
        qtbot.waitUntil(lambda: self.window.model_state == "ready", timeout=WAIT_MS)

    def expected(self) -> list[str]:
        return [fake_engine.fake_text(a, TaskSpec()) for a in self.texts]

    def wait_idle(self) -> None:
        self.qtbot.waitUntil(
            lambda: not self.ctl.recording and not self.ctl.pending_jobs, timeout=WAIT_MS
        )

    def record_in_window(self) -> None:
        """Record (the window's Record action) and stop at once; the fake session speaks its
        script. Waits until every utterance is transcribed."""
        self.window.record_action.trigger()
        self.window.record_action.trigger()
        self.wait_idle()

    def tap_hotkey(self) -> None:
        """Press and release the global shortcut."""
        self.hotkey.press()
        self.hotkey.release()

    def start_system_wide(self) -> None:
        """Tap the global shortcut and wait until the controller records."""
        self.tap_hotkey()
        self.qtbot.waitUntil(lambda: self.ctl.recording, timeout=WAIT_MS)

    def dictate_system_wide(self) -> None:
        """A whole system-wide session: start, stop, and wait until something is pasted."""
        self.start_system_wide()
        self.tap_hotkey()
        self.qtbot.waitUntil(lambda: bool(self.injector.keystrokes), timeout=WAIT_MS)

    def audio_file(
        self, name: str = "meeting.wav", seconds: float = 2.0, gate: threading.Event | None = None
    ) -> str:
        """A file the fake decoder gives ``seconds`` of speech-like noise for (after ``gate``)."""
        path = self.tmp / name
        path.write_bytes(b"")  # must exist; the fake decoder supplies the samples
        self.files.add(str(path), speech_like(seconds), gate)
        return str(path)

    def gated_file_job(self, name: str = "meeting.wav", seconds: float = 2.0) -> threading.Event:
        """Submit a file whose decoding waits for the returned event."""
        gate = threading.Event()
        assert self.window.submit_paths([self.audio_file(name, seconds, gate)])
        return gate

    def close(self) -> None:
        self.shell.shutdown()
        self.gui.instance.close()
        self.bridge.shutdown(5.0)
