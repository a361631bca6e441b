"""Preferences → Text & history: spoken commands (on/off, the user's own phrases), rules on
file transcripts, and the history (on/off, how long to keep it, delete all)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.core.preferences import KEEP_RANGE, Preferences
from app.core.text.commands import BUILT_IN, Action
from app.ui.settings.form_rows import add_row

COMMANDS_HINT = (
    "Say a command at the end of an utterance: "
    + ", ".join(f"“{a.value}”" for a in Action)
    + f". Built in for {', '.join(BUILT_IN)}. Add your own below, one a line: "
    "phrase => action (an action above, off, or text to insert)."
)


class TextHistoryPage(QWidget):
    deleteAllRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.confirm: Callable[[str], bool] = self._confirm
        form = QFormLayout(self)
        self.commands_check = QCheckBox("&Spoken commands while dictating")
        self.commands_check.setAccessibleName("Spoken commands while dictating")
        form.addRow(self.commands_check)
        hint = QLabel(COMMANDS_HINT)
        hint.setWordWrap(True)
        form.addRow(hint)
        self.commands_edit = QPlainTextEdit()
        self.commands_edit.setAccessibleName("Your spoken commands")
        self.commands_edit.setPlaceholderText("next line => new line\nsmiley => :-)")
        self.commands_edit.setMaximumHeight(90)
        add_row(form, "&Your commands:", self.commands_edit)
        self.rules_check = QCheckBox("Apply the keyword list's replacement r&ules to files too")
        self.rules_check.setAccessibleName("Replacement rules on file transcripts")
        form.addRow(self.rules_check)
        self.history_check = QCheckBox("&Keep a searchable history of everything transcribed")
        self.history_check.setAccessibleName("Keep a searchable history")
        form.addRow(self.history_check)
        self.keep_spin = QSpinBox()
        self.keep_spin.setRange(*KEEP_RANGE)
        self.keep_spin.setSpecialValueText("Forever")
        self.keep_spin.setSuffix(" days")
        self.keep_spin.setAccessibleName("Keep history and recordings, days")
        add_row(form, "Keep history and &recordings for:", self.keep_spin)
        self.delete_button = QPushButton("Dele&te All History…")
        self.delete_button.setAccessibleName("Delete all history")
        self.delete_button.setToolTip("Deletes every history entry and the recordings it kept")
        self.delete_button.clicked.connect(self._on_delete_all)
        form.addRow(self.delete_button)

    def show_preferences(self, p: Preferences) -> None:
        self.commands_check.setChecked(p.spoken_commands)
        self.commands_edit.setPlainText(p.spoken_command_lines)
        self.rules_check.setChecked(p.rules_on_files)
        self.history_check.setChecked(p.history_enabled)
        self.keep_spin.setValue(p.history_keep_days)

    def apply(self, p: Preferences) -> Preferences:
        return replace(
            p,
            spoken_commands=self.commands_check.isChecked(),
            spoken_command_lines=self.commands_edit.toPlainText().strip(),
            rules_on_files=self.rules_check.isChecked(),
            history_enabled=self.history_check.isChecked(),
            history_keep_days=self.keep_spin.value(),
        )

    def _on_delete_all(self) -> None:
        if self.confirm("Delete every history entry and the recordings it kept?"):
            self.deleteAllRequested.emit()

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Delete All History", text)
        return answer == QMessageBox.StandardButton.Yes
