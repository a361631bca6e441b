"""Persistent settings in an ini file (QSettings, IniFormat): preferences, keyword lists, recent
files and window geometry.

API::

    SettingsStore(path: str | None = None)   # None = app.ui.settings.dirs.settings_path()
        .path -> str
        .load_preferences() -> Preferences    # never raises; bad values → defaults + warning
        .save_preferences(p: Preferences)     # validates; raises UsageError if invalid
        .load_keywords() -> dict | None       # KeywordLibrary.to_dict() shape, None if unset
        .save_keywords(data: dict)
        .recent_files() -> list[str]; .add_recent_file(path) -> list[str]
        .set_recent_files(paths); .clear_recent_files()
        .window_geometry() -> QByteArray | None; .save_window_geometry(data: QByteArray)
        .window_state() -> QByteArray | None; .save_window_state(data: QByteArray)
        .sync()

Every save is written to disk immediately (``sync``), so a crash loses nothing and a new
``SettingsStore`` on the same path sees the same data. Preferences are stored as flat strings
under ``[preferences]`` with ``meta/schema_version``; older schemas are migrated on load
(``app.core.preferences.migrate``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from app.core.preferences import SCHEMA_VERSION, Preferences, from_mapping
from app.ui.settings import dirs

log = logging.getLogger(__name__)

MAX_RECENT = 10
_PREFS = "preferences"
_VERSION_KEY = "meta/schema_version"
_KEYWORDS_KEY = "keywords/library"
_RECENT_KEY = "recent/files"
_GEOMETRY_KEY = "window/geometry"
_STATE_KEY = "window/state"


def _as_text(value: object) -> str:
    """QSettings hands back str, or a list for unquoted commas in a hand-edited file."""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class SettingsStore:
    def __init__(self, path: str | None = None) -> None:
        self._path = path if path is not None else str(dirs.settings_path())
        self._settings = QSettings(self._path, QSettings.Format.IniFormat)
        if self._settings.status() != QSettings.Status.NoError:
            log.warning("Settings file %s could not be read; using defaults.", self._path)

    @property
    def path(self) -> str:
        return self._path

    def sync(self) -> None:
        self._settings.sync()
        with contextlib.suppress(OSError):  # QSettings writes with the umask: make it private
            os.chmod(self._path, 0o600)
        if self._settings.status() != QSettings.Status.NoError:
            log.warning("Settings could not be written to %s.", self._path)

    # -- preferences --------------------------------------------------------------------------
    def load_preferences(self) -> Preferences:
        s = self._settings
        s.beginGroup(_PREFS)
        data = {key: _as_text(s.value(key)) for key in s.childKeys()}
        s.endGroup()
        if not data:
            return Preferences()
        raw_version = _as_text(s.value(_VERSION_KEY, "0"))
        try:
            version = int(raw_version)
        except ValueError:
            log.warning("Settings schema version '%s' is not a number; assuming 0.", raw_version)
            version = 0
        prefs, warnings = from_mapping(data, version)
        for warning in warnings:
            log.warning("%s", warning)
        return prefs

    def save_preferences(self, prefs: Preferences) -> None:
        mapping = prefs.validate().to_mapping()
        s = self._settings
        s.beginGroup(_PREFS)
        for stale in set(s.childKeys()) - set(mapping):
            s.remove(stale)
        for key, value in mapping.items():
            s.setValue(key, value)
        s.endGroup()
        s.setValue(_VERSION_KEY, str(SCHEMA_VERSION))
        self.sync()

    # -- keyword lists ------------------------------------------------------------------------
    def load_keywords(self) -> dict[str, Any] | None:
        raw = self._settings.value(_KEYWORDS_KEY)
        if raw is None or raw == "":
            return None
        try:
            data = json.loads(_as_text(raw))
        except ValueError:
            log.warning("Saved keyword lists are unreadable; starting with an empty list.")
            return None
        if not isinstance(data, dict):
            log.warning("Saved keyword lists have an unexpected shape; ignoring them.")
            return None
        return data

    def save_keywords(self, data: dict[str, Any]) -> None:
        # ASCII-only JSON: \\u escapes survive any ini reader and editor untouched.
        self._settings.setValue(_KEYWORDS_KEY, json.dumps(data, ensure_ascii=True))
        self.sync()

    # -- recent files -------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        raw = self._settings.value(_RECENT_KEY)
        if raw is None or raw == "":
            return []
        try:
            data = json.loads(_as_text(raw))
        except ValueError:
            log.warning("The recent files list is unreadable; clearing it.")
            return []
        if not isinstance(data, list):
            return []
        return [p for p in data if isinstance(p, str) and p][:MAX_RECENT]

    def set_recent_files(self, paths: list[str]) -> None:
        unique: list[str] = []
        for p in paths:
            if p and p not in unique:
                unique.append(p)
        self._settings.setValue(_RECENT_KEY, json.dumps(unique[:MAX_RECENT]))
        self.sync()

    def add_recent_file(self, path: str) -> list[str]:
        """Put ``path`` first (moving it if present); returns the new list."""
        paths = [path, *(p for p in self.recent_files() if p != path)][:MAX_RECENT]
        self.set_recent_files(paths)
        return paths

    def clear_recent_files(self) -> None:
        self._settings.remove(_RECENT_KEY)
        self.sync()

    # -- window -------------------------------------------------------------------------------
    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, bytes | bytearray) and value:
            return QByteArray(bytes(value))
        return None

    def window_geometry(self) -> QByteArray | None:
        return self._bytes(_GEOMETRY_KEY)

    def save_window_geometry(self, data: QByteArray) -> None:
        self._settings.setValue(_GEOMETRY_KEY, data)
        self.sync()

    def window_state(self) -> QByteArray | None:
        return self._bytes(_STATE_KEY)

    def save_window_state(self, data: QByteArray) -> None:
        self._settings.setValue(_STATE_KEY, data)
        self.sync()
