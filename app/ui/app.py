"""``run_gui``: the application object, logging, preferences, the window, then the model.

The window is shown first; the model is loaded afterwards on the model thread (the bridge), so
the window appears at once and its model-dependent controls stay disabled until it is ready.
When the model is not installed the model manager opens once.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, cast

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.workers.engine_thread import EngineFactory, default_engine_factory

log = logging.getLogger(__name__)

FACTORY_ENV = "GRANITE_DICTATE_ENGINE_FACTORY"


def engine_factory_from_env() -> EngineFactory:
    """``GRANITE_DICTATE_ENGINE_FACTORY=module:callable`` replaces the engine (tests)."""
    target = os.environ.get(FACTORY_ENV)
    if not target:
        return default_engine_factory
    module, _, attr = target.partition(":")
    return cast(EngineFactory, getattr(importlib.import_module(module), attr))


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
    from app.ui.main_window import MainWindow
    from app.ui.settings_store import SettingsStore
    from app.workers.qt_engine import EngineBridge

    settings = settings if settings is not None else SettingsStore()
    prefs = settings.load_preferences()
    if bridge is None:
        bridge = EngineBridge(engine_factory_from_env())
    window = MainWindow(bridge, prefs, settings=settings)
    geometry = settings.window_geometry()
    if geometry is not None:
        window.restoreGeometry(geometry)
    state = settings.window_state()
    if state is not None:
        window.restoreState(state)
    return window


def run_gui(argv: Sequence[str] | None = None) -> int:
    from app.logging_setup import setup_logging

    setup_logging()
    app = make_application(list(argv or ()))
    window = build_window()
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
    window.bridge.shutdown(5.0)
    return int(code)
