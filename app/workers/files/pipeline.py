"""The file pipeline: decode → VAD split → the engine a few chunks at a time → one result per task.

``FileTranscription`` holds one file job's state so that the model thread can run it one step
at a time and interleave live-dictation utterances between steps. Decoding and splitting
(``prepare``) hold no MLX state and may run on any thread. ``run_step`` is the one place that
sends chunks to the engine.

A step takes up to ``batch_size`` chunks and decodes them together through the engine's
``run_batch`` when it has one (``app.engine.runner.run_chunks``: same tokens as one chunk at a
time, forward passes about the longest chunk's instead of the sum); other engines, and
``batch_size=1``, run one chunk per ``run`` call. The cost: a dictation utterance waits for the
whole step in the worst case, so the GUI keeps ``FILE_BATCH`` modest (4 chunks of at most
``max_chunk_s`` each); the CLI, with no dictation to wait, may use more (``--batch``). If a
batch runs out of memory the job carries on one chunk per step.

Streaming (the default decoder and splitter): ``prepare`` decodes, voice-detects and plans
chunks block by block (``app.workers.files.file_stream``) and each chunk is available to
``run_step`` as soon as its end is certain, with the same boundaries as the whole-file plan;
``on_ready`` (any thread) says new chunks arrived. A resumed job (``resume_after``) streams
too and skips the chunks that start before that point (the same chunks as the whole-file
plan's). Other decoders/splitters (tests, the API server's ``chunking_strategy=none``, whose
one chunk ends with the file) prepare the whole file first.

Segments carry the chunk's start/end (absolute seconds in the file): the model gives no word
timings, so a chunk is the finest timing the transcript has. Chunks whose text is empty are
skipped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from app.audio.files.stream_split import BlockSamples
from app.core.chunking.segmentation import Chunk, Samples, SegmentationConfig
from app.core.errors import CancelledError, OutOfMemoryError, UsageError
from app.core.transcript import Segment, TaskSpec, Timing, TranscriptResult
from app.engine.base import SAMPLE_RATE, Audio, CancelToken, SpeechEngine, TaskOutput
from app.engine.runner import run_chunks
from app.workers.files.file_stream import Throttle, prepare_streaming

log = logging.getLogger(__name__)

#: Chunks per step for the GUI queue (a dictation utterance may wait for one whole step).
FILE_BATCH = 4
#: The largest ``batch_size`` accepted (KV-cache memory grows with it).
MAX_FILE_BATCH = 32

CancelCheck = Callable[[], bool]
#: decoder(path, cancel) -> mono float32 16 kHz samples
Decoder = Callable[[str, CancelCheck], Audio]
#: splitter(audio, cfg, cancel) -> chunks in absolute seconds, silence skipped
Splitter = Callable[[Audio, SegmentationConfig, CancelCheck], list[Chunk]]
#: on_partial(task_index, text_so_far, chunk)
ChunkPartial = Callable[[int, str, Chunk], None]
#: on_segment(task_index, segment)
SegmentCallback = Callable[[int, Segment], None]


def default_decoder(path: str, cancel: CancelCheck) -> Audio:
    from app.audio.files.decode import decode_file

    return decode_file(path, cancel=cancel)


def default_splitter(audio: Audio, cfg: SegmentationConfig, cancel: CancelCheck) -> list[Chunk]:
    from app.audio.vad import split_audio

    return split_audio(audio, cfg, cancel=cancel)


class FileTranscription:
    """One file, one or more tasks; prepared once, then stepped ``batch_size`` chunks at a time."""

    def __init__(
        self,
        path: str,
        specs: Sequence[TaskSpec],
        seg_cfg: SegmentationConfig,
        *,
        decoder: Decoder = default_decoder,
        splitter: Splitter = default_splitter,
        batch_size: int = 1,
        streaming: bool | None = None,
        resume_after: float = 0.0,
        ahead_s: float | None = None,
    ) -> None:
        if not 1 <= batch_size <= MAX_FILE_BATCH:
            raise UsageError(f"The batch size must be between 1 and {MAX_FILE_BATCH} chunks.")
        self.batch_size = batch_size
        self.path = path
        self.specs = tuple(specs)
        self.seg_cfg = seg_cfg
        self._decoder = decoder
        self._splitter = splitter
        self.audio: Samples | None = None
        self.chunks: list[Chunk] = []  # grows while a streaming prepare runs (under _lock)
        self.streaming = (
            streaming
            if streaming is not None
            else decoder is default_decoder and splitter is default_splitter
        )
        self.complete = False  # every chunk is known
        self.decoded_s = 0.0
        self.expected_s: float | None = None  # the container's duration, if it says
        self.on_ready: Callable[[], None] = lambda: None
        #: told why ``prepare`` failed (any thread): the API server tells bad input apart
        self.on_failed: Callable[[BaseException], None] = lambda err: None
        #: a resumed job: the chunks that start before this (seconds) are done already
        self.resume_after = resume_after
        self._planned_end = 0  # sample after the last chunk planned (kept or skipped)
        #: streaming with a model thread: at most ``ahead_s`` of samples decoded ahead of it
        self.throttle = Throttle(ahead_s)
        self._lock = threading.Lock()
        self.next_index = 0
        self.duration = 0.0
        self.model = ""
        self.segments: list[list[Segment]] = [[] for _ in self.specs]
        self.timings: list[Timing] = [Timing() for _ in self.specs]

    @property
    def prepared(self) -> bool:
        return self.audio is not None

    @property
    def done(self) -> bool:
        return self.complete and self.next_index >= len(self.chunks)

    @property
    def ready(self) -> bool:
        """The model has a step to take while a streaming prepare may still be running: the
        first chunk (the first text comes early), a whole step of ``batch_size`` chunks, or
        the last chunks (every chunk is known). Smaller steps would cost more model time:
        chunks decoded together share their forward passes."""
        with self._lock:
            waiting = len(self.chunks) - self.next_index
            whole = self.complete or waiting >= self.batch_size or self.throttle.holding
            return waiting > 0 and (self.next_index == 0 or whole)

    @property
    def waiting(self) -> int:
        """Chunks found and not run yet."""
        with self._lock:
            return len(self.chunks) - self.next_index

    @property
    def progress(self) -> tuple[float, float]:
        """(chunks done, chunks total); while streaming, the total is extrapolated."""
        with self._lock:
            n, complete = len(self.chunks), self.complete
        if complete or not self.streaming:
            return float(self.next_index), float(n)
        after = min(self.resume_after, self.decoded_s)
        left = (self.expected_s or 0.0) - after
        frac = (self.decoded_s - after) / left if left > 1e-3 else 0.5
        return float(self.next_index), float(max(n + 1, round(n / max(min(frac, 1.0), 0.01))))

    def _kept(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        """Without the chunks a resumed job has done already: the same file split the same
        way, so a resumed job picks up at the first chunk whose text is not kept yet."""
        return [c for c in chunks if c.start >= self.resume_after - 1e-6]

    def add_chunks(self, chunks: Sequence[Chunk], *, complete: bool = False) -> None:
        """A streaming prepare found more chunks (any thread)."""
        kept = self._kept(chunks)
        with self._lock:
            idle = self.next_index == len(self.chunks)  # nothing before these is waiting
            self.chunks += kept
            self.complete = complete
            if chunks:
                self._planned_end = chunks[-1].samples(SAMPLE_RATE).stop
        if idle and isinstance(self.audio, BlockSamples):  # a resumed job skips ahead
            self.audio.release_before(kept[0].samples().start if kept else self._planned_end)
        if kept or complete:
            self.on_ready()

    def prepare(self, cancel: CancelCheck) -> None:
        """Decode and split; raises AudioDecodeError/CancelledError (``on_failed`` hears why
        first). Any thread."""
        try:
            self._prepare(cancel)
        except BaseException as err:
            self.on_failed(err)
            raise

    def _prepare(self, cancel: CancelCheck) -> None:
        if self.streaming:
            prepare_streaming(self, cancel)
            return
        audio = self._decoder(self.path, cancel)
        if cancel():
            raise CancelledError()
        self.duration = len(audio) / SAMPLE_RATE
        chunks = self._splitter(audio, self.seg_cfg, cancel) if len(audio) else []
        if cancel():
            raise CancelledError()
        self.chunks = self._kept(chunks)
        self.audio = audio
        self.complete = True
        log.info(
            "%s: %.1f s of audio, %d chunks (%.1f s of speech), up to %d per step",
            Path(self.path).name,
            self.duration,
            len(chunks),
            sum(c.duration for c in chunks),
            self.batch_size,
        )

    def run_step(
        self,
        engine: SpeechEngine,
        cancel: CancelToken,
        on_partial: ChunkPartial | None = None,
        on_segment: SegmentCallback | None = None,
    ) -> None:
        """Run the next ``batch_size`` chunks through every task. Model thread only.

        Partials arrive with their own chunk; segments in chunk order once the whole step is
        done. A cancelled (or failed) step changes nothing: no segments, no progress.
        """
        assert self.audio is not None, "prepare() first"
        audio = self.audio
        with self._lock:
            group = self.chunks[self.next_index : self.next_index + self.batch_size]
        if not group:
            return
        pieces = [
            np.ascontiguousarray(audio[c.samples(SAMPLE_RATE)], dtype=np.float32) for c in group
        ]

        shown: dict[tuple[int, int], str] = {}

        def partial(row: int, task: int, text: str) -> None:
            # run_batch reports every token; pass on changes that end on a whole character.
            new = text != shown.get((row, task), "") and not text.endswith("\ufffd")
            if on_partial is not None and new:
                shown[row, task] = text
                on_partial(task, text, group[row])

        try:
            outputs = run_chunks(
                engine,
                pieces,
                self.specs,
                batch_size=len(group),
                on_partial=partial if on_partial is not None else None,
                cancel=cancel,
            )
        except OutOfMemoryError:
            if len(group) == 1:
                raise
            log.warning("Out of memory decoding %d chunks together; one at a time now", len(group))
            self.batch_size = 1
            return
        if cancel.cancelled:
            raise CancelledError()
        self.model = engine.name
        for chunk, chunk_outputs in zip(group, outputs, strict=True):
            self._add(chunk, chunk_outputs, on_segment)
        self.next_index += len(group)
        self._release(audio)

    def _release(self, audio: Samples) -> None:
        """Free the samples behind the next chunk to run (streaming: the decoded blocks that
        end before it; the planner never reads before the last chunk it handed out, and
        nothing reads a file's samples after its job), all of them once the job is done."""
        if self.done:
            self.audio = np.zeros(0, dtype=np.float32)  # keep "prepared"
            if isinstance(audio, BlockSamples):
                audio.release()
            return
        if isinstance(audio, BlockSamples):
            with self._lock:
                chunks, i = self.chunks, self.next_index
                upto = chunks[i].samples(SAMPLE_RATE).start if i < len(chunks) else None
            audio.release_before(self._planned_end if upto is None else upto)
            self.throttle.moved()

    def _add(
        self, chunk: Chunk, outputs: list[TaskOutput], on_segment: SegmentCallback | None
    ) -> None:
        for index, out in enumerate(outputs):
            self.timings[index] = self.timings[index] + out.timing
            text = out.text.strip()
            if not text:
                continue
            segment = Segment(chunk.start, chunk.end, text, source=self.path)
            self.segments[index].append(segment)
            if on_segment is not None:
                on_segment(index, segment)

    def results(self) -> list[TranscriptResult]:
        return [
            TranscriptResult(
                spec=spec,
                segments=list(segs),
                model=self.model,
                source=self.path,
                duration=self.duration,
                timing=timing,
            )
            for spec, segs, timing in zip(self.specs, self.segments, self.timings, strict=True)
        ]


def transcribe_file(
    engine: SpeechEngine,
    path: str,
    specs: Sequence[TaskSpec],
    seg_cfg: SegmentationConfig,
    *,
    cancel: CancelToken | None = None,
    on_progress: Callable[[float, float], None] | None = None,
    on_partial: ChunkPartial | None = None,
    on_segment: SegmentCallback | None = None,
    decoder: Decoder = default_decoder,
    splitter: Splitter = default_splitter,
    batch_size: int = 1,
) -> list[TranscriptResult]:
    """The whole pipeline synchronously on the calling thread (which must own ``engine``)."""
    token = cancel or CancelToken()
    job = FileTranscription(
        path, specs, seg_cfg, decoder=decoder, splitter=splitter, batch_size=batch_size
    )
    job.prepare(lambda: token.cancelled)
    if on_progress is not None:
        on_progress(*job.progress)
    while not job.done:
        job.run_step(engine, token, on_partial, on_segment)
        if on_progress is not None:
            on_progress(*job.progress)
    job.model = job.model or engine.name
    return job.results()
