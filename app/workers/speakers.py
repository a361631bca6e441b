"""Speaker detection as model-thread work (``EngineThread.submit_work``).

``SpeakerDetector`` loads the Sortformer (``app.engine.diarize``) on the model thread the first
time it is needed and keeps it there. Its work functions return ``TranscriptResult``s whose
segments carry the speaker, so they travel through the ordinary ``job_finished``. When the
speaker model cannot be had (not downloaded and no consent, broken folder), ``load_work``
fails with one line and ``available`` stays False: callers fall back to "You / Others".

``split_work`` is a meeting utterance's one model step with a speaker model: the utterance is
diarized, cut where the speaker changes (``app.core.meeting.turns``) and each piece
transcribed once for every task; an utterance of one speaker is one engine run, as without
speakers. ``split_file_work`` does the same for a transcribed recording: only its segments
where the speaker changes are transcribed again, per speaker turn.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import cast

import numpy as np

from app.audio.files.decode import decode_file
from app.core.errors import CancelledError, GraniteError
from app.core.meeting.speakers import SpeakerTurn
from app.core.meeting.turns import Piece, pieces
from app.core.transcript import Segment, TaskSpec, Timing, TranscriptResult
from app.engine.base import CancelToken, DownloadProgress, SpeechEngine
from app.engine.diarize import DEFAULT_DIARIZER, SpeakerModel, SpeakerStream, load_diarizer
from app.workers.jobs import ModelWork

log = logging.getLogger(__name__)

DiarizerLoader = Callable[..., SpeakerModel]
RATE = 16_000
LOADER_ENV = "GRANITE_DICTATE_SPEAKER_LOADER"


def speaker_loader_from_env() -> DiarizerLoader:
    """``load_diarizer``, or the loader ``GRANITE_DICTATE_SPEAKER_LOADER=module:callable``
    names (end-to-end tests: ``tests.support.fake_diarizer:load``, known speaker turns, as
    ``GRANITE_DICTATE_ENGINE_FACTORY`` stands in for the speech model)."""
    target = os.environ.get(LOADER_ENV)
    if not target:
        return load_diarizer
    module, _, attr = target.partition(":")
    return cast(DiarizerLoader, getattr(importlib.import_module(module), attr))


class SpeakerDetector:
    def __init__(
        self,
        spec: str = DEFAULT_DIARIZER,
        *,
        allow_download: bool = True,
        on_progress: DownloadProgress | None = None,
        loader: DiarizerLoader | None = None,
    ) -> None:
        self.spec = spec
        self._allow_download = allow_download
        self._on_progress = on_progress
        self._loader = loader or speaker_loader_from_env()
        self._diarizer: SpeakerModel | None = None  # model thread only
        self._streams: dict[str, SpeakerStream] = {}
        self.available = False
        self.seconds = 0.0  # audio diarized so far

    # --- model thread ----------------------------------------------------------------------
    def _need(self, token: CancelToken | None = None) -> SpeakerModel:
        if self._diarizer is None:
            self._diarizer = self._loader(
                self.spec,
                on_progress=self._on_progress,
                cancel=token,
                allow_download=self._allow_download,
            )
            self.available = True
        return self._diarizer

    def load_work(self) -> ModelWork:
        """Load the speaker model (reports an empty result, or fails with one line)."""

        def work(_engine: SpeechEngine | None, token: CancelToken) -> list[TranscriptResult]:
            self._need(token)
            return []

        return work

    def _feed(self, stream: str, samples: np.ndarray, token: CancelToken) -> list[SpeakerTurn]:
        """Turns of the next piece of ``stream``; none when the speaker model fails (the
        words matter more than who said them: the line then says "Others")."""
        try:
            diarizer = self._need(token)
            feed = self._streams.get(stream)
            if feed is None:
                feed = self._streams[stream] = diarizer.stream()
            turns = feed.feed(samples)
        except CancelledError:
            raise
        except Exception as err:
            log.warning("no speakers for this utterance: %s", err)
            return []
        self.seconds += len(samples) / RATE
        return turns

    def split_work(
        self, audio: np.ndarray, start: float, specs: Sequence[TaskSpec], stream: str = "others"
    ) -> ModelWork:
        """One utterance of a live stream, transcribed for every task in ``specs`` per
        speaker turn (the stream's speaker cache keeps the numbers across utterances): one
        result per spec, one segment per piece (its speaker; its text may be empty)."""
        samples = np.ascontiguousarray(audio, np.float32)
        tasks = tuple(specs)

        def work(engine: SpeechEngine | None, token: CancelToken) -> list[TranscriptResult]:
            if engine is None:
                raise GraniteError("No model is loaded.")
            parts = pieces(self._feed(stream, samples, token), 0.0, len(samples) / RATE)
            return run_pieces(engine, samples, start, parts, tasks, stream, token)

        return work

    def split_file_work(self, audio: np.ndarray, results: Sequence[TranscriptResult]) -> ModelWork:
        """``results`` of a whole recording (``audio``) split and labelled by speaker
        (``split_results``); only segments where the speaker changes cost model work."""
        samples = np.ascontiguousarray(audio, np.float32)
        given = list(results)

        def work(engine: SpeechEngine | None, token: CancelToken) -> list[TranscriptResult]:
            if engine is None:
                raise GraniteError("No model is loaded.")
            turns = self._need(token).diarize(samples)
            self.seconds += len(samples) / RATE
            return split_results(engine, samples, given, turns, token)

        return work


def run_pieces(
    engine: SpeechEngine,
    audio: np.ndarray,
    origin: float,
    parts: Sequence[Piece],
    specs: Sequence[TaskSpec],
    source: str,
    token: CancelToken,
) -> list[TranscriptResult]:
    """Every piece of ``audio`` (which starts at ``origin`` s; piece times relative to it)
    run once for all ``specs``: one result per spec, one segment per piece, in order."""
    segments: list[list[Segment]] = [[] for _ in specs]
    timings = [Timing() for _ in specs]
    for part in parts:
        outputs = engine.run(audio[part.samples(0.0, RATE, len(audio))], specs, cancel=token)
        for k, out in enumerate(outputs):
            text = out.text.strip()
            segments[k].append(
                Segment(origin + part.start, origin + part.end, text, source, part.name)
            )
            timings[k] = timings[k] + out.timing
    duration = len(audio) / RATE
    return [
        TranscriptResult(spec, segs, engine.name, source, duration, timing)
        for spec, segs, timing in zip(specs, segments, timings, strict=True)
    ]


def split_results(
    engine: SpeechEngine,
    audio: np.ndarray,
    results: Sequence[TranscriptResult],
    turns: Sequence[SpeakerTurn],
    token: CancelToken,
) -> list[TranscriptResult]:
    """``results`` of one recording (one task each, segments with times in ``audio``) with
    every segment said by its speaker. A segment where the speaker changes is replaced by
    one segment per speaker turn, each transcribed once for all the results' tasks (the
    same stretch in every result); any other segment keeps its text."""
    specs = [r.spec for r in results]
    windows = dict.fromkeys((s.start, s.end) for r in results for s in r.segments)
    pieces_of: dict[tuple[float, float], list[list[Segment]]] = {}
    for start, end in windows:
        parts = pieces(turns, start, end)
        if len(parts) == 1:
            continue
        per_result: list[list[Segment]] = [[] for _ in results]
        for part in parts:
            outputs = engine.run(audio[part.samples(0.0, RATE, len(audio))], specs, cancel=token)
            for k, output in enumerate(outputs):
                if text := output.text.strip():
                    per_result[k].append(Segment(part.start, part.end, text, "", part.name))
        pieces_of[(start, end)] = per_result
    labelled = []
    for k, result in enumerate(results):
        segments: list[Segment] = []
        for seg in result.segments:
            split = pieces_of.get((seg.start, seg.end))
            if split is None:
                (only,) = pieces(turns, seg.start, seg.end)
                segments.append(replace(seg, speaker=only.name))
            else:
                segments += [replace(s, source=seg.source) for s in split[k]]
        labelled.append(replace(result, segments=segments))
    return labelled


def file_speakers_work(
    detector: SpeakerDetector, path: str, results: Sequence[TranscriptResult]
) -> ModelWork:
    """``detector.split_file_work`` on a file decoded on the model thread (the GUI never
    waits): ``results`` (one per column of its transcript) split and labelled by speaker."""
    given = list(results)

    def work(engine: SpeechEngine | None, token: CancelToken) -> list[TranscriptResult]:
        audio = decode_file(path, cancel=lambda: token.cancelled)
        return detector.split_file_work(audio, given)(engine, token)

    return work
