"""The window's engine choice and its local API server (Preferences → Server), wired at the
composition root: "This Mac" or "Server at URL" picks the engine factory at start; the API
server shares the window's model thread and starts or stops when preferences are applied."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.core.errors import GraniteError
from app.core.preferences import Preferences
from app.server.backend import InputCheck
from app.server.config import DEFAULT_MAX_QUEUE
from app.server.embedded import EmbeddedServer
from app.server.hub import JobHub
from app.ui.window.main_window import MainWindow
from app.workers.engine_factory import EngineFactory, engine_factory_from_env
from app.workers.files.remote_engine import remote_factory
from app.workers.qt_engine import EngineBridge

log = logging.getLogger(__name__)
#: Chunks in flight to a remote engine from the window.
WINDOW_PARALLEL = 4


class Notices(QObject):
    """What a remote engine may not support, said once (emitted on the model thread, shown
    in the window's banner through a queued connection)."""

    said = Signal(str)

    def say(self, line: str) -> None:
        log.warning("%s", line)
        self.said.emit(line)


def engine_factory_for(prefs: Preferences, notices: Notices | None = None) -> EngineFactory:
    if not prefs.engine_url:
        return engine_factory_from_env()
    notify = notices.say if notices is not None else log.warning
    return remote_factory(prefs.engine_url, None, WINDOW_PARALLEL, notify)


@dataclass
class ServerSide:
    """The API server that shares the window's model thread, and the remote-engine notices."""

    server: EmbeddedServer
    notices: Notices


def make_engine(prefs: Preferences) -> tuple[EngineBridge, ServerSide]:
    """The window's bridge, its model thread also heard by the (stopped) API server."""
    hub, check, notices = JobHub(DEFAULT_MAX_QUEUE), InputCheck(), Notices()
    bridge = EngineBridge(engine_factory_for(prefs, notices), also=hub)
    return bridge, ServerSide(EmbeddedServer(bridge.engine_thread, hub, check), notices)


def install_api_server(window: MainWindow, side: ServerSide) -> None:
    server = side.server
    side.notices.setParent(window)
    side.notices.said.connect(window.show_error)

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
