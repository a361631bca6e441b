"""Preferences → Text & history: values round-trip through the dialog, a bad command line is
one message, Delete All asks first."""

from __future__ import annotations

import pytest

from app.core.errors import UsageError
from app.core.preferences import Preferences
from app.ui.settings.preferences_dialog import PreferencesDialog


def test_round_trip_and_validation(qtbot) -> None:
    prefs = Preferences(spoken_command_lines="smiley => :-)", history_keep_days=30)
    dialog = PreferencesDialog(prefs)
    qtbot.addWidget(dialog)
    page = dialog.text_page
    assert page.commands_check.isChecked() and page.keep_spin.value() == 30
    assert page.commands_edit.toPlainText() == "smiley => :-)"
    page.commands_check.setChecked(False)
    page.rules_check.setChecked(True)
    page.keep_spin.setValue(0)
    page.history_check.setChecked(False)
    out = dialog.result_preferences()
    assert (out.spoken_commands, out.rules_on_files, out.history_enabled) == (False, True, False)
    assert out.history_keep_days == 0 and page.keep_spin.text() == "Forever"
    page.commands_edit.setPlainText("=> nothing")
    with pytest.raises(UsageError, match="Spoken commands, line 1"):
        dialog.result_preferences()


def test_delete_all_asks_first(qtbot) -> None:
    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    page = dialog.text_page
    asked: list[str] = []
    fired: list[bool] = []
    page.deleteAllRequested.connect(lambda: fired.append(True))

    def refuse(text: str) -> bool:
        asked.append(text)
        return False

    page.confirm = refuse
    page.delete_button.click()
    assert asked and fired == []
    page.confirm = lambda text: True
    page.delete_button.click()
    assert fired == [True]
