"""The API server inside the window: on 127.0.0.1 only, sharing the window's model thread
(its uploads are file jobs there, so dictation still goes first). Preferences → Server turns
it on and off; ``apply`` never blocks on the network (the socket is bound at once, uvicorn
starts on its own thread)."""

from __future__ import annotations

import logging

from app.server.backend import InputCheck
from app.server.config import ServerConfig
from app.server.hub import JobHub
from app.server.runner import ServerHandle, build_app
from app.workers.engine_thread import EngineThread

log = logging.getLogger(__name__)
HOST = "127.0.0.1"


class EmbeddedServer:
    def __init__(self, thread: EngineThread, hub: JobHub, check: InputCheck) -> None:
        self._thread = thread
        self._hub = hub
        self._check = check
        self._handle: ServerHandle | None = None
        self._port = 0

    @property
    def url(self) -> str | None:
        return self._handle.url if self._handle is not None else None

    def apply(self, enabled: bool, port: int, model_id: str) -> str | None:
        """Start, stop or move the server; returns its address when running. Raises
        ``UsageError`` with one line when the port cannot be used."""
        if self._handle is not None and (not enabled or port != self._port):
            self.stop()
        if enabled and self._handle is None:
            config = ServerConfig(model_id=model_id, host=HOST, port=port)
            app = build_app(config, self._thread, self._hub, self._check)
            handle = ServerHandle(app, HOST, port)  # UsageError if the port is taken
            handle.start(wait=False)
            self._handle, self._port = handle, port
            log.info("local API server at %s", handle.url)
        return self.url

    def stop(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.stop(timeout=5.0)
            log.info("local API server stopped")
