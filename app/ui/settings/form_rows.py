"""Small builders the Preferences pages share: a labelled combo box, choosing its item by data,
and a form row whose label (with its mnemonic) is the buddy of the field it names."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget


def combo(name: str, items: Sequence[tuple[str, object]]) -> QComboBox:
    """A combo box with accessible ``name`` and ``(label, data)`` items."""
    box = QComboBox()
    box.setAccessibleName(name)
    for label, data in items:
        box.addItem(label, data)
    return box


def select(box: QComboBox, data: object) -> None:
    """Choose the item holding ``data`` (the first item when none does)."""
    box.setCurrentIndex(max(0, box.findData(data)))


def add_row(form: QFormLayout, label: str, widget: QWidget, field: QWidget | None = None) -> None:
    """``label`` beside ``widget``; the label's mnemonic focuses ``field`` (``widget`` itself
    unless ``widget`` is a box around the field)."""
    title = QLabel(label)
    title.setBuddy(field or widget)
    form.addRow(title, widget)
