"""A real API server on 127.0.0.1 (ephemeral port) in this process, on its own model thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import openai

from app.server.backend import InputCheck
from app.server.config import ServerConfig
from app.server.hub import JobHub
from app.server.runner import ServerHandle, build_app
from app.workers.engine_factory import EngineFactory
from app.workers.engine_thread import EngineThread

HOST = "127.0.0.1"


@dataclass
class Served:
    handle: ServerHandle
    hub: JobHub
    thread: EngineThread
    config: ServerConfig

    @property
    def url(self) -> str:
        return self.handle.url

    def client(self, key: str | None = "unused", **kw) -> openai.OpenAI:
        """The official client; no retries (a 429 must reach the test)."""
        kw.setdefault("max_retries", 0)
        kw.setdefault("timeout", 120.0)
        return openai.OpenAI(base_url=self.url, api_key=key, **kw)


@contextmanager
def serve(
    factory: EngineFactory,
    model: str = "fake",
    *,
    api_key: str | None = None,
    max_queue: int = 8,
    max_upload_mb: float = 50,
) -> Iterator[Served]:
    hub = JobHub(max_queue)
    check = InputCheck()
    thread = EngineThread(factory, hub)
    thread.start()
    thread.load_model(model)
    assert hub.ready.wait(120), "the model did not load"
    config = ServerConfig(
        model_id=model,
        host=HOST,
        port=0,
        api_key=api_key,
        max_upload_mb=max_upload_mb,
        max_queue=max_queue,
    )
    handle = ServerHandle(build_app(config, thread, hub, check), HOST, 0)
    handle.start()
    try:
        yield Served(handle, hub, thread, config)
    finally:
        handle.stop()
        thread.shutdown(timeout=5.0)
