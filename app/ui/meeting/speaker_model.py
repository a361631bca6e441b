"""The speaker model the window uses (meetings and Detect Speakers): the ``speaker_model``
preference, a folder or a Hub repo id. Meeting → Choose Speaker Model Folder… asks for a folder
(``ask_speaker_folder``, replaceable in tests), checks it (``model_folder_problem``: one line in
the banner when it is unusable) and stores it in the preferences (``store_speaker_model``).

API::

    ask_speaker_folder(parent) -> str | None
    folder_problem(path) -> str | None           # one banner line, or None
    store_speaker_model(window, spec) -> None    # saved and applied (preferencesApplied)
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QFileDialog, QWidget

from app.core.errors import GraniteError
from app.core.model_spec import model_folder_problem
from app.ui.window.main_window import MainWindow

#: The banner source of speaker-model problems (cleared once a good folder is chosen).
BANNER_SOURCE = "speaker-model"


def ask_speaker_folder(parent: QWidget) -> str | None:
    path = QFileDialog.getExistingDirectory(parent, "Choose Speaker Model Folder")
    return path or None


def folder_problem(path: str) -> str | None:
    problem = model_folder_problem(path)
    return None if problem is None else f"Speaker model not changed: {problem}"


def store_speaker_model(window: MainWindow, spec: str) -> None:
    """Save ``spec`` as the speaker model preference and apply it (the Meeting menu follows
    ``preferencesApplied``)."""
    prefs = replace(window.prefs, speaker_model=spec)
    if window.settings is not None:
        try:
            window.settings.save_preferences(prefs)
        except GraniteError as err:
            window.show_error(str(err))
            return
    window.apply_preferences(prefs)
