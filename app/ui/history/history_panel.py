"""The History panel: search everything ever transcribed, open, copy, export, delete, play.

Results come as you type (150 ms after the last key), newest first, with the matches
highlighted; filters: dictation/files, a period, an output language. An empty search lists
the latest entries. Every database call runs on the history thread
(``HistoryService.call``); answers come back through a queued signal and stale ones (an older
search) are dropped, so the GUI thread never waits on SQLite.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QObject, Qt, QTime, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.history.search import Filters
from app.core.history.service import HistoryService
from app.core.history.store import DICTATION, FILE, HistoryStore
from app.ui.history.rows import EntryData, Row, row_html

SEARCH_DELAY_MS = 150
RESULT_LIMIT = 50
DAY = 86400.0
RANGE = -1.0  # the period combo's "Date range…": the two date fields decide
PERIODS = (
    ("Any time", 0.0),
    ("Last 24 hours", 1.0),
    ("Last 7 days", 7.0),
    ("Last 30 days", 30.0),
    ("Date range…", RANGE),
)
LANGUAGES = ("en", "fr", "de", "es", "pt", "it", "ja", "zh")


def _start_of(day: QDate) -> float:
    """Local midnight at the start of ``day`` as Unix time."""
    return float(QDateTime(day, QTime(0, 0)).toSecsSinceEpoch())


class _Relay(QObject):
    reply = Signal(int, object)  # token, result (emitted on the history thread: queued)


class HistoryPanel(QWidget):
    message = Signal(str)
    #: An entry to open in a tab: (EntryData, output index, start time of the segment)
    openRequested = Signal(object, int, float)
    #: Play the entry's audio from start to end seconds
    playRequested = Signal(object, float, float)  # EntryData
    exportRequested = Signal(object, int)  # EntryData, output index

    def __init__(self, service: HistoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._relay = _Relay(self)
        self._relay.reply.connect(self._on_reply)
        self._tokens = itertools.count(1)
        self._waiting: dict[int, Callable[[Any], None]] = {}
        self._search_token = 0
        self.rows: list[Row] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self._build()

    def _build(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search history (Ctrl+Shift+F)")
        self.search_edit.setAccessibleName("Search history")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(lambda _t: self._timer.start())
        filters = self._build_filters()
        self._build_range_row()
        self.list = QListWidget()
        self.list.setAccessibleName("History results")
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(lambda _item: self.open_selected())
        self.status = QLabel("")
        self.status.setObjectName("historyStatus")
        buttons = self._build_buttons()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search_edit)
        layout.addLayout(filters)
        layout.addWidget(self.range_row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def _build_filters(self) -> QHBoxLayout:
        """The kind, period and language combos; each change searches again."""
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Dictation or files")
        for label, kind in (("All", None), ("Dictation", DICTATION), ("Files", FILE)):
            self.kind_combo.addItem(label, kind)
        self.period_combo = QComboBox()
        self.period_combo.setAccessibleName("Period")
        for label, days in PERIODS:
            self.period_combo.addItem(label, days)
        self.language_combo = QComboBox()
        self.language_combo.setAccessibleName("Language")
        self.language_combo.addItem("Any language", None)
        for code in LANGUAGES:
            self.language_combo.addItem(code, code)
        for combo in (self.kind_combo, self.period_combo, self.language_combo):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        filters = QHBoxLayout()
        for combo in (self.kind_combo, self.period_combo, self.language_combo):
            filters.addWidget(combo)
        return filters

    def _build_range_row(self) -> None:
        """The two date fields, shown while the period is "Date range…"."""
        self.from_date, self.to_date = QDateEdit(), QDateEdit()
        today = QDate.currentDate()
        for edit, name, value in (
            (self.from_date, "From date", today.addDays(-30)),
            (self.to_date, "To date (included)", today),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(value)
            edit.setAccessibleName(name)
            edit.dateChanged.connect(lambda _d: self.refresh())
        self.range_row = QWidget()
        dates = QHBoxLayout(self.range_row)
        dates.setContentsMargins(0, 0, 0, 0)
        dates.addWidget(self.from_date)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.to_date)
        self.range_row.hide()
        self.period_combo.currentIndexChanged.connect(
            lambda _i: self.range_row.setVisible(self.period_combo.currentData() == RANGE)
        )

    def _build_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, slot in (
            ("Open", self.open_selected),
            ("Copy", self.copy_selected),
            ("Export…", self.export_selected),
            ("Delete", self.delete_selected),
            ("Play", self.play_selected),
        ):
            button = QPushButton(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[name] = button
        return buttons

    # -- asking the history thread -----------------------------------------------------------
    def ask(self, fn: Callable[[HistoryStore], Any], then: Callable[[Any], None]) -> int:
        token = next(self._tokens)
        self._waiting[token] = then
        self.service.call(fn, lambda result: self._relay.reply.emit(token, result))
        return token

    @Slot(int, object)
    def _on_reply(self, token: int, result: Any) -> None:
        then = self._waiting.pop(token, None)
        if then is not None:
            then(result)

    # -- searching ----------------------------------------------------------------------------
    def filters(self) -> Filters:
        days = float(self.period_combo.currentData() or 0.0)
        since = time.time() - days * DAY if days > 0 else None
        until = None
        if days == RANGE:
            since = _start_of(self.from_date.date())
            until = _start_of(self.to_date.date().addDays(1))
        return Filters(
            since, until, self.kind_combo.currentData(), self.language_combo.currentData()
        )

    @Slot()
    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    @Slot()
    def refresh(self) -> None:
        self._timer.stop()
        query, f = self.search_edit.text().strip(), self.filters()

        def fn(s: HistoryStore) -> list[Row]:
            if query:
                return [Row.from_hit(h) for h in s.search(query, RESULT_LIMIT, f)]
            return [Row.from_entry(e) for e in s.entries(RESULT_LIMIT, f)]

        self._waiting.pop(self._search_token, None)  # the previous search's answer is stale
        token = self.ask(fn, lambda rows: self._show(token, rows))
        self._search_token = token

    def _show(self, token: int, rows: list[Row]) -> None:
        if token != self._search_token:
            return  # an older search answered late
        self.rows = rows
        self.list.clear()
        for row in rows:
            item = QListWidgetItem()
            label = QLabel(row_html(row))
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setContentsMargins(4, 2, 4, 2)
            item.setSizeHint(label.sizeHint())
            item.setData(Qt.ItemDataRole.AccessibleTextRole, row.text)
            self.list.addItem(item)
            self.list.setItemWidget(item, label)
        if rows:
            self.list.setCurrentRow(0)
        n = len(rows)
        self.status.setText(
            ("No matches." if self.search_edit.text().strip() else "No history yet.")
            if not n
            else f"{n} result{'s' if n != 1 else ''}"
        )

    def selected(self) -> Row | None:
        i = self.list.currentRow()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    # -- actions ----------------------------------------------------------------------------
    def _with_entry(self, then: Callable[[Row, EntryData], None]) -> None:
        row = self.selected()
        if row is None:
            return

        def load(s: HistoryStore) -> EntryData | None:
            e = s.entry(row.entry_id)
            return None if e is None else EntryData(e, s.outputs(row.entry_id))

        def done(data: EntryData | None) -> None:
            if data is None:
                self.message.emit("That history entry was deleted.")
                self.refresh()
            else:
                then(row, data)

        self.ask(load, done)

    @Slot()
    def open_selected(self) -> None:
        self._with_entry(lambda row, data: self.openRequested.emit(data, row.output, row.start))

    @Slot()
    def copy_selected(self) -> None:
        row = self.selected()
        clipboard = QGuiApplication.clipboard()
        if row is not None and clipboard is not None:
            clipboard.setText(row.text)

    @Slot()
    def export_selected(self) -> None:
        self._with_entry(lambda row, data: self.exportRequested.emit(data, row.output))

    @Slot()
    def play_selected(self) -> None:
        self._with_entry(lambda row, data: self.playRequested.emit(data, row.start, row.end))

    @Slot()
    def delete_selected(self) -> None:
        from app.core.history.retention import delete_entries

        row = self.selected()
        if row is None:
            return
        self.ask(lambda s: delete_entries(s, [row.entry_id]), lambda _n: self.refresh())
