"""One request's job from slot to cleanup: the upload, the engine job, its events, the end.

``close`` is idempotent and runs whatever happened (done, failed, client gone): it cancels a job
that has not ended, deletes the upload's private folder and gives the queue slot back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from app.server.backend import Backend
from app.server.forms import AudioRequest
from app.server.hub import EventKind, JobEvent, JobHub
from app.server.render import Deltas, delta_event, done_event, error_event
from app.server.uploads import Upload

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


class ClientGone(Exception):
    """The client disconnected before its job ended (the job was cancelled)."""


async def _disconnected(receive: Receive) -> None:
    """Returns when the client goes away (the body has been read: only disconnects remain)."""
    while (await receive())["type"] != "http.disconnect":
        pass


class RequestJob:
    def __init__(self, hub: JobHub, backend: Backend) -> None:
        self._hub = hub
        self._backend = backend
        self.upload: Upload | None = None
        self.request: AudioRequest | None = None
        self.job_id: int | None = None
        self._queue: asyncio.Queue[JobEvent] | None = None
        self._ended = False
        self._closed = False

    def start(self, upload: Upload, request: AudioRequest) -> None:
        assert upload.path is not None
        path = str(upload.path)
        self.upload, self.request = upload, request
        self.job_id, self._queue = self._hub.submit(
            lambda: self._backend.submit(path, request.spec, request.whole)
        )

    def bad_input(self) -> bool:
        """The job failed on the upload itself (unreadable or unusable audio)."""
        return self.upload is not None and self._backend.bad_input(str(self.upload.path))

    async def _final(self) -> JobEvent:
        assert self._queue is not None
        while (event := await self._queue.get()).kind is EventKind.SEGMENT:
            pass
        self._ended = True
        return event

    async def result(self, receive: Receive) -> JobEvent:
        """The job's FINISHED or FAILED event; raises ClientGone (and cancels) on disconnect."""
        final = asyncio.ensure_future(self._final())
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            done, _ = await asyncio.wait({final, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            final.cancel()
            gone.cancel()
        if final in done:
            return final.result()
        self.close()
        raise ClientGone()

    async def events(self) -> AsyncIterator[bytes]:
        """Server-sent events: a delta per segment, then done (or an error event). A client
        that disconnects cancels this generator, and ``close`` cancels the job."""
        assert self._queue is not None and self.request is not None
        try:
            deltas = Deltas(self.request.spec.output_language)
            while True:
                event = await self._queue.get()
                if event.kind is EventKind.SEGMENT:
                    assert event.segment is not None
                    if delta := deltas.add(event.segment):
                        yield delta_event(delta)
                    continue
                self._ended = True
                if event.kind is EventKind.FINISHED:
                    yield done_event(event.results[0].text)
                else:
                    yield error_event(event.message)
                return
        finally:
            self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.job_id is not None:
            if not self._ended:
                self._backend.cancel(self.job_id)
            self._hub.forget(self.job_id)
        if self.upload is not None:
            self.upload.discard()
        self._hub.release()
