"""The file pipeline with the tiny random model: batched steps give the same transcript."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.core.chunking.segmentation import Chunk, SegmentationConfig
from app.core.transcript import Task, TaskSpec
from app.engine.base import CancelToken
from app.workers.files.pipeline import transcribe_file
from tests.support import espeak
from tests.support.media import write_audio

SENTENCES = (
    "Granite speech runs on the device.",
    "Pauses split the audio into chunks.",
    "Every chunk is decoded with the others.",
    "The text must not change.",
    "Short.",
)


def progress_to(seen: list[tuple[float, float]]) -> Callable[[float, float], None]:
    return lambda done, total: seen.append((done, total))


def partial_to(seen: dict[tuple[int, float], str]) -> Callable[[int, str, Chunk], None]:
    return lambda task, text, chunk: seen.__setitem__((task, chunk.start), text)


@pytest.mark.slow
def test_batched_pipeline_gives_the_same_segments_as_one_chunk_at_a_time(
    tiny_engine, tmp_path
) -> None:
    parts: list[espeak.Speech | float] = [0.4]
    for sentence in SENTENCES:
        parts += [espeak.synthesize(sentence), 1.2]
    src = write_audio(tmp_path / "talk.wav", espeak.compose(parts).audio, 16000)
    specs = [TaskSpec(source_language="en"), TaskSpec(Task.TRANSLATE, "en", "fr")]
    cfg = SegmentationConfig(max_chunk_s=3.0)
    runs = {}
    for batch in (1, 4):
        partials: dict[tuple[int, float], str] = {}
        progress: list[tuple[float, float]] = []
        results = transcribe_file(
            tiny_engine,
            str(src),
            specs,
            cfg,
            cancel=CancelToken(),
            on_progress=progress_to(progress),
            on_partial=partial_to(partials),
            batch_size=batch,
        )
        runs[batch] = (results, partials, progress)
    (plain, plain_partials, plain_progress), (batched, partials, progress) = runs[1], runs[4]
    total = plain_progress[-1][1]
    assert total >= 5 and progress[-1] == (total, total) and len(progress) < len(plain_progress)
    for one, many in zip(plain, batched, strict=True):
        assert many.segments == one.segments  # same chunks, same texts, same order
        assert many.timing.generated_tokens == one.timing.generated_tokens
        assert many.timing.encoder_frames == one.timing.encoder_frames
    assert sum(len(r.segments) for r in plain) > 0
    # Each chunk's last partial is its segment's text (partials carry the right chunk).
    for task, result in enumerate(batched):
        for seg in result.segments:
            assert partials[task, seg.start].strip() == seg.text
    assert partials.keys() == plain_partials.keys()
