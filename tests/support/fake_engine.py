"""A deterministic stand-in for the speech engine, for worker, bridge and CLI tests.

``FakeEngine.run`` makes text from the audio's duration and level (so different chunks give
different, predictable text), streams it word by word through ``on_partial``, honours the
cancel token between words, returns ``""`` for silence, and can be told to block on an Event
so cancellation races are testable. ``factory`` has the engine-factory signature used by
``app.workers``; the model spec string selects behaviour (see ``factory``). The CLI picks it up
through ``GRANITE_DICTATE_ENGINE_FACTORY=tests.support.fake_engine:factory``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from app.core.errors import (
    AudioTooShortError,
    CancelledError,
    ModelCorruptError,
    ModelMissingError,
)
from app.core.transcript import Task, TaskSpec, Timing
from app.engine.base import SAMPLE_RATE, Audio, CancelToken, PartialCallback, TaskOutput

#: on_partial(chunk_index, task_index, text_so_far), as ``GraniteEngine.run_batch``
BatchPartial = Callable[[int, int, str], None]


def fake_text(audio: Audio, spec: TaskSpec) -> str:
    """The text FakeEngine produces for ``audio``: empty for silence."""
    if len(audio) == 0 or float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) < 1e-3:
        return ""
    seconds = len(audio) / SAMPLE_RATE
    level = round(float(np.max(np.abs(audio))) * 100)
    words = ["speech", f"{seconds:.2f}s", f"level{level}"]
    if spec.task is Task.TRANSLATE:
        words.insert(0, f"[{spec.target_language}]")
    if spec.keywords:
        words.append("+" + "+".join(spec.keywords))
    return " ".join(words)


@dataclass
class FakePreview:
    """A previewer (``feed(new_samples) -> text``) whose text tells how much audio it has
    heard: ``preview 1.50s`` (``make_preview`` of FakeEngine)."""

    engine: FakeEngine
    samples: int = 0

    def feed(self, samples: Audio) -> str:
        engine = self.engine
        engine.preview_feeds.append(len(samples))
        engine.preview_threads.add(threading.get_ident())
        engine.preview_entered.set()
        if engine.preview_block is not None:
            engine.preview_block.wait(20.0)
        self.samples += len(samples)
        return f"preview {self.samples / SAMPLE_RATE:.2f}s"


@dataclass
class Call:
    thread: int
    samples: int
    specs: tuple[TaskSpec, ...]


@dataclass
class FakeEngine:
    name: str = "fake"
    #: When set, ``run`` waits until it is set (or the job is cancelled) before producing text.
    block: threading.Event | None = None
    #: Set as soon as ``run`` starts (lets a test wait until the engine is busy).
    entered: threading.Event = field(default_factory=threading.Event)
    #: Raised from ``run`` when not None.
    fail_with: BaseException | None = None
    calls: list[Call] = field(default_factory=list)
    #: One entry per ``run_batch`` call: the chunks' sample counts.
    batch_calls: list[list[int]] = field(default_factory=list)
    created_on: int = field(default_factory=threading.get_ident)
    #: Sample counts of every preview update, the threads they ran on, previewers made.
    preview_feeds: list[int] = field(default_factory=list)
    preview_threads: set[int] = field(default_factory=set)
    previews_made: int = 0
    #: When set, a preview update waits for it (lets a test queue work behind a preview).
    preview_block: threading.Event | None = None
    preview_entered: threading.Event = field(default_factory=threading.Event)

    def make_preview(self) -> FakePreview:
        self.previews_made += 1
        return FakePreview(self)

    def run(
        self,
        audio: Audio,
        specs: Sequence[TaskSpec],
        *,
        on_partial: PartialCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TaskOutput]:
        self.calls.append(Call(threading.get_ident(), len(audio), tuple(specs)))
        self.entered.set()
        if self.block is not None:
            while not self.block.wait(0.005):
                if cancel is not None and cancel.cancelled:
                    raise CancelledError()
        if self.fail_with is not None:
            raise self.fail_with
        if len(audio) < SAMPLE_RATE // 100:
            raise AudioTooShortError("Audio shorter than 10 ms.")
        outputs = []
        for index, spec in enumerate(specs):
            words = fake_text(audio, spec).split()
            for n in range(1, len(words) + 1):
                if cancel is not None and cancel.cancelled:
                    raise CancelledError()
                if on_partial is not None:
                    on_partial(index, " ".join(words[:n]))
            timing = Timing(
                encode_s=0.001, decode_s=0.001 * len(words), generated_tokens=len(words)
            )
            outputs.append(TaskOutput(" ".join(words), timing, list(range(len(words)))))
        return outputs

    def run_batch(
        self,
        chunks: Sequence[Audio],
        specs: Sequence[TaskSpec],
        *,
        batch_size: int | None = None,
        on_partial: BatchPartial | None = None,
        cancel: CancelToken | None = None,
    ) -> list[list[TaskOutput]]:
        """``result[chunk][spec]``, the same texts as ``run`` per chunk; partials in lockstep
        (word n of every chunk, then word n + 1), as the real batch decodes."""
        self.batch_calls.append([len(a) for a in chunks])
        self.entered.set()
        if self.block is not None:
            while not self.block.wait(0.005):
                if cancel is not None and cancel.cancelled:
                    raise CancelledError()
        if self.fail_with is not None:
            raise self.fail_with
        if any(len(a) < SAMPLE_RATE // 100 for a in chunks):
            raise AudioTooShortError("Audio shorter than 10 ms.")
        results: list[list[TaskOutput]] = [[] for _ in chunks]
        for task, spec in enumerate(specs):
            words = [fake_text(a, spec).split() for a in chunks]
            for n in range(1, max(map(len, words), default=0) + 1):
                for row, row_words in enumerate(words):
                    if cancel is not None and cancel.cancelled:
                        raise CancelledError()
                    if n <= len(row_words) and on_partial is not None:
                        on_partial(row, task, " ".join(row_words[:n]))
            for row, row_words in enumerate(words):
                timing = Timing(
                    encode_s=0.001, decode_s=0.001 * len(row_words), generated_tokens=len(row_words)
                )
                tokens = list(range(len(row_words)))
                results[row].append(TaskOutput(" ".join(row_words), timing, tokens))
        return results


class UnbatchedFakeEngine(FakeEngine):
    """A FakeEngine without ``run_batch`` (engines that only run one chunk at a time)."""

    run_batch = None  # type: ignore[assignment]


class _AnnouncingEvent(threading.Event):
    def set(self) -> None:
        if not self.is_set():
            print("engine busy", flush=True)
        super().set()


#: The engines the last ``factory`` calls created, for assertions.
created: list[FakeEngine] = []


def factory(
    spec: str, on_progress: Callable[[int, int], None], cancel: Callable[[], bool]
) -> FakeEngine:
    """Engine factory. ``spec``: ``missing…`` → ModelMissingError, ``corrupt…`` →
    ModelCorruptError, ``boom…`` → RuntimeError, ``download…`` → reports 3 GiB of download
    progress first, ``block…`` → an engine that blocks in ``run`` until cancelled and prints
    ``engine busy`` to stdout when it starts; anything else loads instantly. The engine is named
    after ``spec``; a ``test/`` prefix (a repo-id shape, as the command line requires) is
    ignored."""
    spec = spec.removeprefix("test/")
    if spec.startswith("missing"):
        raise ModelMissingError(f"Model '{spec}' was not found.")
    if spec.startswith("corrupt"):
        raise ModelCorruptError(f"Model '{spec}' is damaged: weights are truncated.")
    if spec.startswith("boom"):
        raise RuntimeError("unexpected\nmultiline failure")
    if spec.startswith("block"):
        # Never finishes a chunk (until cancelled); says so on stdout so a test can interrupt.
        engine = FakeEngine(name=spec, block=threading.Event())
        engine.entered = _AnnouncingEvent()
        return engine
    if spec.startswith("download"):
        total = 3 * 1024**3
        for done in (0, total // 2, total):
            if cancel():
                raise CancelledError()
            on_progress(done, total)
    engine = FakeEngine(name=spec)
    created.append(engine)
    return engine
