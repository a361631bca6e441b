from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from app.ui.settings.form_rows import add_row, combo, select


def test_combo_items_and_select_by_data(qtbot) -> None:
    box = combo("Mode", [("Toggle", "toggle"), ("Hold", "hold")])
    qtbot.addWidget(box)
    assert box.accessibleName() == "Mode" and box.count() == 2
    select(box, "hold")
    assert box.currentText() == "Hold"
    select(box, "unknown")  # not there: the first item
    assert box.currentIndex() == 0


def test_a_row_label_focuses_its_field(qtbot) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    form = QFormLayout(page)
    edit, wrapped = QLineEdit(), QLineEdit()
    add_row(form, "&Name:", edit)
    box = QWidget()
    wrapped.setParent(box)
    add_row(form, "&Folder:", box, wrapped)
    labels: list[QLabel] = []
    for i in range(2):
        item = form.itemAt(i, QFormLayout.ItemRole.LabelRole)
        label = item.widget() if item is not None else None
        assert isinstance(label, QLabel)
        labels.append(label)
    assert [label.text() for label in labels] == ["&Name:", "&Folder:"]
    assert labels[0].buddy() is edit and labels[1].buddy() is wrapped
