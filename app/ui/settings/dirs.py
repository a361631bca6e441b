"""The app's folders for the GUI: re-exported from :mod:`app.core.storage.paths` (one layout for the
whole app; see there)."""

from __future__ import annotations

from app.core.storage.paths import (
    APP_NAME,
    HOME_ENV,
    autosave_dir,
    config_dir,
    data_dir,
    log_dir,
    recordings_dir,
    settings_path,
)

__all__ = [
    "APP_NAME",
    "HOME_ENV",
    "autosave_dir",
    "config_dir",
    "data_dir",
    "log_dir",
    "recordings_dir",
    "settings_path",
]
