"""``python -m app --self-test`` on Linux with the tiny random model: every check that applies
passes, the Mac-only ones say "not on macOS", the JSON report has the timings; a failing
check gives FAIL and exit 1; the word check fails an engine that hears nothing right."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.cli import build_parser, self_test
from app.core.about.selftest import Status, guarded
from app.engine import diagnostics
from app.engine.base import TaskOutput

MAC_ONLY = {"Metal", "microphone permission", "Accessibility", "Input Monitoring",
            "global shortcut"}  # fmt: skip


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_self_test_with_the_tiny_model(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    report = tmp_path / "report.json"
    argv = ["--model", str(tiny_model_dir), "--no-word-check", "--json", str(report)]
    assert self_test.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"OK; report: {report}"
    data = json.loads(report.read_text(encoding="utf-8"))
    checks = {c["name"]: c for c in data["checks"]}
    assert data["ok"] is True
    for name in ("versions", "data folders", "MLX compute", "model", "transcription"):
        assert checks[name]["status"] == "pass", checks[name]
    if sys.platform != "darwin":
        for name in MAC_ONLY:
            assert checks[name]["status"] == "skip" and checks[name]["reason"] == "not on macOS"
    assert checks["versions"]["data"]["mlx-audio"] == "0.6.2"
    run = checks["transcription"]["data"]["runs"][-1]
    assert run["tokens"] > 0 and run["tokens_per_s"] > 0
    assert 0 < run["first_token_s"] <= run["speech_end_to_text_s"]
    assert checks["transcription"]["data"]["sample"] in ("espeak-ng", "say", "noise")
    assert any(line.startswith("PASS  transcription: ") for line in lines)


def test_a_failing_check_fails_the_run(tmp_path: Path, capsys) -> None:
    report = tmp_path / "r.json"
    missing = str(tmp_path / "no-such-model")
    assert self_test.main(["--model", missing, "--json", str(report)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  model: --model:" in out and out.splitlines()[-1].startswith("1 FAILED")
    assert json.loads(report.read_text(encoding="utf-8"))["ok"] is False


def test_default_report_goes_to_the_data_folder(home: Path) -> None:
    assert self_test.main(["--skip-model"]) == 0
    assert json.loads((home / "data" / "self-test.json").read_text(encoding="utf-8"))["ok"]


class Parrot:
    """An engine that answers ``text`` (and streams it in two pieces)."""

    name = "parrot"

    def __init__(self, text: str) -> None:
        self.text = text

    def run(self, audio: Any, specs: Sequence[Any], **kw: Any) -> list[TaskOutput]:
        on_partial = kw.get("on_partial")
        if on_partial is not None:
            on_partial(0, self.text[:5])
            on_partial(0, self.text)
        return [TaskOutput(self.text)]


def test_word_check_passes_a_hearing_engine_and_fails_a_deaf_one() -> None:
    audio = np.zeros(16_000, np.float32)
    good = diagnostics.transcribe(Parrot(self_test.SAMPLE_TEXT), audio, self_test.SAMPLE_TEXT,
                                  check_words=True)  # fmt: skip
    assert good.status is Status.PASS and good.data["words_matched"] == "16/16"
    bad = diagnostics.transcribe(Parrot("noise"), audio, self_test.SAMPLE_TEXT, check_words=True)
    assert bad.status is Status.FAIL
    assert diagnostics.transcribe(Parrot("noise"), audio, "a b", check_words=False).status is (
        Status.PASS
    )


def test_an_exception_is_one_failed_check() -> None:
    def boom() -> Any:
        raise RuntimeError("Failed to load the default metallib.\n(details)")

    result = guarded("Metal", boom)
    assert result.status is Status.FAIL
    assert result.reason == "RuntimeError: Failed to load the default metallib. (details)"


def test_flag_is_listed_in_the_help() -> None:
    assert "--self-test" in build_parser().format_help()
