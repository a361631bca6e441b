"""The Qt bridge with the app's real loader, decoder, VAD and the tiny random model."""

from __future__ import annotations

import pytest

from app.core.chunking.segmentation import SegmentationConfig
from app.core.transcript import Task, TaskSpec
from tests.support import espeak
from tests.support.media import write_audio

TIMEOUT_MS = 300_000


@pytest.mark.slow
def test_real_model_file_and_dictation_jobs(qtbot, tiny_bridge, tiny_model_dir, tmp_path) -> None:
    a = espeak.synthesize("Granite speech runs on the device.")
    b = espeak.synthesize("Pauses split the audio into chunks.")
    speech = espeak.compose([0.5, a, 1.5, b, 0.8])
    src = write_audio(tmp_path / "talk.wav", speech.audio, 16000)
    bridge = tiny_bridge
    specs = [TaskSpec(source_language="en"), TaskSpec(Task.TRANSLATE, "en", "fr")]
    partials: list[str] = []
    bridge.jobPartial.connect(lambda j, i, text, s, e: partials.append(text))
    with qtbot.waitSignal(bridge.jobFinished, timeout=TIMEOUT_MS) as done:
        job = bridge.submit_file(str(src), specs, SegmentationConfig(max_chunk_s=4.0))
    assert done.args[0] == job
    transcript, translation = done.args[1]
    assert transcript.model == str(tiny_model_dir) and translation.spec == specs[1]
    assert len(transcript.segments) == 2 and len(translation.segments) == 2
    first, second = transcript.segments
    gap_start, gap_end = a.duration + 0.5, a.duration + 2.0
    assert first.start < 0.5 and gap_start <= first.end <= gap_end
    assert gap_start <= second.start <= gap_end and second.end <= speech.duration
    assert transcript.timing.generated_tokens > 0 and transcript.timing.encode_s > 0
    assert partials
    with qtbot.waitSignal(bridge.jobFinished, timeout=TIMEOUT_MS) as utter:
        bridge.submit_audio(a.audio, 12.0, specs[:1], source="mic")
    [result] = utter.args[1]
    assert result.segments and result.segments[0].start == 12.0
