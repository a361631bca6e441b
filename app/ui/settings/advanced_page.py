"""Preferences → Advanced: how dictated text reaches other apps (paste or type, when the
clipboard is put back), MLX's memory cache limit and the speaker model (meetings, Detect
Speakers)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.core.preferences import CLIPBOARD_RESTORE_RANGE, MLX_CACHE_RANGE, Preferences
from app.ui.settings.form_rows import add_row


class AdvancedPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.type_check = QCheckBox("&Type dictated text instead of pasting it")
        self.type_check.setAccessibleName("Type dictated text instead of pasting")
        self.type_check.setToolTip("Slower; for apps that block pasting.")
        add_row(form, "&Other apps:", self.type_check)
        self.restore_spin = QDoubleSpinBox()
        self.restore_spin.setRange(*CLIPBOARD_RESTORE_RANGE)
        self.restore_spin.setSingleStep(0.1)
        self.restore_spin.setSuffix(" s")
        self.restore_spin.setToolTip(
            "After pasting, the clipboard's previous content is put back after this delay "
            "(unless something else was copied meanwhile). Raise it if slow apps paste the "
            "old content."
        )
        self.restore_spin.setAccessibleName("Restore clipboard after, seconds")
        add_row(form, "&Restore clipboard after:", self.restore_spin)
        self.cache_spin = QSpinBox()
        self.cache_spin.setRange(*MLX_CACHE_RANGE)
        self.cache_spin.setSingleStep(256)
        self.cache_spin.setSuffix(" MB")
        self.cache_spin.setSpecialValueText("MLX default")
        self.cache_spin.setToolTip(
            "Memory MLX keeps cached for reuse between runs; 0 leaves MLX's default, which "
            "can grow to most of the RAM. Applies when the model is next loaded."
        )
        self.cache_spin.setAccessibleName("MLX cache limit, megabytes")
        add_row(form, "MLX &cache limit:", self.cache_spin)
        self.speaker_edit = QLineEdit()
        self.speaker_edit.setToolTip(
            "Speaker model (Sortformer) for meetings and Detect Speakers: a folder, or a Hugging "
            "Face repo id downloaded with Meeting → Download Speaker Model…"
        )
        self.speaker_edit.setAccessibleName("Speaker model folder or repo id")
        add_row(form, "Spea&ker model:", self.speaker_edit)
        note = QLabel("The speech model itself needs about 3 GB of memory while loaded.")
        note.setWordWrap(True)
        form.addRow(note)

    def show_preferences(self, p: Preferences) -> None:
        self.type_check.setChecked(p.type_instead_of_paste)
        self.restore_spin.setValue(p.clipboard_restore_s)
        self.cache_spin.setValue(p.mlx_cache_limit_mb)
        self.speaker_edit.setText(p.speaker_model)

    def apply(self, p: Preferences) -> Preferences:
        return replace(
            p,
            type_instead_of_paste=self.type_check.isChecked(),
            clipboard_restore_s=round(self.restore_spin.value(), 2),
            mlx_cache_limit_mb=self.cache_spin.value(),
            speaker_model=self.speaker_edit.text().strip(),
        )
