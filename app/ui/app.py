"""``run_gui``: the application object, logging, one instance per user, preferences, the window
with live dictation (``app.ui.dictation.dictation_controller.install``), the tray / menu-bar
icon and
system-wide dictation (``app.ui.desktop.shell.AppShell``), then the model.

The window is shown first; the model is loaded afterwards on the model thread (the bridge), so
the window appears at once and its model-dependent controls stay disabled until it is ready.
When the model is not installed the model manager opens once.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.workers.engine_factory import engine_factory_from_env

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


def build_window(bridge: Any = None, settings: Any = None) -> Any:
    """Preferences, bridge and window, without loading the model (tests, screenshot)."""
    from app.ui.settings.engine_options import speed_options
    from app.ui.settings.settings_store import SettingsStore
    from app.ui.window.main_window import MainWindow
    from app.workers.qt_engine import EngineBridge

    settings = settings if settings is not None else SettingsStore()
    prefs = settings.load_preferences()
    if bridge is None:
        bridge = EngineBridge(engine_factory_from_env())
    window = MainWindow(bridge, prefs, settings=settings)
    if hasattr(bridge, "set_speed"):
        bridge.set_speed(speed_options(prefs))
        window.preferencesApplied.connect(lambda p: bridge.set_speed(speed_options(p)))
    if hasattr(bridge, "set_cache_limit"):  # Preferences → Advanced: MLX cache limit
        bridge.set_cache_limit(prefs.mlx_cache_limit_mb)
        window.preferencesApplied.connect(lambda p: bridge.set_cache_limit(p.mlx_cache_limit_mb))
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
    window: Any
    shell: Any
    instance: Any


def start_gui(
    argv: Sequence[str] = (),
    *,
    bridge: Any = None,
    settings: Any = None,
    platform: Any = None,
    session_factory: Any = None,
    instance_key: str | None = None,
) -> Gui | None:
    """Everything ``run_gui`` sets up before the event loop; ``None`` when another instance
    is already running (it was asked to come to the front). Tests pass fakes."""
    from app.system import create_platform
    from app.ui.desktop.shell import AppShell
    from app.ui.desktop.single_instance import SingleInstance
    from app.ui.desktop.tray import app_icon, qt_scheduler
    from app.ui.dictation.dictation_controller import install
    from app.ui.history.install import install_history

    app = make_application(list(argv))
    instance = SingleInstance(instance_key)
    if not instance.acquire("activate", list(argv)):
        return None
    app.setWindowIcon(app_icon())
    window = build_window(bridge, settings)
    window.dictation = install(window, window.bridge, window.prefs, session_factory=session_factory)
    window.history = install_history(window, window.bridge)
    if platform is None:
        platform = create_platform(schedule=qt_scheduler)
    shell = AppShell(window, platform)
    shell.apply_preferences(window.prefs)
    instance.message_received.connect(shell.on_instance_message)
    window.shell = shell
    log.info("App wired (system integration: %s, tray: %s)", platform.name, shell.tray.available)
    return Gui(app, window, shell, instance)


def run_gui(argv: Sequence[str] | None = None) -> int:
    from app.core.logging_setup import setup_logging

    setup_logging()
    gui = start_gui(list(argv or ()))
    if gui is None:
        log.info("Granite Dictate is already running; brought it to the front")
        return 0
    app, window = gui.app, gui.window
    window.show()
    offered_manager = False

    def on_state(state: str, _message: str) -> None:
        nonlocal offered_manager
        if state == "missing" and not offered_manager:
            offered_manager = True
            QTimer.singleShot(0, window.open_model_manager)

    window.bridge.modelStateChanged.connect(on_state)
    QTimer.singleShot(0, lambda: window.use_model(window.prefs.model))
    log.info("Window shown; loading model %s in the background", window.prefs.model)
    code = app.exec()
    gui.shell.shutdown()
    gui.instance.close()
    window.bridge.shutdown(5.0)
    return int(code)
