"""``python -m app history`` against a real history database in GRANITE_DICTATE_HOME."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from app.core.history.store import DICTATION, FILE, HistoryStore, NewEntry, OutputText
from app.core.text import export
from tests.support.cli import run_app


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(monkeypatch, capsys):
    """The command in this process (each child process costs seconds on a busy machine)."""

    def run_(home: Path, *args: str) -> Result:
        monkeypatch.setenv("GRANITE_DICTATE_HOME", str(home))
        code = main(["history", *args], hard_exit=False)
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return run_


def test_a_child_process_end_to_end(home: Path) -> None:
    proc = run_app(["history", "search", "deadline"], home, engine=None)
    assert proc.returncode == 0
    assert proc.stdout.endswith("[2.00-4.50] Friday is the deadline\n")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    store = HistoryStore(tmp_path / "data" / "history" / "history.db")
    t = time.mktime((2026, 3, 4, 10, 30, 0, 0, 0, -1))
    store.add(
        NewEntry(
            DICTATION,
            "rec-1",
            "transcribe",
            [OutputText("en", [(1.0, 2.5, "Ship it Friday")])],
            created=t,
        )
    )
    talk = [(0.0, 2.0, "Welcome to the meeting"), (2.0, 4.5, "Friday is the deadline")]
    fr = [(0.0, 2.0, "Bienvenue à la réunion"), (2.0, 4.5, "Vendredi est la date limite")]
    store.add(
        NewEntry(
            FILE,
            "/talks/meeting.mp3",
            "translate",
            [OutputText("en", talk), OutputText("fr", fr)],
            source_language="en",
            target_languages=["fr"],
            model="granite",
            duration=4.5,
            audio_path="/talks/meeting.mp3",
            created=t + 60,
        )
    )
    store.close()
    return tmp_path


def test_search_prints_date_source_times_text(run, home: Path) -> None:
    proc = run(home, "search", "friday")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "2026-03-04 10:31  /talks/meeting.mp3  [2.00-4.50] Friday is the deadline",
        "2026-03-04 10:30  mic  [1.00-2.50] Ship it Friday",
    ]
    limited = run(home, "search", "friday", "--limit", "1", "--json")
    [row] = [json.loads(line) for line in limited.stdout.splitlines()]
    assert row["source"] == "/talks/meeting.mp3" and row["start"] == 2.0 and row["entry"] == 2
    assert run(home, "search", "nothing-like-this").stdout == ""
    assert run(home, "search", "friday", "--kind", "dictation").stdout.count("\n") == 1
    assert "réunion" in run(home, "search", "reunion", "--language", "fr").stdout


def test_list_and_export(run, home: Path, tmp_path: Path) -> None:
    lines = run(home, "list").stdout.splitlines()
    assert len(lines) == 2 and lines[0].split()[0] == "2" and "(en→fr, 4.5 s)" in lines[0]
    srt = run(home, "export", "2", "--format", "srt").stdout
    cues = export.parse_srt(srt)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (0.0, 2.0, "Welcome to the meeting"),
        (2.0, 4.5, "Friday is the deadline"),
    ]
    out = tmp_path / "fr.vtt"
    assert (
        run(
            home, "export", "2", "--format", "vtt", "--output-index", "1", "-o", str(out)
        ).returncode
        == 0
    )
    assert "Vendredi" in out.read_text(encoding="utf-8")


def test_errors_are_one_line(run, home: Path) -> None:
    missing = run(home, "export", "99")
    assert missing.returncode == 1 and missing.stderr.strip().endswith(
        "There is no history entry 99."
    )
    bad = run(home, "search", "x", "--since", "yesterday")
    assert bad.returncode == 2 and "--since must be a date" in bad.stderr
    assert run(home, "export", "2", "--output-index", "5").returncode == 2
    assert run(home, "search", "x", "--limit", "0").returncode == 2


def test_delete(run, home: Path) -> None:
    assert run(home, "delete", "1").returncode == 0
    assert "mic" not in run(home, "search", "friday").stdout
    assert run(home, "delete", "1").returncode == 1
