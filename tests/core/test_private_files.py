"""Everything the app writes about the user is 0600 in 0700 folders, whatever the umask."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.audio import journal
from app.audio.journal import RecordingJournal, export_audio
from app.core.storage import paths
from app.core.storage.autosave_store import AutosaveStore
from app.core.storage.logging_setup import make_handler
from app.core.storage.recordings import RecordingError
from app.core.text.document import Document


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))
    old = os.umask(0)  # the most open umask: privacy must not depend on it
    yield tmp_path / "home"
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_app_folders_are_0700(home: Path) -> None:
    for folder in (paths.config_dir(), paths.data_dir(), paths.log_dir(), paths.recordings_dir()):
        assert _mode(folder) == 0o700, folder
    assert _mode(paths.autosave_dir()) == 0o700


def test_recordings_and_sidecars_are_0600(home: Path) -> None:
    rec = RecordingJournal(rate=16_000)
    rec.write(np.zeros(16_000, np.float32))
    info = rec.close("hello")
    assert _mode(info.wav) == 0o600 and _mode(info.sidecar) == 0o600
    assert _mode(info.wav.parent) == 0o700


def test_journal_reaches_the_disk_every_second() -> None:
    assert journal.FSYNC_EVERY_S <= 1.0 and journal.FLUSH_EVERY_S <= 1.0


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_saved_audio_is_private_and_never_half_written(home: Path, suffix: str) -> None:
    rec = RecordingJournal(rate=16_000)
    rec.write(np.zeros(16_000, np.float32))
    info = rec.close()
    dest = home / "out" / f"saved{suffix}"
    dest.parent.mkdir()
    export_audio(info.wav, dest)
    assert _mode(dest) == 0o600
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]

    broken = home / "out" / f"broken{suffix}"
    with pytest.raises(RecordingError):
        export_audio(home / "missing.wav", broken)
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]  # no half file, no temp


def test_autosaves_are_0600(home: Path) -> None:
    store = AutosaveStore()
    path = store.save(Document(title="Meeting notes"))
    assert _mode(path) == 0o600


def test_log_file_is_0600(home: Path) -> None:
    handler, path, _problem = make_handler()
    assert path is not None
    handler.emit(logging.LogRecord("x", logging.WARNING, __file__, 1, "a file name", None, None))
    handler.close()
    assert _mode(path) == 0o600


def test_settings_file_is_0600(home: Path) -> None:
    from app.core.preferences import Preferences
    from app.ui.settings.settings_store import SettingsStore

    store = SettingsStore(str(paths.settings_path()))
    store.save_preferences(Preferences())
    assert _mode(paths.settings_path()) == 0o600


def test_an_unwritable_data_folder_is_one_recording_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Record (window) and listen both open a journal: a data folder that cannot be made is a
    RecordingError (one line), never an OSError escaping as a traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(blocker))
    with pytest.raises(RecordingError) as info:
        RecordingJournal()
    assert "\n" not in str(info.value) and "Cannot create a recording" in str(info.value)
