"""The main window alone with the real bridge and model thread, the fake engine and in-memory
audio (``Rig``; the ``rig`` fixture is in tests/ui/conftest.py), and a real drag and drop."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.core.preferences import Preferences
from app.core.storage.autosave_store import AutosaveStore
from app.ui.settings.settings_store import SettingsStore
from app.ui.window.main_window import MainWindow
from app.workers.qt_engine import EngineBridge
from tests.support import fake_engine
from tests.workers.helpers import MemoryFiles, fixed_splitter, speech_like

WAIT_MS = 20_000


def drop_urls(target: QWidget, paths: Iterable[str | Path]) -> None:
    """What a real drag does: DragEnter (must be accepted) then Drop, delivered by the
    application."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    action, button = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    mods = Qt.KeyboardModifier.NoModifier
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(5, 5), action, mime, button, mods)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(target, QDropEvent(QPointF(5, 5), action, mime, button, mods))


class Rig:
    def __init__(
        self, qtbot: Any, tmp_path: Path, prefs: Preferences | None = None, **bridge_kw: Any
    ) -> None:
        self.qtbot, self.tmp = qtbot, tmp_path
        self.files = MemoryFiles()
        bridge_kw.setdefault("decoder", self.files)
        bridge_kw.setdefault("splitter", fixed_splitter)
        factory = bridge_kw.pop("factory", fake_engine.factory)
        self.bridge = EngineBridge(factory, **bridge_kw)
        self.settings = SettingsStore(str(tmp_path / "settings.ini"))
        self.store = AutosaveStore(tmp_path / "autosave")
        self.window = MainWindow(
            self.bridge, prefs or Preferences(), autosave_store=self.store, settings=self.settings
        )
        qtbot.addWidget(self.window)

    def audio_file(self, name: str, seconds: float, gate: threading.Event | None = None) -> str:
        """A file the fake decoder gives ``seconds`` of speech-like noise for (after ``gate``)."""
        path = self.tmp / name
        path.write_bytes(b"")  # must exist; the fake decoder supplies the samples
        self.files.add(str(path), speech_like(seconds, seed=len(name)), gate)
        return str(path)

    def load(self, spec: str = "fake") -> None:
        self.window.use_model(spec)
        self.qtbot.waitUntil(
            lambda: self.window.model_state not in ("idle", "loading", "downloading"),
            timeout=WAIT_MS,
        )

    def wait_jobs_done(self) -> None:
        self.qtbot.waitUntil(lambda: not self.window.jobs.active(), timeout=WAIT_MS)

    def close(self) -> None:
        self.bridge.shutdown(5.0)
