"""One folder layout for the whole app (settings, data, logs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.storage import autosave_store, paths, recordings
from app.ui.settings import dirs


def test_home_override_puts_everything_under_one_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path))
    assert paths.config_dir() == tmp_path / "config"
    assert paths.data_dir() == tmp_path / "data"
    assert paths.log_dir() == tmp_path / "logs"
    assert paths.settings_path() == tmp_path / "config" / "settings.ini"
    assert paths.autosave_dir() == tmp_path / "data" / "transcripts"
    assert paths.recordings_dir() == tmp_path / "data" / "recordings"
    assert all(
        p.is_dir()
        for p in (tmp_path / "config", tmp_path / "logs", tmp_path / "data" / "recordings")
    )


def test_every_user_of_the_data_folder_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path))
    assert autosave_store.AutosaveStore().folder == dirs.autosave_dir() == paths.autosave_dir()
    assert recordings.recordings_dir() == dirs.recordings_dir() == paths.recordings_dir()
    assert dirs.settings_path() == paths.settings_path()


def test_blank_override_and_chosen_autosave_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.HOME_ENV, "   ")
    assert paths.home_override() is None
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert paths.APP_NAME in str(paths.data_dir())
    assert paths.autosave_dir(f"  {tmp_path / 'mine'}  ") == tmp_path / "mine"
    assert (tmp_path / "mine").is_dir()
