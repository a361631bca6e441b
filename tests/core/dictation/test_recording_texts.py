from __future__ import annotations

import json
from pathlib import Path

from app.core.dictation.recording_texts import RecordingTexts
from app.core.storage.recordings import RecordingInfo


def _info(folder: Path, rec_id: str) -> RecordingInfo:
    return RecordingInfo(rec_id, folder / f"{rec_id}.wav")


def test_the_text_is_saved_once_the_recording_stopped_and_no_job_is_left(tmp_path: Path):
    texts = RecordingTexts()
    info = _info(tmp_path, "a")
    texts.add("a", "Hello there.")
    texts.add("a", "second part")
    assert texts.save_complete([]) == []  # still recording
    texts.finished(info)
    assert texts.save_complete(["a"]) == []  # its last utterance is still running
    assert not info.sidecar.exists()
    texts.add("a", "last one.")
    assert texts.save_complete(["b"]) == ["a"]
    saved = json.loads(info.sidecar.read_text(encoding="utf-8"))
    assert saved["transcript"] == info.transcript
    assert info.transcript.startswith("Hello there.") and info.transcript.endswith("last one.")
    assert texts.save_complete([]) == []  # once only


def test_a_recording_without_text_or_a_failed_save_stores_nothing(tmp_path: Path):
    texts = RecordingTexts()
    texts.finished(_info(tmp_path, "silent"))
    assert texts.save_complete([]) == []
    blocked = _info(tmp_path, "x")
    blocked.sidecar.mkdir()  # the sidecar cannot be written
    texts.add("x", "words")
    texts.finished(blocked)
    assert texts.save_complete([]) == []  # logged, not raised
