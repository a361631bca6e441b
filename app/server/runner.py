"""uvicorn on a socket we bind ourselves (so ``port=0`` gives a free port we can report), run on
the calling thread (the command line: Ctrl-C stops it) or on a background thread (tests, and a
server started from inside another program)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

from app.core.chunking.segmentation import SegmentationConfig
from app.core.errors import UsageError
from app.server.api import create_app
from app.server.backend import EngineBackend, InputCheck
from app.server.config import ServerConfig
from app.server.hub import JobHub
from app.workers.engine_thread import EngineThread


def build_app(
    config: ServerConfig, thread: EngineThread, hub: JobHub, check: InputCheck
) -> FastAPI:
    """The app for an engine thread whose listener is ``hub``; ``check`` hears which uploads
    were bad input (unreadable: HTTP 400, not 500)."""
    return create_app(config, hub, EngineBackend(thread, check, SegmentationConfig()))


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as err:
        sock.close()
        raise UsageError(f"Cannot listen on {host}:{port}: {err.strerror or err}.") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class ServerHandle:
    """One uvicorn server on ``host:port`` (``port`` 0: any free one, see ``self.port``)."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        self.sock = bind(host, port)
        self.host = host
        self.port: int = self.sock.getsockname()[1]
        # Ctrl-C waits at most 5 s for requests in flight (their jobs are cancelled then).
        cfg = uvicorn.Config(
            app,
            http="h11",
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(cfg)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    def run(self) -> None:
        """Serve on this thread until Ctrl-C (or ``stop`` from another thread)."""
        try:
            self.server.run(sockets=[self.sock])
        finally:
            self.sock.close()

    def start(self, timeout: float = 10.0, *, wait: bool = True) -> None:
        """Serve on a background thread; returns once it accepts connections (or at once
        without ``wait``: the socket is bound already, connections queue until then)."""
        self._thread = threading.Thread(target=self.run, name="granite-api", daemon=True)
        self._thread.start()
        if not wait:
            return
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
