"""The remote client and pool against real servers on 127.0.0.1: a scripted OpenAI-style
server (errors, delays, another owner) and the Granite Dictate server with the fake engine."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.core.errors import CancelledError
from app.core.transcript import Task, TaskSpec
from app.remote.client import RemoteError, RemoteTask, TranscriptionClient, notices
from app.remote.pool import run_ordered
from app.remote.wav import float_wav
from app.server.runner import ServerHandle
from app.workers.files.remote_engine import RemoteEngine
from tests.server.helpers import serve
from tests.support.fake_engine import factory as fake_factory


class Script:
    """What the scripted server answers: a list of statuses, then 200 forever."""

    def __init__(self, statuses: list[int], owner: str = "vllm", retry_after: str = "0") -> None:
        self.statuses = statuses
        self.owner = owner
        self.retry_after = retry_after
        self.forms: list[dict[str, list[str]]] = []
        self.lock = threading.Lock()


def _app(script: Script) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/models")
    async def models() -> dict[str, object]:
        return {"data": [{"id": "ibm-granite/granite-4.0-1b-speech", "owned_by": script.owner}]}

    @app.post("/v1/audio/transcriptions")
    @app.post("/v1/audio/translations")
    async def audio(request: Request) -> JSONResponse:
        form = await request.form()
        data = await form["file"].read()  # type: ignore[union-attr]
        with script.lock:
            script.forms.append({k: [str(v) for v in form.getlist(k)] for k in form if k != "file"})
            status = script.statuses.pop(0) if script.statuses else 200
        if status != 200:
            doc = {"error": {"message": f"scripted {status}"}}
            return JSONResponse(doc, status, headers={"Retry-After": script.retry_after})
        samples = np.frombuffer(data[-(len(data) - 56) :], dtype="<f4")
        await asyncio.sleep(0.05 if samples[0] > 0.5 else 0.0)  # some answers come late
        return JSONResponse({"text": f"chunk {samples[0]:.2f}"})

    return app


@contextmanager
def scripted(script: Script) -> Iterator[str]:
    handle = ServerHandle(_app(script), "127.0.0.1", 0)
    handle.start()
    try:
        yield handle.url
    finally:
        handle.stop()


def _no_wait(seconds: float, cancel) -> None:
    pass


def _chunk(value: float) -> bytes:
    return float_wav(np.full(1600, value, dtype=np.float32))


def test_retries_429_and_5xx_then_succeeds() -> None:
    script = Script([429, 503, 500])
    with scripted(script) as url:
        client = TranscriptionClient(url, sleep=_no_wait)
        info = client.probe()
        assert info.model == "ibm-granite/granite-4.0-1b-speech" and not info.granite
        assert client.transcribe(_chunk(0.25), RemoteTask(), lambda: False) == "chunk 0.25"
        assert client.retries == 3 and len(script.forms) == 4


def test_a_client_error_is_not_retried_and_says_why() -> None:
    script = Script([400])
    with scripted(script) as url:
        client = TranscriptionClient(url, sleep=_no_wait)
        client.probe()
        with pytest.raises(RemoteError, match="scripted 400"):
            client.transcribe(_chunk(0.25), RemoteTask(), lambda: False)
        assert client.retries == 0


def test_gives_up_after_the_last_attempt() -> None:
    script = Script([503] * 20)
    with scripted(script) as url:
        client = TranscriptionClient(url, sleep=_no_wait)
        client.probe()
        with pytest.raises(RemoteError, match="failed 6 times"):
            client.transcribe(_chunk(0.25), RemoteTask(), lambda: False)


def test_connection_errors_are_retried_with_backoff() -> None:
    with scripted(Script([])) as url:
        pass  # the port is closed now
    waits: list[float] = []
    client = TranscriptionClient(url, sleep=lambda s, c: waits.append(s))
    with pytest.raises(RemoteError, match="Cannot reach"):
        client.probe()
    with pytest.raises(RemoteError, match="ConnectError"):
        client.transcribe(_chunk(0.25), RemoteTask(), lambda: False)
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_fields_for_another_server_and_the_notices() -> None:
    script = Script([])
    with scripted(script) as url:
        client = TranscriptionClient(url)
        info = client.probe()
        task = RemoteTask(translate=True, language="en", to_language="fr", keywords=("A", "B"))
        client.transcribe(_chunk(0.25), task, lambda: False)
    assert script.forms[0] == {
        "model": ["ibm-granite/granite-4.0-1b-speech"],
        "response_format": ["json"],
        "language": ["en"],
        "to_language": ["fr"],
        "keywords[]": ["A", "B"],
    }
    said = notices(info, task, client.url)
    assert len(said) == 2 and "keywords" in said[0] and "to_language" in said[1]


def test_parallel_requests_come_back_in_order() -> None:
    script = Script([])
    with scripted(script) as url:
        client = TranscriptionClient(url)
        client.probe()
        told: list[str] = []
        engine = RemoteEngine(client, parallel=4, notify=told.append)
        values = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3]
        chunks = [np.full(1600, v, dtype=np.float32) for v in values]
        out = engine.run_batch(chunks, [TaskSpec(Task.TRANSCRIBE, keywords=("K",))])
    assert [o[0].text for o in out] == [f"chunk {v:.2f}" for v in values]
    assert len(told) == 1 and "keywords" in told[0]  # said once for the whole batch


def test_pool_stops_on_cancel() -> None:
    seen: list[int] = []
    flag = threading.Event()

    def call(n: int) -> int:
        seen.append(n)
        flag.set()
        return n

    with pytest.raises(CancelledError):
        run_ordered(list(range(100)), call, 2, flag.is_set)
    assert len(seen) <= 2


def test_granite_dictate_server_gets_keywords_and_one_piece() -> None:
    with serve(fake_factory) as server:
        client = TranscriptionClient(server.url)
        info = client.probe()
        assert info.granite and info.features["chunking_strategy_none"]
        # 2 s of tone with a 1.5 s silent gap: the server would cut it at the pause; with
        # chunking_strategy=none it is one piece (one text for 3.5 s).
        tone = np.concatenate([np.full(16000, 0.3), np.zeros(24000), np.full(16000, 0.3)]).astype(
            np.float32
        )
        text = client.transcribe(float_wav(tone), RemoteTask(keywords=("Granite",)), lambda: False)
    assert text.startswith("speech 3.50s") and text.endswith("+Granite")
