"""The API server with the tiny model through the real loader and pipeline: the same segments
and text as the file pipeline run directly, for transcription, translation and streaming."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.chunking.segmentation import SegmentationConfig
from app.core.transcript import Task, TaskSpec
from app.workers.engine_factory import default_engine_factory
from app.workers.files.pipeline import transcribe_file
from tests.server.helpers import serve
from tests.support import espeak
from tests.support.media import write_audio

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning"),
]


@pytest.fixture(scope="module")
def talk(tmp_path_factory) -> Path:
    speech = espeak.two_sentences()
    return write_audio(tmp_path_factory.mktemp("speech") / "talk.flac", speech.audio, 16000)


@pytest.fixture(scope="module")
def server(tiny_model_dir):
    with serve(default_engine_factory, str(tiny_model_dir)) as served:
        yield served


def _local(engine, path: Path, spec: TaskSpec):
    return transcribe_file(engine, str(path), [spec], SegmentationConfig())[0]


def test_transcription_matches_the_local_pipeline(server, tiny_engine, talk) -> None:
    local = _local(tiny_engine, talk, TaskSpec(Task.TRANSCRIBE, "en"))
    reply = server.client().audio.transcriptions.create(
        file=talk.open("rb"), model="granite", language="en", response_format="verbose_json"
    )
    got = [(s.start, s.end, s.text) for s in reply.segments]
    want = [(round(s.start, 3), round(s.end, 3), s.text) for s in local.segments]
    assert got == want and reply.text == local.text and len(want) == 2


def test_translation_and_stream_match_the_local_pipeline(server, tiny_engine, talk) -> None:
    spec = TaskSpec(Task.TRANSLATE, "en", "fr", ("Granite",))
    local = _local(tiny_engine, talk, spec)
    client = server.client()
    reply = client.audio.translations.create(
        file=talk.open("rb"),
        model="granite",
        extra_body={"language": "en", "to_language": "fr", "keywords": "Granite"},
    )
    assert reply.text == local.text and local.text
    events = list(
        client.audio.transcriptions.create(file=talk.open("rb"), model="granite", stream=True)
    )
    assert events[-1].type == "transcript.text.done"
    assert "".join(e.delta for e in events[:-1]) == events[-1].text
