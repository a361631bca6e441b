"""The app's folders, in one place: settings, data (autosaves, recordings) and logs.

Standard per-platform locations via platformdirs, e.g. on macOS
``~/Library/Application Support/Granite Dictate`` and ``~/Library/Logs/Granite Dictate``.
Setting ``GRANITE_DICTATE_HOME`` puts everything under one folder instead (tests, portable
installs): ``$GRANITE_DICTATE_HOME/{config,data,logs}``.

Plain Python (no Qt), so core, audio, the CLI, logging and the GUI all share one layout::

    APP_NAME = "Granite Dictate"; HOME_ENV = "GRANITE_DICTATE_HOME"
    home_override() -> Path | None          # $GRANITE_DICTATE_HOME, if set
    config_dir() -> Path; data_dir() -> Path; log_dir() -> Path   # created on first use
    settings_path() -> Path                 # config_dir() / "settings.ini"
    autosave_dir(preference: str = "") -> Path   # the preference, or data_dir() / "transcripts"
    recordings_dir() -> Path                # data_dir() / "recordings"
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import platformdirs

from app.core.storage.atomic import clean_app_temps

APP_NAME = "Granite Dictate"
HOME_ENV = "GRANITE_DICTATE_HOME"


def home_override() -> Path | None:
    """``$GRANITE_DICTATE_HOME`` (expanded) when set and not blank, else ``None``."""
    home = os.environ.get(HOME_ENV, "").strip()
    return Path(home).expanduser() if home else None


def _override(sub: str) -> Path | None:
    home = home_override()
    return home / sub if home is not None else None


def _ensure(path: Path, private: bool = True) -> Path:
    """Create ``path``; the app's own folders are 0700 whatever the umask."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if private and path.stat().st_mode & 0o777 != 0o700:
        # a folder we do not own (a shared GRANITE_DICTATE_HOME) keeps its mode
        with contextlib.suppress(OSError):
            path.chmod(0o700)
    return path


def config_dir() -> Path:
    return _ensure(
        _override("config") or Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    )


def data_dir() -> Path:
    return _ensure(_override("data") or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def log_dir() -> Path:
    return _ensure(_override("logs") or Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)))


def settings_path() -> Path:
    return config_dir() / "settings.ini"


def autosave_dir(preference: str = "") -> Path:
    """Where automatic saves go: the user's folder if set, else ``data_dir()/transcripts``."""
    chosen = preference.strip()
    if chosen:
        return _ensure(Path(chosen).expanduser(), private=False)
    return _ensure(data_dir() / "transcripts")


def clean_stale_temps() -> int:
    """Remove temporary files a crash mid-write left in the app's folders (at start-up)."""
    try:
        folders = [config_dir(), data_dir(), recordings_dir(), autosave_dir()]
    except OSError:
        return 0
    return clean_app_temps([*folders, data_dir() / "unsaved"])


def recordings_dir() -> Path:
    """Dictation recordings (WAV + sidecar): ``data_dir()/recordings``."""
    return _ensure(data_dir() / "recordings")
