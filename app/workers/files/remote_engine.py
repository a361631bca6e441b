"""A remote server as the pipeline's engine: each planned chunk goes to an OpenAI-compatible
transcription server (``app.remote``), up to ``parallel`` at once, results in order.

The file pipeline, chunk plan, segments and writers are the local ones: only the model call
moves. ``remote_factory`` makes an ``EngineFactory`` for the model thread: "loading" the model
probes the server (``GET /v1/models``); what the server may not support for the requested
tasks is told once through ``notify``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.core.transcript import Task, TaskSpec
from app.engine.base import Audio, CancelToken, DownloadProgress, PartialCallback, TaskOutput
from app.remote.client import RemoteTask, TranscriptionClient, notices
from app.remote.pool import run_ordered
from app.remote.wav import float_wav
from app.workers.engine_factory import EngineFactory

#: on_partial(chunk_index, task_index, text_so_far), as ``run_batch`` elsewhere
BatchPartial = Callable[[int, int, str], None]


def remote_task(spec: TaskSpec) -> RemoteTask:
    translate = spec.task is Task.TRANSLATE
    return RemoteTask(
        translate=translate,
        language=spec.source_language,
        to_language=spec.target_language if translate else None,
        keywords=spec.keywords,
    )


class RemoteEngine:
    def __init__(
        self, client: TranscriptionClient, parallel: int, notify: Callable[[str], None]
    ) -> None:
        self.client = client
        self.parallel = max(1, parallel)
        self._notify = notify
        self._told: set[str] = set()

    @property
    def name(self) -> str:
        return f"{self.client.info.model} at {self.client.url}"

    def _tell(self, spec: TaskSpec) -> None:
        for line in notices(self.client.info, remote_task(spec), self.client.url):
            if line not in self._told:
                self._told.add(line)
                self._notify(line)

    def run_batch(
        self,
        chunks: Sequence[Audio],
        specs: Sequence[TaskSpec],
        *,
        batch_size: int | None = None,
        on_partial: BatchPartial | None = None,
        cancel: CancelToken | None = None,
    ) -> list[list[TaskOutput]]:
        """``result[chunk][spec]``; every (chunk, task) pair is one request."""
        for spec in specs:
            self._tell(spec)
        token = cancel or CancelToken()
        wavs = [float_wav(chunk) for chunk in chunks]
        pairs = [(c, s) for c in range(len(chunks)) for s in range(len(specs))]
        tasks = [remote_task(spec) for spec in specs]

        def call(pair: tuple[int, int]) -> str:
            text = self.client.transcribe(wavs[pair[0]], tasks[pair[1]], lambda: token.cancelled)
            if on_partial is not None:
                on_partial(pair[0], pair[1], text)
            return text

        texts = run_ordered(pairs, call, self.parallel, lambda: token.cancelled)
        n = len(specs)
        return [[TaskOutput(t) for t in texts[i * n : (i + 1) * n]] for i in range(len(chunks))]

    def run(
        self,
        audio: Audio,
        specs: Sequence[TaskSpec],
        *,
        on_partial: PartialCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TaskOutput]:
        def partial(row: int, task: int, text: str) -> None:
            if on_partial is not None:
                on_partial(task, text)

        return self.run_batch([audio], specs, on_partial=partial, cancel=cancel)[0]


def remote_factory(
    url: str, key: str | None, parallel: int, notify: Callable[[str], None]
) -> EngineFactory:
    """An engine factory whose "model" is the server at ``url`` (the model spec is ignored:
    requests name the server's own model)."""

    def make(spec: str, on_progress: DownloadProgress, cancel: Callable[[], bool]) -> RemoteEngine:
        client = TranscriptionClient(url, key)
        client.probe()
        return RemoteEngine(client, parallel, notify)

    return make
