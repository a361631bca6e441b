"""``transcribe`` batches: every failure stays in its file's line, closed pipes never stop the
work, output problems are found before the model runs, and odd inputs get clear words."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_transcribe import lines, run
from tests.support.cli import ROOT, app_command, app_env
from tests.support.media import write_tone


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tones")
    for name in ("a", "b", "c", "d", "e"):
        write_tone(folder / f"{name}.wav", 1.0)
    return folder


def _model() -> list[str]:
    return ["--model", "test/fake"]


def test_a_name_that_is_not_utf8_is_written_and_the_batch_goes_on(tones, tmp_path) -> None:
    odd = os.fsencode(tones) + b"/b\xff\xfe.wav"
    os.link(os.fsencode(tones / "b.wav"), odd)
    out = tmp_path / "out"
    files = [str(tones / "a.wav"), os.fsdecode(odd), str(tones / "c.wav")]
    proc = run(
        ["transcribe", *files, *_model(), "--format", "json,txt", "--output-dir", str(out)],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(lines(proc.stderr)) == 3, proc.stderr
    data = json.loads((out / os.fsdecode(b"b\xff\xfe.json")).read_text(encoding="utf-8"))
    assert data["source"].endswith("b\ufffd\ufffd.wav")
    assert (out / "c.json").exists() and (out / "c.txt").exists()


def test_a_closed_stderr_never_stops_the_work(tones, tmp_path) -> None:
    """``transcribe a b c d e 2>&1 | head -1``: every output is written, exit code 0."""
    out = tmp_path / "out"
    files = [str(tones / f"{n}.wav") for n in "abcde"]
    child = subprocess.Popen(
        app_command("transcribe", *files, *_model(), "--output-dir", out),
        cwd=ROOT,
        env=app_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert child.stdout is not None
    first = child.stdout.readline()
    child.stdout.close()  # like head -1
    assert child.wait(timeout=120) == 0
    assert b"a.wav" in first
    assert sorted(p.name for p in out.iterdir()) == [f"{n}.txt" for n in "abcde"]


def test_inputs_that_cannot_be_read_get_clear_words(tones, tmp_path) -> None:
    loop = tmp_path / "loop.wav"
    loop.symlink_to(loop)
    out = tmp_path / "out"
    args = ["-", str(loop), str(tmp_path / "none.wav"), str(tmp_path), str(tones / "a.wav")]
    proc = run(["transcribe", *args, *_model(), "--output-dir", str(out)], tmp_path)
    assert proc.returncode == 1
    said = lines(proc.stderr)
    assert "standard input is not supported" in said[0]
    assert "loop.wav: is a symbolic link loop." in said[1]
    assert "none.wav: no such file." in said[2]
    assert "is a folder." in said[3]
    assert "a.wav: 0 segments" in said[4] or "a.wav:" in said[4]
    assert (out / "a.txt").exists()


def test_audio_redirected_to_stdin_is_read(tones, tmp_path) -> None:
    out = tmp_path / "out"
    with open(tones / "a.wav", "rb") as stdin:
        proc = run(
            ["transcribe", "/dev/stdin", *_model(), "--output-dir", str(out)], tmp_path, stdin=stdin
        )
    assert proc.returncode == 0, proc.stderr


def test_output_problems_are_found_before_the_model_loads(tones, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    # A model that fails to load: its message must never show, the output check comes first.
    proc = run(
        [
            "transcribe",
            str(tones / "a.wav"),
            "--model",
            "test/missing",
            "--output-dir",
            str(blocker / "out"),
        ],
        tmp_path,
    )
    assert proc.returncode == 1
    assert lines(proc.stderr) == [
        "granite-dictate: a.wav: cannot create the folder out: Not a directory."
    ]


def test_an_output_name_too_long_is_found_before_the_model_runs(tmp_path) -> None:
    src = write_tone(tmp_path / ("x" * 250 + ".wav"), 0.5)  # 254 bytes: fine as an input
    ok = write_tone(tmp_path / ("y" * 248 + ".wav"), 0.5)  # its output has 255 bytes: fits
    args = [str(src), str(ok), "--model", "test/fake", "--translate-to", "fr", "--language", "en"]
    proc = run(["transcribe", *args, "--output-dir", str(tmp_path / "out")], tmp_path)
    assert proc.returncode == 1, proc.stderr
    said = lines(proc.stderr)
    assert "is too long for the file system" in said[0] and "\n" not in said[0]
    assert (tmp_path / "out" / ("y" * 248 + ".fr.txt")).exists()
