"""``python -m app transcribe`` in child processes, with the fake engine (env hook)."""

from __future__ import annotations

import io
import itertools
import json
import signal
import subprocess
from pathlib import Path

import pytest

from app.cli.files.outputs import ProgressDisplay
from app.cli.transcribe import _Events, _wait, output_paths
from app.core.model_state import ModelState
from app.core.text import export
from app.core.transcript import Task, TaskSpec
from app.workers.listener import ModelStateEvent
from tests.support import espeak
from tests.support.cli import ROOT, app_command, app_env, run_app, run_gui_script
from tests.support.media import write_audio


@pytest.fixture(scope="module")
def speech_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("speech")
    write_audio(folder / "talk.wav", espeak.two_sentences().audio, 16000)
    short = espeak.compose([0.3, espeak.synthesize(espeak.TWO_SENTENCES[1]), 0.3])
    write_audio(folder / "short.flac", short.audio, 16000)
    (folder / "bad.mp3").write_text("this is not audio\n" * 50)
    return folder


def run(args: list[str], home: Path, **kw) -> subprocess.CompletedProcess[str]:
    return run_app(args, home, **kw)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_writes_every_format_next_to_the_input(speech_dir, tmp_path) -> None:
    out = tmp_path / "out"
    proc = run(
        [
            "transcribe",
            str(speech_dir / "talk.wav"),
            "--model",
            "test/fake",
            "--format",
            "txt,srt",
            "--format",
            "vtt",
            "--format",
            "json,md",
            "--output-dir",
            str(out),
            "--keywords",
            "fox, dog",
        ],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "talk.json",
        "talk.md",
        "talk.srt",
        "talk.txt",
        "talk.vtt",
    ]
    [final] = lines(proc.stderr)
    assert final.startswith("granite-dictate: talk.wav: ") and "talk.srt" in final
    assert (out / "talk.md").read_text(encoding="utf-8").startswith("# talk.wav\n\n**00:00** ")
    doc = json.loads((out / "talk.json").read_text(encoding="utf-8"))
    assert doc["keywords"] == ["fox", "dog"] and doc["model"] == "fake"
    assert 0 < doc["segments"][0]["start"] < 1.0  # leading silence skipped
    assert doc["duration"] == pytest.approx(
        len(
            espeak.compose(
                [
                    0.5,
                    espeak.synthesize("The quick brown fox jumps over the lazy dog."),
                    1.5,
                    espeak.synthesize("Granite speech runs on the device."),
                    1.0,
                ]
            ).audio
        )
        / 16000,
        abs=0.01,
    )
    srt = export.parse_srt((out / "talk.srt").read_text(encoding="utf-8"))
    vtt = export.parse_vtt((out / "talk.vtt").read_text(encoding="utf-8"))
    assert [(s.start, s.end) for s in srt] == [(s.start, s.end) for s in vtt]
    assert srt and all(s.text.startswith("speech ") and s.text.endswith("+fox+dog") for s in srt)
    assert (out / "talk.txt").read_text(encoding="utf-8").strip() == " ".join(s.text for s in srt)
    assert (ROOT / "GRANITE_DICTATE_HOME").exists() is False
    assert (tmp_path / "logs" / "granite-dictate.log").is_file()


def test_a_bad_file_gets_one_line_and_the_others_are_still_written(speech_dir, tmp_path) -> None:
    files = [speech_dir / "short.flac", speech_dir / "bad.mp3", tmp_path / "gone.wav"]
    proc = run(
        ["transcribe", *map(str, files), "--model", "test/fake", "--output-dir", str(tmp_path)],
        tmp_path,
    )
    assert proc.returncode == 1
    errors = [x for x in lines(proc.stderr) if not x.startswith("granite-dictate: short.flac")]
    assert len(errors) == 2, proc.stderr
    assert errors[0] == "granite-dictate: gone.wav: no such file."
    assert errors[1].startswith("granite-dictate: bad.mp3: ")
    assert (tmp_path / "short.txt").read_text(encoding="utf-8").startswith("speech ")
    assert not (tmp_path / "bad.txt").exists()


def test_translation_is_named_after_the_target(speech_dir, tmp_path) -> None:
    proc = run(
        [
            "transcribe",
            str(speech_dir / "short.flac"),
            "--model",
            "test/fake",
            "--language",
            "en",
            "--translate-to",
            "fr",
            "--format",
            "srt",
            "--output-dir",
            str(tmp_path),
        ],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    cues = export.parse_srt((tmp_path / "short.fr.srt").read_text(encoding="utf-8"))
    assert cues and cues[0].text.startswith("[fr] speech")


def test_batch_option_reaches_the_file_pipeline(speech_dir, tmp_path) -> None:
    out = tmp_path / "out"
    for batch, expected in ((None, "up to 8 per step"), ("3", "up to 3 per step")):
        extra = ["--batch", batch] if batch else []
        args = ["transcribe", str(speech_dir / "talk.wav"), "--max-chunk", "5", *extra]
        proc = run([*args, "--output-dir", str(out)], tmp_path / (batch or "default"))
        assert proc.returncode == 0, proc.stderr
        log = (tmp_path / (batch or "default") / "logs" / "granite-dictate.log").read_text("utf-8")
        assert expected in log
    assert (out / "talk.txt").read_text(encoding="utf-8").startswith("speech")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--task", "translate"], "--translate-to"),
        (["--language", "fr", "--translate-to", "de"], "Cannot translate French to German"),
        (["--keywords-file", "/nonexistent/kw.txt"], "Keywords file"),
        (["--keywords-file", "/dev/zero"], "Keywords file zero is larger than 64 KB"),
        (["--max-chunk", "0"], "--max-chunk"),
        (["--batch", "0"], "--batch must be between 1 and 32"),
        (["--batch", "two"], "invalid int value"),
        (["--format", "srt,doc"], "Unknown format 'doc'"),
        (["--model", "./no/such/model"], "--model:"),
        (["--task", "summarize"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_one_line(speech_dir, tmp_path, args, needle) -> None:
    proc = run(["transcribe", str(speech_dir / "short.flac"), *args], tmp_path)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert lines(proc.stderr)[-1].startswith("granite-dictate")
    assert not list(speech_dir.glob("short.*.*")) and not (speech_dir / "short.txt").exists()


def test_model_load_failure_is_one_line_exit_1(speech_dir, tmp_path) -> None:
    proc = run(
        ["transcribe", str(speech_dir / "short.flac"), "--model", "test/corrupt-model"], tmp_path
    )
    assert proc.returncode == 1
    assert lines(proc.stderr) == [
        "granite-dictate: cannot load the model: "
        "Model 'corrupt-model' is damaged: weights are truncated."
    ]


def test_version(tmp_path) -> None:
    proc = run(["--version"], tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("granite-dictate ")


def test_ctrl_c_cancels_and_exits_130(speech_dir, tmp_path) -> None:
    proc = subprocess.Popen(
        app_command(
            "transcribe", speech_dir / "talk.wav", "--model", "test/block", "--output-dir", tmp_path
        ),
        cwd=ROOT,
        env=app_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "engine busy"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert lines(err) == ["granite-dictate: interrupted."]
    assert not (tmp_path / "talk.txt").exists()


def test_output_paths_never_hit_the_input_or_each_other(tmp_path) -> None:
    taken: set[Path] = set()
    src = tmp_path / "a.srt"
    first = output_paths(src, TaskSpec(), ["srt", "txt"], None, taken)
    assert first == {"srt": tmp_path / "a-2.srt", "txt": tmp_path / "a-2.txt"}
    again = output_paths(tmp_path / "x" / "a.srt", TaskSpec(), ["txt"], tmp_path, taken)
    assert again == {"txt": tmp_path / "a.txt"}
    third = output_paths(tmp_path / "y" / "a.wav", TaskSpec(), ["txt"], tmp_path, taken)
    assert third == {"txt": tmp_path / "a-3.txt"}
    fr = output_paths(
        tmp_path / "b.mp3", TaskSpec(Task.TRANSLATE, "en", "fr"), ["vtt"], None, taken
    )
    assert fr == {"vtt": tmp_path / "b.fr.vtt"}


SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Granite speech runs on the device without a network.",
    "We record a few sentences with pauses between them.",
    "Every pause should become a chunk boundary.",
    "Subtitles are written in three formats and as JSON.",
    "This is the last sentence of the test recording.",
]


@pytest.mark.slow
def test_end_to_end_with_the_tiny_model(tiny_model_dir, tmp_path) -> None:
    parts: list[espeak.Speech | float] = [0.7]
    for sentence in SENTENCES:
        parts += [espeak.synthesize(sentence), 1.1]
    speech = espeak.compose(parts)
    assert 20 < speech.duration < 40
    src = write_audio(tmp_path / "talk.flac", speech.audio, 16000)
    args = ["transcribe", src, "--model", tiny_model_dir, "--format", "txt,srt,vtt,json"]
    proc = run_app([*args, "--max-chunk", "8"], tmp_path / "home", engine=None, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert len(lines(proc.stderr)) == 1
    for ext in ("txt", "srt", "vtt", "json"):
        assert (tmp_path / f"talk.{ext}").stat().st_size > 0
    doc = json.loads((tmp_path / "talk.json").read_text(encoding="utf-8"))
    segs = [(s["start"], s["end"]) for s in doc["segments"]]
    assert doc["model"] == str(tiny_model_dir) and doc["duration"] == pytest.approx(
        speech.duration, abs=0.05
    )
    assert all(0 < e - s <= 8.0 + 1e-6 for s, e in segs)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(segs))
    tol = 0.06
    for word in speech.words:  # every word inside a segment: none lost, none cut in two
        assert any(s - tol <= word.start and word.end <= e + tol for s, e in segs), word
    srt = export.parse_srt((tmp_path / "talk.srt").read_text(encoding="utf-8"))
    vtt = export.parse_vtt((tmp_path / "talk.vtt").read_text(encoding="utf-8"))
    assert srt[0].start == pytest.approx(segs[0][0], abs=0.001)
    assert srt[-1].end == pytest.approx(segs[-1][1], abs=0.001)
    assert [(c.start, c.end) for c in srt] == [(c.start, c.end) for c in vtt]


GUI_EXIT = """
import atexit
import runpy
import sys

import mlx.core  # as after a model load: main() must end with exit_process
from PySide6.QtCore import QTimer

from app.core.transcript import Segment
from app.ui.app import make_application

atexit.register(lambda: print("interpreter finalized", flush=True))
app = make_application()


def poll():
    for w in app.topLevelWidgets():
        if type(w).__name__ == "MainWindow" and w.model_state == "ready":
            w.current_pane().insert_segment(Segment(0.0, 1.0, "said just before quitting"))
            print("quitting", flush=True)
            app.quit()  # within the autosave delay: only the exit path can save it
            return
    QTimer.singleShot(20, poll)


QTimer.singleShot(0, poll)
sys.argv = ["app"]
runpy.run_module("app", run_name="__main__")  # what `make run` runs: python -m app
"""


@pytest.mark.slow
def test_gui_exit_saves_before_the_hard_exit(tmp_path) -> None:
    proc = run_gui_script(GUI_EXIT, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # The process ended through exit_process (no interpreter finalization) ...
    assert proc.stdout.splitlines() == ["quitting"]
    # ... after the window's close handler saved the document and the window state.
    saved = list((tmp_path / "data" / "transcripts").glob("*.autosave.json"))
    assert any("said just before quitting" in p.read_text(encoding="utf-8") for p in saved)
    assert "geometry" in (tmp_path / "config" / "settings.ini").read_text(encoding="utf-8")
    assert "Traceback" not in proc.stderr


def test_a_pressed_ctrl_c_ends_the_wait_even_with_no_event() -> None:
    """Ctrl-C is a count (``sigint_counter``) that the wait turns into KeyboardInterrupt
    where no lock is held; raised from the signal handler it could hang the process."""
    events = _Events(False, [])
    display = ProgressDisplay(io.StringIO())
    with pytest.raises(KeyboardInterrupt):
        _wait(events, display, [1], "loading model", {})
    events.q.put(ModelStateEvent(ModelState.READY, ""))
    assert _wait(events, display, [0], "loading model", {}) == ModelStateEvent(ModelState.READY, "")
