"""The window's engine choice and its local API server (Preferences → Server), wired at the
composition root: "This Mac" or "Server at URL" picks the engine factory at start; the API
server shares the window's model thread and starts or stops when preferences are applied."""

from __future__ import annotations

import logging

from app.core.errors import GraniteError
from app.core.preferences import Preferences
from app.server.backend import InputCheck
from app.server.config import DEFAULT_MAX_QUEUE
from app.server.embedded import EmbeddedServer
from app.server.hub import JobHub
from app.ui.window.main_window import MainWindow
from app.workers.engine_factory import EngineFactory, engine_factory_from_env
from app.workers.qt_engine import EngineBridge
from app.workers.remote_engine import remote_factory

log = logging.getLogger(__name__)
#: Chunks in flight to a remote engine from the window.
WINDOW_PARALLEL = 4


def engine_factory_for(prefs: Preferences) -> EngineFactory:
    if not prefs.engine_url:
        return engine_factory_from_env()
    return remote_factory(prefs.engine_url, None, WINDOW_PARALLEL, log.warning)


def make_engine(prefs: Preferences) -> tuple[EngineBridge, EmbeddedServer]:
    """The window's bridge, its model thread also heard by the (stopped) API server."""
    hub, check = JobHub(DEFAULT_MAX_QUEUE), InputCheck()
    bridge = EngineBridge(
        engine_factory_for(prefs), decoder=check.decode, splitter=check.split, also=hub
    )
    return bridge, EmbeddedServer(bridge.engine_thread, hub, check)


def install_api_server(window: MainWindow, server: EmbeddedServer) -> None:
    def apply(prefs: Preferences) -> None:
        try:
            url = server.apply(prefs.api_server_enabled, prefs.api_server_port, prefs.model)
        except GraniteError as err:
            window.show_error(f"Local API server: {err}")
            return
        if url is not None:
            window.statusBar().showMessage(f"Local API server at {url}", 15000)

    apply(window.prefs)
    window.preferencesApplied.connect(apply)
    window.destroyed.connect(server.stop)
