"""``run_gui``: the application object, logging, one instance per user, preferences, the window
with live dictation (``app.ui.dictation.wiring.install``), the tray / menu-bar icon and
system-wide dictation (``app.ui.desktop.shell.AppShell``), then the model.

The window is shown first; the model is loaded afterwards on the model thread (the bridge), so
the window appears at once and its model-dependent controls stay disabled until it is ready.
When the model is not installed the model manager opens once.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.core.model_state import ModelState
from app.core.preferences import Preferences
from app.core.storage.logging_setup import setup_logging
from app.system import Platform, create_platform
from app.ui.desktop.shell import AppShell
from app.ui.desktop.single_instance import SingleInstance
from app.ui.desktop.tray import app_icon, qt_scheduler
from app.ui.dictation.dictation_controller import DictationController, SessionFactory
from app.ui.dictation.wiring import install
from app.ui.history.install import HistoryUi, install_history
from app.ui.meeting.wiring import install_meeting
from app.ui.settings.api_server import install_api_server, make_engine
from app.ui.settings.engine_options import speed_options
from app.ui.settings.settings_store import SettingsStore
from app.ui.window.main_window import MainWindow
from app.workers.model_cache import needs_download
from app.workers.qt_engine import Bridge

log = logging.getLogger(__name__)


def make_application(argv: Sequence[str] = ()) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication([sys.argv[0] if sys.argv else "granite-dictate", *argv])
    app.setApplicationName("Granite Dictate")
    app.setOrganizationName("GraniteDictate")
    app.setApplicationDisplayName("Granite Dictate")
    return app


def build_window(bridge: Bridge | None = None, settings: SettingsStore | None = None) -> MainWindow:
    """Preferences, bridge and window, without loading the model (tests, screenshot)."""
    settings = settings if settings is not None else SettingsStore()
    prefs = settings.load_preferences()
    server = None
    if bridge is None:  # the real engine (this Mac or a server), its thread shared by the API
        bridge, server = make_engine(prefs)
    engine = bridge
    window = MainWindow(engine, prefs, settings=settings)
    if server is not None:
        install_api_server(window, server)
    engine.set_speed(speed_options(prefs))
    window.preferencesApplied.connect(lambda p: engine.set_speed(speed_options(p)))
    engine.set_cache_limit(prefs.mlx_cache_limit_mb)  # Preferences → Advanced
    window.preferencesApplied.connect(lambda p: engine.set_cache_limit(p.mlx_cache_limit_mb))
    geometry = settings.window_geometry()
    if geometry is not None:
        window.restoreGeometry(geometry)
    state = settings.window_state()
    if state is not None:
        window.restoreState(state)
    return window


@dataclass
class Gui:
    """The running app's parts (``start_gui``); ``run_gui`` runs the event loop on them."""

    app: QApplication
    window: MainWindow
    dictation: DictationController
    history: HistoryUi
    shell: AppShell
    instance: SingleInstance


def start_gui(
    argv: Sequence[str] = (),
    *,
    bridge: Bridge | None = None,
    settings: SettingsStore | None = None,
    platform: Platform | None = None,
    session_factory: SessionFactory | None = None,
    instance_key: str | None = None,
) -> Gui | None:
    """Everything ``run_gui`` sets up before the event loop; ``None`` when another instance
    is already running (it was asked to come to the front). Tests pass fakes. This is the
    composition root: every part gets its dependencies here, through its constructor."""
    app = make_application(list(argv))
    instance = SingleInstance(instance_key)
    if not instance.acquire("activate", list(argv)):
        return None
    app.setWindowIcon(app_icon())
    window = build_window(bridge, settings)
    dictation = install(window, window.bridge, window.prefs, session_factory=session_factory)
    history = install_history(window, window.bridge)
    install_meeting(window, window.bridge)  # owned by the window
    window.historyDeleteAllRequested.connect(history.delete_all)
    dictation.controller.utteranceRemoved.connect(history.recorder.forget_last_dictation)
    if platform is None:
        platform = create_platform(schedule=qt_scheduler)
    shell = AppShell(window, dictation.controller, platform)
    shell.apply_preferences(window.prefs)
    window.quitRequested.connect(shell.quit)
    window.attach_desktop(shell)
    instance.message_received.connect(shell.on_instance_message)
    log.info("App wired (system integration: %s, tray: %s)", platform.name, shell.tray.available)
    return Gui(app, window, dictation.controller, history, shell, instance)


class _ModelWindow(Protocol):
    prefs: Preferences

    def use_model(self, spec: str) -> None: ...

    def open_model_manager(self) -> None: ...


def first_load(window: _ModelWindow, needs: Callable[[str], bool] = needs_download) -> None:
    """Load the chosen model at start-up, unless it must be downloaded first: then the model
    dialog asks (with the size) and nothing touches the network before the user agrees."""
    spec = window.prefs.model
    if needs(spec):
        log.info("Model %s is not downloaded yet: asking before any download", spec)
        window.open_model_manager()
        return
    log.info("Loading model %s in the background", spec)
    window.use_model(spec)


def run_gui(argv: Sequence[str] | None = None) -> int:
    setup_logging()
    gui = start_gui(list(argv or ()))
    if gui is None:
        log.info("Granite Dictate is already running; brought it to the front")
        return 0
    app, window = gui.app, gui.window
    window.show()
    log.info("Window shown")  # the frozen-app smoke test waits for this line
    offered_manager = False

    def on_state(state: ModelState, _message: str) -> None:
        nonlocal offered_manager
        if state is ModelState.MISSING and not offered_manager:
            offered_manager = True
            QTimer.singleShot(0, window.open_model_manager)

    window.bridge.modelStateChanged.connect(on_state)
    QTimer.singleShot(0, lambda: first_load(window))
    code = app.exec()
    gui.shell.shutdown()
    gui.instance.close()
    window.bridge.shutdown(5.0)
    return int(code)
