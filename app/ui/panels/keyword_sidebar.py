"""Side panel for keyword lists (hotwords that bias recognition towards names and jargon).

API::

    KeywordSidebar(store: KeywordStore | None = None, parent: QWidget | None = None)
        activeKeywordsChanged = Signal(list)     # the active list's words, after any change
        listsChanged = Signal(list, str)         # list names and the active name (tray menu)
        active_keywords() -> tuple[str, ...]
        list_names() -> list[str]; active_list_name() -> str
        set_active_list(name: str) -> bool       # False (and nothing changes) if unknown
        add_keyword(word: str) -> bool           # "Add to keywords" from the transcript pane
        library() -> KeywordLibrary
        new_list_action / rename_list_action / delete_list_action /
        import_action / export_action / paste_action: QAction   # for menus and shortcuts
        rules_action: QAction      # edit the active list's replacement rules ("from => to")
        active_rules() -> tuple[Rule, ...]

``store`` is anything with ``load_keywords() -> dict | None`` and ``save_keywords(dict)``
(``app.ui.settings.settings_store.SettingsStore``); every change is saved at once. The user-facing
questions go through replaceable callables (``ask_text``, ``ask_multiline``, ``ask_open_path``,
``ask_save_path``, ``confirm``, ``ask_rules``) so tests answer them without modal dialogs.
Designed for a dock or splitter 220–320 px wide.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import GraniteError
from app.core.keywords import KeywordLibrary, read_keywords_file
from app.core.storage.atomic import write_text_atomic
from app.core.text.rules import Rule, parse_rules, rules_text
from app.ui.panels import keyword_widgets as parts
from app.ui.panels.text_dialogs import ask_multiline

log = logging.getLogger(__name__)


class KeywordStore(Protocol):
    def load_keywords(self) -> dict[str, Any] | None: ...
    def save_keywords(self, data: dict[str, Any]) -> None: ...


class KeywordSidebar(QWidget):
    activeKeywordsChanged = Signal(list)
    listsChanged = Signal(list, str)

    def __init__(self, store: KeywordStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._lib = self._load()
        self._filling = False
        self._last_emitted: tuple[str, ...] = self._lib.active_keywords()
        self.ask_text: Callable[[str, str, str], str | None] = partial(parts.ask_text, self)
        self.ask_multiline: Callable[[str, str], str | None] = self._ask_multiline
        self.ask_open_path: Callable[[str], str | None] = partial(parts.ask_open_path, self)
        self.ask_save_path: Callable[[str, str], str | None] = partial(parts.ask_save_path, self)
        self.confirm: Callable[[str, str], bool] = partial(parts.confirm, self)
        self.ask_rules: Callable[[str], str | None] = lambda current: parts.ask_rules(
            self, self._lib.active_name, current
        )
        self._build()
        self._refresh_lists()
        self._refresh_words()

    # -- public -------------------------------------------------------------------------------
    def library(self) -> KeywordLibrary:
        return self._lib

    def active_keywords(self) -> tuple[str, ...]:
        return self._lib.active_keywords()

    def active_rules(self) -> tuple[Rule, ...]:
        return self._lib.active_rules()

    def list_names(self) -> list[str]:
        return self._lib.names()

    def active_list_name(self) -> str:
        return self._lib.active_name

    @Slot(str)
    def set_active_list(self, name: str) -> bool:
        if name not in self._lib.names():
            log.warning("No keyword list named %r; keeping %r.", name, self._lib.active_name)
            return False
        if name != self._lib.active_name:
            self._lib.set_active(name)
            self._say("")
            self._changed(lists=True)
        return True

    def add_keyword(self, word: str) -> bool:
        """Add one word (or several, if it contains commas/newlines) to the active list."""
        added = self._lib.paste(word)
        if not added:
            self._say(f"'{word.strip()}' is already in the list or is not a usable keyword.")
            return False
        self._say("")
        self._changed()
        return True

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setMinimumWidth(200)

        def make_action(text: str, slot: Callable[[], None]) -> QAction:
            act = QAction(text, self)
            act.triggered.connect(slot)
            return act

        self.new_list_action = make_action("New list…", self._on_new_list)
        self.rename_list_action = make_action("Rename list…", self._on_rename_list)
        self.delete_list_action = make_action("Delete list…", self._on_delete_list)
        self.paste_action = make_action("Paste many…", self._on_paste_many)
        self.import_action = make_action("Import…", self._on_import)
        self.export_action = make_action("Export…", self._on_export)
        self.rules_action = make_action("Rules…", self._on_edit_rules)

        self._combo = QComboBox()
        self._combo.setAccessibleName("Keyword list")
        self._combo.setToolTip("The active keyword list is sent to the model")
        self._combo.currentIndexChanged.connect(self._on_list_chosen)
        list_actions = [self.new_list_action, self.rename_list_action, self.delete_list_action]
        top = QHBoxLayout()
        top.addWidget(self._combo, 1)
        top.addWidget(parts.lists_button(list_actions, self))
        self._list = parts.keyword_list(self._on_item_changed, self._on_remove)
        self._entry, entry_row = parts.entry_row(self._on_add)
        places = [
            (self.paste_action, 0, 1),
            (self.import_action, 1, 0),
            (self.export_action, 1, 1),
            (self.rules_action, 2, 0),
        ]
        buttons = parts.button_grid(self._on_remove, places, self.rules_action)
        self._count, self._message = parts.status_labels()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self._list, 1)
        layout.addLayout(entry_row)
        layout.addLayout(buttons)
        layout.addWidget(self._count)
        layout.addWidget(self._message)

    # -- state --------------------------------------------------------------------------------
    def _load(self) -> KeywordLibrary:
        data = self._store.load_keywords() if self._store is not None else None
        if data is None:
            return KeywordLibrary()
        try:
            return KeywordLibrary.from_dict(data)
        except GraniteError as err:
            log.warning("%s Starting with an empty keyword list.", err)
            return KeywordLibrary()

    def _changed(self, *, lists: bool = False) -> None:
        if self._store is not None:
            self._store.save_keywords(self._lib.to_dict())
        if lists:
            self._refresh_lists()
            self.listsChanged.emit(self._lib.names(), self._lib.active_name)
        self._refresh_words()
        now = self._lib.active_keywords()
        if now != self._last_emitted:
            self._last_emitted = now
            self.activeKeywordsChanged.emit(list(now))

    def _refresh_lists(self) -> None:
        self._filling = True
        self._combo.clear()
        self._combo.addItems(self._lib.names())
        self._combo.setCurrentIndex(self._lib.names().index(self._lib.active_name))
        self._filling = False

    def _refresh_words(self) -> None:
        self._filling = True
        self._list.clear()
        for word in self._lib.active_keywords():
            item = QListWidgetItem(word)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setData(Qt.ItemDataRole.UserRole, word)
            self._list.addItem(item)
        self._filling = False
        parts.show_count(self._count, self._lib.active_keywords(), len(self._lib.active_rules()))

    def _attempt(self, fn: Callable[..., object], *args: str) -> bool:
        """Run a library edit; show its one-line error instead of raising."""
        try:
            fn(*args)
        except GraniteError as err:
            self._say(str(err))
            return False
        self._say("")
        return True

    def _say(self, text: str) -> None:
        self._message.setText(text)
        self._message.setVisible(bool(text))

    # -- slots --------------------------------------------------------------------------------
    @Slot(int)
    def _on_list_chosen(self, index: int) -> None:
        if self._filling or index < 0:
            return
        self._lib.set_active(self._lib.names()[index])
        self._say("")
        self._changed()
        self.listsChanged.emit(self._lib.names(), self._lib.active_name)

    @Slot()
    def _on_add(self) -> None:
        text = self._entry.text()
        if text.strip() and self.add_keyword(text):
            self._entry.clear()

    @Slot()
    def _on_remove(self) -> None:
        words = [str(i.data(Qt.ItemDataRole.UserRole)) for i in self._list.selectedItems()]
        for word in words:
            self._lib.remove_word(word)
        if words:
            self._changed()

    @Slot(QListWidgetItem)
    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        old = str(item.data(Qt.ItemDataRole.UserRole))
        new = item.text()
        if new.strip():
            self._attempt(self._lib.edit_word, old, new)
        else:
            self._lib.remove_word(old)
        self._changed()

    @Slot()
    def _on_paste_many(self) -> None:
        text = self.ask_multiline("Paste keywords", "One per line, or separated by commas:")
        if text:
            added = self._lib.paste(text)
            self._say(f"Added {len(added)} keyword{'s' if len(added) != 1 else ''}.")
            self._changed()

    @Slot()
    def _on_new_list(self) -> None:
        name = self.ask_text("New keyword list", "Name:", "")
        if name is not None and self._attempt(self._lib.add_list, name):
            self._changed(lists=True)

    @Slot()
    def _on_rename_list(self) -> None:
        old = self._lib.active_name
        name = self.ask_text("Rename keyword list", "Name:", old)
        if name is not None and self._attempt(self._lib.rename_list, old, name):
            self._changed(lists=True)

    @Slot()
    def _on_delete_list(self) -> None:
        name = self._lib.active_name
        n = len(self._lib.active_keywords())
        if n and not self.confirm("Delete keyword list", f"Delete '{name}' and its {n} words?"):
            return
        self._lib.remove_list(name)
        self._changed(lists=True)

    @Slot()
    def _on_import(self) -> None:
        path = self.ask_open_path("Import keywords")
        if not path:
            return
        try:
            words = read_keywords_file(path)
        except GraniteError as err:
            self._say(str(err))
            return
        added = self._lib.paste("\n".join(words))
        self._say(f"Imported {len(added)} keyword{'s' if len(added) != 1 else ''}.")
        self._changed()

    @Slot()
    def _on_export(self) -> None:
        path = self.ask_save_path("Export keywords", f"{self._lib.active_name}.txt")
        if not path:
            return
        try:
            write_text_atomic(Path(path), self._lib.export_text())
        except OSError as err:
            self._say(f"Cannot write {Path(path).name}: {err.strerror or err}")
            return
        self._say(f"Exported {len(self._lib.active_keywords())} keywords.")

    @Slot()
    def _on_edit_rules(self) -> None:
        text = self.ask_rules(rules_text(self._lib.active_rules()))
        if text is None:
            return
        try:
            rules = parse_rules(text, "Rules")
        except GraniteError as err:
            self._say(f"{err} The rules were not changed.")
            return
        self._lib.set_rules(rules)
        self._say(f"{len(rules)} replacement rule{'s' if len(rules) != 1 else ''}.")
        self._changed()

    # -- default question (tests replace it) ---------------------------------------------------
    def _ask_multiline(self, title: str, label: str) -> str | None:
        return ask_multiline(self, title, label)
