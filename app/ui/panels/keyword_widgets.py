"""The keyword sidebar's widgets and its default questions, built without the sidebar's state.

``KeywordSidebar`` lays these out and wires them to its slots; the questions are the modal
dialogs it uses unless a test replaces them (``KeywordSidebar.ask_text`` and the others).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.core.keywords import PRACTICAL_CHAR_LIMIT, PRACTICAL_LIMIT, exceeds_limit
from app.ui.panels.text_dialogs import ask_line, ask_multiline

WARNING_STYLE = "color: #b45309; font-weight: bold;"
LIMIT_HINT = (
    f"More than {PRACTICAL_LIMIT} keywords or {PRACTICAL_CHAR_LIMIT} characters: every chunk "
    "carries the whole list, which slows recognition and can make the model insert listed "
    "words that were not said."
)


# -- widgets ---------------------------------------------------------------------------------
def lists_button(actions: Sequence[QAction], parent: QWidget) -> QToolButton:
    """ "Lists" with a menu of the list actions (new, rename, delete)."""
    menu = QMenu(parent)
    menu.addActions(list(actions))
    button = QToolButton()
    button.setText("Lists")
    button.setAccessibleName("Keyword list actions")
    button.setMenu(menu)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    return button


def keyword_list(
    on_item_changed: Callable[[QListWidgetItem], None], on_remove: Callable[[], None]
) -> QListWidget:
    """The active list's words: edited in place, Delete removes the selected ones."""
    words = QListWidget()
    words.setAccessibleName("Keywords")
    words.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    words.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
    )
    words.itemChanged.connect(on_item_changed)
    remove_action = QAction("Remove", words)
    remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
    remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    remove_action.triggered.connect(on_remove)
    words.addAction(remove_action)
    return words


def entry_row(on_add: Callable[[], None]) -> tuple[QLineEdit, QHBoxLayout]:
    """The "Add keyword…" field and its Add button (Return adds too)."""
    entry = QLineEdit()
    entry.setPlaceholderText("Add keyword…")
    entry.setAccessibleName("New keyword")
    entry.returnPressed.connect(on_add)
    add_button = QPushButton("Add")
    add_button.setAccessibleName("Add keyword")
    add_button.clicked.connect(on_add)
    row = QHBoxLayout()
    row.addWidget(entry, 1)
    row.addWidget(add_button)
    return entry, row


def button_grid(
    on_remove: Callable[[], None],
    places: Sequence[tuple[QAction, int, int]],
    rules_action: QAction,
) -> QGridLayout:
    """Remove, then one button per action at its (row, column)."""
    buttons = QGridLayout()
    remove_button = QPushButton("Remove")
    remove_button.setAccessibleName("Remove selected keywords")
    remove_button.clicked.connect(on_remove)
    buttons.addWidget(remove_button, 0, 0)
    for action, row, col in places:
        button = QPushButton(action.text())
        button.setAccessibleName(action.text().rstrip("…") + " keywords")
        if action is rules_action:
            button.setAccessibleName("Replacement rules")
            button.setToolTip("Replacements applied to dictated text: one 'from => to' a line")
        button.clicked.connect(action.trigger)
        buttons.addWidget(button, row, col)
    return buttons


def status_labels() -> tuple[QLabel, QLabel]:
    """The count line ("12 keywords, 2 rules") and the hidden one-line message."""
    count = QLabel()
    count.setObjectName("keywordCount")
    message = QLabel()
    message.setObjectName("keywordMessage")
    message.setWordWrap(True)
    message.hide()
    return count, message


def show_count(label: QLabel, words: Sequence[str], rule_count: int) -> None:
    """Write the count; over the practical limit it turns orange and explains why."""
    n, r = len(words), rule_count
    rules = f", {r} rule{'s' if r != 1 else ''}" if r else ""
    label.setText(f"{n} keyword{'s' if n != 1 else ''}{rules}")
    warn = exceeds_limit(words)
    label.setProperty("warning", warn)
    label.setStyleSheet(WARNING_STYLE if warn else "")
    label.setToolTip(LIMIT_HINT if warn else "")
    label.setAccessibleDescription(LIMIT_HINT if warn else "")


# -- default questions (tests replace these on the sidebar) ------------------------------------
def ask_rules(parent: QWidget, list_name: str, current: str) -> str | None:
    label = (
        "One rule a line: from => to. Prefix re: for a regular expression, case: for a "
        "case-sensitive phrase; an empty right side deletes."
    )
    title = f"Replacement rules of '{list_name}'"
    return ask_multiline(parent, title, label, current)


def ask_text(parent: QWidget, title: str, label: str, initial: str) -> str | None:
    return ask_line(parent, title, label, initial)


def ask_open_path(parent: QWidget, title: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", "Text files (*.txt);;All (*)")
    return path or None


def ask_save_path(parent: QWidget, title: str, suggested: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, "Text files (*.txt)")
    return path or None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes
