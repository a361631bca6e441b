"""``transcribe --speakers``: segments labelled by the tiny Sortformer, or one-line fallback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_transcribe import run, speech_dir  # noqa: F401 - fixture


def test_speakers_label_every_segment(
    speech_dir: Path,  # noqa: F811
    tiny_sortformer_dir: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    args = ["transcribe", str(speech_dir / "talk.wav"), str(speech_dir / "short.flac")]
    args += ["--model", "test/fake", "--format", "json,vtt", "--output-dir", str(out)]
    proc = run([*args, "--speakers", "--speaker-model", str(tiny_sortformer_dir)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("talk", "short"):
        doc = json.loads((out / f"{name}.json").read_text())
        assert doc["segments"] and all(
            s["speaker"] == "Others" or s["speaker"].startswith("Speaker ") for s in doc["segments"]
        )
        assert "<v " in (out / f"{name}.vtt").read_text()


def test_without_the_speaker_model_the_transcript_is_kept(
    speech_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    args = ["transcribe", str(speech_dir / "talk.wav"), str(speech_dir / "short.flac")]
    args += ["--model", "test/fake", "--format", "json", "--output-dir", str(out)]
    proc = run([*args, "--speakers", "--speaker-model", str(tmp_path / "none")], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("speaker detection unavailable") == 1
    for name in ("talk", "short"):
        doc = json.loads((out / f"{name}.json").read_text())
        assert doc["segments"] and all("speaker" not in s for s in doc["segments"])
