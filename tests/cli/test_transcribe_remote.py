"""``transcribe --engine URL``: the same segments and text as local transcription, against the
API server on 127.0.0.1 with the tiny model (the exactness check), and one-line failures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from app.workers.engine_factory import default_engine_factory
from tests.server.helpers import serve
from tests.support import espeak
from tests.support.cli import FAKE_ENGINE, run_app
from tests.support.fake_engine import factory as fake_factory
from tests.support.media import write_audio

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Granite speech runs on the device.",
    "Remote engines send every chunk to a server.",
]


def _transcribe(
    args: list[str], home: Path, fake: bool = False
) -> subprocess.CompletedProcess[str]:
    return run_app(["transcribe", *args], home, engine=FAKE_ENGINE if fake else None, timeout=600)


@pytest.fixture(scope="module")
def talk(tmp_path_factory) -> Path:
    parts: list[espeak.Speech | float] = [0.6]
    for sentence in SENTENCES:
        parts += [espeak.synthesize(sentence), 1.2]
    speech = espeak.compose(parts)
    return write_audio(tmp_path_factory.mktemp("speech") / "talk.flac", speech.audio, 16000)


def _doc(path: Path) -> tuple[list[tuple[float, float, str]], str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [(s["start"], s["end"], s["text"]) for s in doc["segments"]], doc["text"]


@pytest.mark.slow
@pytest.mark.parametrize("translate", [False, True])
def test_remote_gives_the_same_segments_and_text_as_local(
    tiny_model_dir, talk, tmp_path, translate
) -> None:
    task = ["--language", "en", "--translate-to", "fr"] if translate else ["--language", "en"]
    common = [str(talk), "--format", "json", "--max-chunk", "6", "--keywords", "Granite", *task]
    local = _transcribe(
        [*common, "--model", str(tiny_model_dir), "--output-dir", str(tmp_path / "local")],
        tmp_path / "home",
    )
    assert local.returncode == 0, local.stderr
    with serve(default_engine_factory, str(tiny_model_dir)) as server:
        remote = _transcribe(
            [*common, "--engine", server.url, "--parallel", "2", "--output-dir", str(tmp_path)],
            tmp_path / "home",
        )
    assert remote.returncode == 0, remote.stderr
    assert "warning" not in remote.stderr  # Granite Dictate supports keywords and targets
    assert "downloading" not in remote.stderr  # the server is the model: nothing to fetch
    name = "talk.fr.json" if translate else "talk.json"
    segs, text = _doc(tmp_path / name)
    want_segs, want_text = _doc(tmp_path / "local" / name)
    assert len(want_segs) >= 3 and want_text
    assert segs == want_segs and text == want_text


def test_an_unreachable_engine_is_one_line_exit_1(talk, tmp_path) -> None:
    with serve(fake_factory) as server:
        url = server.url
    proc = _transcribe([str(talk), "--engine", url], tmp_path / "home", fake=True)
    assert proc.returncode == 1
    assert "Cannot reach the engine at" in proc.stderr
    assert len([x for x in proc.stderr.splitlines() if x.strip()]) == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--engine", "ftp://x"], "not an http"),
        (["--engine", "http://127.0.0.1:9", "--parallel", "0"], "--parallel"),
    ],
)
def test_remote_usage_errors(talk, tmp_path, args, needle) -> None:
    proc = _transcribe([str(talk), *args], tmp_path / "home", fake=True)
    assert proc.returncode == 2 and needle in proc.stderr
