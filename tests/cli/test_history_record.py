"""``transcribe`` and ``listen`` write the searchable history (real SQLite in a temp
GRANITE_DICTATE_HOME, commands in child processes with the fake engine); a history problem
gives one warning line and never fails the command or its outputs."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.cli.history_record import read_history_prefs
from app.core.history.record import dictation_entry
from app.core.history.store import HistoryStore, NewEntry, OutputText
from app.core.preferences import Preferences
from app.core.text.commands import CommandSet
from app.core.text.postprocess import command_set
from app.core.text.rules import parse_rules
from app.core.transcript import Segment, Task, TaskSpec, TranscriptResult
from tests.support import espeak
from tests.support.cli import FAKE_ENGINE, ROOT, app_command, run_app
from tests.support.media import write_audio
from tests.support.pulse import PulseServer, pulse_server  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("speech") / "talk.wav"
    write_audio(path, espeak.compose([0.3, espeak.synthesize("hello there"), 0.3]).audio, 16000)
    return path


def transcribe(talk: Path, home: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_app(["transcribe", talk, "--model", "test/fake", "--output-dir", out, *extra], home)


def history_rows(home: Path, *args: str) -> list[dict[str, Any]]:
    """``history ARGS --json``: one JSON row per line."""
    proc = run_app(["history", *args, "--json"], home)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def search(home: Path, words: str = "speech") -> list[dict[str, object]]:
    return history_rows(home, "search", words)


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "history" in line]


def db(home: Path) -> Path:
    return home / "data" / "history" / "history.db"


def test_transcribe_stores_the_file_and_history_search_finds_it(talk, tmp_path) -> None:
    home = tmp_path / "home"
    proc = transcribe(
        talk, home, tmp_path, "--translate-to", "fr", "--rules", str(_rules(tmp_path))
    )
    assert proc.returncode == 0, proc.stderr
    assert warnings(proc.stderr) == []
    assert search(home, "speech") == []  # stored as written: rules applied
    hits = search(home, "spoken")
    assert len(hits) == 1
    assert hits[0]["kind"] == "file" and hits[0]["source"] == str(talk.absolute())
    assert hits[0]["language"] == "fr"
    written = (tmp_path / "talk.fr.txt").read_text().strip()
    assert hits[0]["text"] == written and "[fr] SPOKEN" in written
    listed = history_rows(home, "list")[0]
    assert listed["task"] == "translate" and listed["target_languages"] == ["fr"]
    assert listed["model"] and listed["duration"] > 0 and listed["audio"] == str(talk.absolute())


def _rules(folder: Path) -> Path:
    path = folder / "rules.txt"
    path.write_text("speech => SPOKEN\n")
    return path


def test_no_history_stores_nothing(talk, tmp_path) -> None:
    home = tmp_path / "home"
    proc = transcribe(talk, home, tmp_path, "--no-history")
    assert proc.returncode == 0 and (tmp_path / "talk.txt").exists()
    assert search(home) == []


def _settings(home: Path, text: str) -> None:
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "settings.ini").write_text(text)


def test_history_switched_off_in_preferences_stores_nothing(talk, tmp_path) -> None:
    home = tmp_path / "home"
    _settings(home, "[preferences]\nhistory_enabled=false\n")
    assert transcribe(talk, home, tmp_path).returncode == 0
    assert search(home) == []


def test_keep_days_prunes_old_entries_and_keeps_the_new_one(talk, tmp_path) -> None:
    home = tmp_path / "home"
    _settings(home, "[preferences]\nhistory_keep_days=5\n")
    db(home).parent.mkdir(parents=True, mode=0o700)
    store = HistoryStore(db(home))
    old = NewEntry("file", "/old.wav", "transcribe", [OutputText(None, [(0, 1, "speech old")])])
    store.add(replace(old, created=time.time() - 10 * 86400))
    store.close()
    assert len(search(home)) == 1
    assert transcribe(talk, home, tmp_path).returncode == 0
    assert [h["source"] for h in search(home)] == [str(talk.absolute())]


def test_a_corrupt_database_gives_one_line_and_the_outputs_are_written(talk, tmp_path) -> None:
    home = tmp_path / "home"
    db(home).parent.mkdir(parents=True, mode=0o700)
    db(home).write_bytes(b"not a database at all " * 500)
    proc = transcribe(talk, home, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "talk.txt").read_text().strip()
    lines = warnings(proc.stderr)
    assert len(lines) == 1 and "damaged" in lines[0], proc.stderr
    assert list(db(home).parent.glob("history.db.corrupt-*"))
    assert len(search(home)) == 1  # a new history was started and has the file


def test_a_locked_database_gives_one_line_and_the_outputs_are_written(talk, tmp_path) -> None:
    home = tmp_path / "home"
    db(home).parent.mkdir(parents=True, mode=0o700)
    HistoryStore(db(home)).close()
    other = sqlite3.connect(db(home), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing, for longer than we wait
    try:
        proc = transcribe(talk, home, tmp_path)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "talk.txt").read_text().strip()
    lines = warnings(proc.stderr)
    assert len(lines) == 1 and "locked" in lines[0], proc.stderr


def test_an_unusable_history_folder_gives_one_line(talk, tmp_path) -> None:
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "data" / "history").write_text("a file where the folder should be")
    proc = transcribe(talk, home, tmp_path, "--format", "srt")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "talk.srt").read_text().strip()
    assert len(warnings(proc.stderr)) == 1, proc.stderr


def test_read_history_prefs_reads_what_the_window_saved(tmp_path) -> None:
    from app.ui.settings.settings_store import SettingsStore

    path = tmp_path / "settings.ini"
    prefs = Preferences(
        history_enabled=False,
        history_keep_days=30,
        extra_translation_targets=("fr", "de"),
        spoken_command_lines='full stop => .\nhi, "there" => 100% [x]',
        autosave_dir="/tmp/a;b#c=d",
    )
    SettingsStore(str(path)).save_preferences(prefs)
    read = read_history_prefs(path)
    assert (read.history_enabled, read.history_keep_days) == (False, 30)
    assert read_history_prefs(tmp_path / "missing.ini") == Preferences()
    (tmp_path / "bad.ini").write_bytes(b"\xff\xfe[[[ not ini")
    assert read_history_prefs(tmp_path / "bad.ini") == Preferences()
    (tmp_path / "odd.ini").write_text("[preferences]\nhistory_keep_days=-4\n")
    assert read_history_prefs(tmp_path / "odd.ini").history_keep_days == 0


def _utterance(text: str, task: Task = Task.TRANSCRIBE) -> list[TranscriptResult]:
    spec = TaskSpec(task, "en", "fr" if task is Task.TRANSLATE else None)
    return [TranscriptResult(spec, [Segment(1.0, 2.0, text, "rec")], "m", "rec", 2.0)]


def test_dictation_entry_applies_rules_and_commands_and_skips_command_only() -> None:
    commands: CommandSet = command_set("")
    rules = parse_rules("granite => Granite\n")
    entry = dictation_entry(_utterance("granite rocks period"), rules, commands)
    assert entry is not None and entry.kind == "dictation" and entry.audio_path is None
    assert entry.outputs[0].segments[0][2] == "Granite rocks."
    assert dictation_entry(_utterance("new line"), rules, commands) is None
    saved = dictation_entry(_utterance("hi"), audio_path="/x.wav", audio_owned=False)
    assert saved is not None and saved.audio_path == "/x.wav" and not saved.audio_owned


@pytest.mark.pulse
@pytest.mark.slow
def test_listen_stores_each_utterance(pulse_server: PulseServer, tmp_path: Path) -> None:  # noqa: F811
    speech = espeak.compose([0.5, espeak.synthesize("the quick brown fox"), 1.5])
    home, saved = tmp_path / "home", tmp_path / "saved.wav"
    env = dict(
        pulse_server.env, GRANITE_DICTATE_HOME=str(home), GRANITE_DICTATE_ENGINE_FACTORY=FAKE_ENGINE
    )
    cmd = app_command("listen", "--model", "test/fake")
    cmd += ["--duration", f"{speech.duration + 2.0:.1f}", "--save-audio", str(saved)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None and proc.stdout is not None
    while "listening" not in (line := proc.stderr.readline()):
        assert line, "listen ended before listening"
    player = pulse_server.play(speech.audio)
    assert player.wait(60) == 0
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.strip() and warnings(err) == [], err
    hits = search(home)
    assert len(hits) == len(out.strip().splitlines()) >= 1
    assert all(h["kind"] == "dictation" for h in hits)
    listed = history_rows(home, "list")[0]
    assert listed["audio"] == str(saved.absolute()) and saved.exists()
