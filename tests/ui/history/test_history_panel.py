"""The History panel on its own, with a real history thread and database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDate

from app.core.history.service import HistoryService
from app.core.history.store import DICTATION, FILE, NewEntry, OutputText
from app.ui.history.history_panel import RANGE, HistoryPanel


def at(y: int, m: int, d: int) -> float:
    return time.mktime((y, m, d, 12, 0, 0, 0, 0, -1))


@pytest.fixture
def panel(qtbot, tmp_path: Path):
    service = HistoryService(tmp_path / "h.db").start()
    for text, kind, created, lang in (
        ("january notes", DICTATION, at(2026, 1, 10), "en"),
        ("february notes", FILE, at(2026, 2, 10), "en"),
        ("notes de mars", FILE, at(2026, 3, 10), "fr"),
    ):
        service.add(
            NewEntry(kind, "s", "transcribe", [OutputText(lang, [(0, 1, text)])], created=created)
        )
    assert service.flush()
    p = HistoryPanel(service)
    qtbot.addWidget(p)
    yield p
    service.stop()


def texts(p: HistoryPanel) -> list[str]:
    return [r.text for r in p.rows]


def test_search_filters_and_date_range(qtbot, panel: HistoryPanel) -> None:
    panel.search_edit.setText("notes")
    qtbot.waitUntil(lambda: len(panel.rows) == 3, timeout=5000)
    assert texts(panel) == ["notes de mars", "february notes", "january notes"]
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(FILE))
    qtbot.waitUntil(lambda: texts(panel) == ["notes de mars", "february notes"], timeout=5000)
    panel.language_combo.setCurrentIndex(panel.language_combo.findData("fr"))
    qtbot.waitUntil(lambda: texts(panel) == ["notes de mars"], timeout=5000)
    panel.kind_combo.setCurrentIndex(0)
    panel.language_combo.setCurrentIndex(0)
    panel.period_combo.setCurrentIndex(panel.period_combo.findData(RANGE))
    assert not panel.range_row.isHidden()
    panel.from_date.setDate(QDate(2026, 1, 1))
    panel.to_date.setDate(QDate(2026, 2, 10))  # the last day is included
    qtbot.waitUntil(lambda: texts(panel) == ["february notes", "january notes"], timeout=5000)
    panel.search_edit.setText("")
    qtbot.waitUntil(lambda: texts(panel) == ["february notes", "january notes"], timeout=5000)
    assert panel.status.text() == "2 results"


def test_no_matches_says_so(qtbot, panel: HistoryPanel) -> None:
    panel.search_edit.setText("zebra")
    qtbot.waitUntil(lambda: panel.status.text() == "No matches.", timeout=5000)
    assert panel.rows == []
