"""Sortformer speaker detection through mlx-audio with the tiny random checkpoint."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from app.core.errors import ModelCorruptError, ModelMissingError
from app.engine.diarize import load_diarizer
from tests.support.espeak import compose, synthesize

RATE = 16_000


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    a = synthesize("good morning, shall we begin the meeting", "en+m3")
    b = synthesize("yes, the budget comes first", "en+f2")
    return compose([0.3, a, 0.6, b, 0.3]).audio


def test_whole_recording_gives_turns_inside_the_audio(tiny_sortformer_dir: Path, speech):
    diarizer = load_diarizer(str(tiny_sortformer_dir))
    assert diarizer.max_speakers == 4
    turns = diarizer.diarize(speech)
    assert turns, "random weights still mark some frames active"
    duration = len(speech) / RATE
    for t in turns:
        assert 0 <= t.start < t.end <= duration + 0.1 and 0 <= t.speaker < 4
    assert diarizer.diarize(np.zeros(100, np.float32)) == []


def test_stream_times_are_relative_to_each_piece(tiny_sortformer_dir: Path, speech):
    stream = load_diarizer(str(tiny_sortformer_dir)).stream()
    half = len(speech) // 2
    for piece in (speech[:half], speech[half:]):
        turns = stream.feed(piece)
        assert turns
        assert all(-0.1 <= t.start < t.end <= len(piece) / RATE + 0.1 for t in turns)
    assert stream.feed(np.zeros(0, np.float32)) == []


def test_bad_folders_are_one_line(tiny_sortformer_dir: Path, tmp_path: Path):
    with pytest.raises(ModelMissingError):
        load_diarizer(str(tmp_path / "nothing"))
    other = tmp_path / "other"
    shutil.copytree(tiny_sortformer_dir, other)
    config = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps(config | {"model_type": "granite_speech"}))
    with pytest.raises(ModelCorruptError, match="Sortformer"):
        load_diarizer(str(other))
    broken = tmp_path / "broken"
    shutil.copytree(tiny_sortformer_dir, broken)
    (broken / "model.safetensors").write_bytes(b"\0" * 64)
    with pytest.raises(ModelCorruptError):
        load_diarizer(str(broken))


def test_no_download_without_consent(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ModelMissingError, match="not downloaded"):
        load_diarizer("someone/sortformer-not-cached", allow_download=False)
