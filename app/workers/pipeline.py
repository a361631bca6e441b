"""The file pipeline: decode → VAD split → the engine chunk by chunk → one result per task.

``FileTranscription`` holds one file job's state so that the model thread can run it one step
(one chunk) at a time and interleave live-dictation utterances between steps. Decoding and
splitting (``prepare``) hold no MLX state and may run on any thread. ``run_step`` is the one
place that sends chunks to the engine (a batched variant can replace it).

Segments carry the chunk's start/end (absolute seconds in the file): the model gives no word
timings, so a chunk is the finest timing the transcript has. Chunks whose text is empty are
skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from app.core.errors import CancelledError
from app.core.segmentation import Chunk, SegmentationConfig
from app.core.transcript import Segment, TaskSpec, Timing, TranscriptResult
from app.engine.base import SAMPLE_RATE, Audio, CancelToken, SpeechEngine

log = logging.getLogger(__name__)

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
    from app.audio.decode import decode_file

    return decode_file(path, cancel=cancel)


def default_splitter(audio: Audio, cfg: SegmentationConfig, cancel: CancelCheck) -> list[Chunk]:
    from app.audio.vad import split_audio

    return split_audio(audio, cfg, cancel=cancel)


class FileTranscription:
    """One file, one or more tasks; prepared once, then stepped chunk by chunk."""

    def __init__(
        self,
        path: str,
        specs: Sequence[TaskSpec],
        seg_cfg: SegmentationConfig,
        *,
        decoder: Decoder = default_decoder,
        splitter: Splitter = default_splitter,
    ) -> None:
        self.path = path
        self.specs = tuple(specs)
        self.seg_cfg = seg_cfg
        self._decoder = decoder
        self._splitter = splitter
        self.audio: Audio | None = None
        self.chunks: list[Chunk] = []
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
        return self.prepared and self.next_index >= len(self.chunks)

    @property
    def progress(self) -> tuple[float, float]:
        """(chunks done, chunks total)."""
        return float(self.next_index), float(len(self.chunks))

    def prepare(self, cancel: CancelCheck) -> None:
        """Decode and split; raises AudioDecodeError/CancelledError. Any thread."""
        audio = self._decoder(self.path, cancel)
        if cancel():
            raise CancelledError()
        self.duration = len(audio) / SAMPLE_RATE
        chunks = self._splitter(audio, self.seg_cfg, cancel) if len(audio) else []
        if cancel():
            raise CancelledError()
        self.chunks = chunks
        self.audio = audio
        log.info(
            "%s: %.1f s of audio, %d chunks (%.1f s of speech)",
            Path(self.path).name,
            self.duration,
            len(chunks),
            sum(c.duration for c in chunks),
        )

    def run_step(
        self,
        engine: SpeechEngine,
        cancel: CancelToken,
        on_partial: ChunkPartial | None = None,
        on_segment: SegmentCallback | None = None,
    ) -> None:
        """Run the next chunk through every task. Model thread only."""
        assert self.audio is not None, "prepare() first"
        chunk = self.chunks[self.next_index]
        piece = np.ascontiguousarray(self.audio[chunk.samples(SAMPLE_RATE)], dtype=np.float32)

        def partial(index: int, text: str) -> None:
            if on_partial is not None:
                on_partial(index, text, chunk)

        outputs = engine.run(piece, self.specs, on_partial=partial, cancel=cancel)
        self.model = engine.name
        for index, out in enumerate(outputs):
            self.timings[index] = self.timings[index] + out.timing
            text = out.text.strip()
            if not text:
                continue
            segment = Segment(chunk.start, chunk.end, text, source=self.path)
            self.segments[index].append(segment)
            if on_segment is not None:
                on_segment(index, segment)
        self.next_index += 1
        if self.done:
            self.audio = np.zeros(0, dtype=np.float32)  # free the samples, keep "prepared"

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
) -> list[TranscriptResult]:
    """The whole pipeline synchronously on the calling thread (which must own ``engine``)."""
    token = cancel or CancelToken()
    job = FileTranscription(path, specs, seg_cfg, decoder=decoder, splitter=splitter)
    job.prepare(lambda: token.cancelled)
    if on_progress is not None:
        on_progress(*job.progress)
    while not job.done:
        job.run_step(engine, token, on_partial, on_segment)
        if on_progress is not None:
            on_progress(*job.progress)
    job.model = job.model or engine.name
    return job.results()
