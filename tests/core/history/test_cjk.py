"""CJK bigrams: substring search through an index, across migrations and deletions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.core.history import cjk, schema
from app.core.history.search import MARK_END, MARK_START
from app.core.history.store import HistoryStore, NewEntry, OutputText


def test_grams_and_queries() -> None:
    assert cjk.runs("東京都、大阪 and 北") == ["東京都", "大阪", "北"]
    assert cjk.grams("東京都、大阪 x 北") == "東京 京都 , 大阪 , 北"
    assert cjk.query("京都") == 'grams : "京都"'
    assert cjk.query("東京都") == 'grams : "東京 京都"'
    assert cjk.query("北 大阪") == 'chars : "北" AND grams : "大阪"'
    assert cjk.chars("東京都、京") == "東 京 都"
    assert cjk.grams("no cjk here") == "" and cjk.query("abc") == ""


def add(store: HistoryStore, text: str, created: float = 1.0) -> int:
    return store.add(
        NewEntry(
            "dictation", "r", "transcribe", [OutputText("ja", [(0, 1, text)])], created=created
        )
    )


def test_substring_search_single_characters_mixed_words_and_delete(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.db")
    a = add(store, "東京都で会議がありました")
    add(store, "京都の meeting は明日です", 2.0)
    add(store, "東京、都庁", 3.0)
    assert [h.text for h in store.search("京都")] == [
        "京都の meeting は明日です",
        "東京都で会議がありました",
    ]
    assert store.search("会議")[0].marked == f"東京都で{MARK_START}会議{MARK_END}がありました"
    assert len(store.search("東京都")) == 1  # "東京、都庁": the runs are not joined
    assert [h.text for h in store.search("京都 meet")] == ["京都の meeting は明日です"]
    assert len(store.search("明")) == 1
    assert [h.text for h in store.search("す")] == ["京都の meeting は明日です"]  # a run's last
    assert store.search("す")[0].marked.endswith(f"で{MARK_START}す{MARK_END}")
    store.delete([a])
    assert [h.text for h in store.search("会議")] == []
    store.close()


def test_old_databases_get_the_cjk_index(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    schema.migrate(conn, target=3)
    conn.execute(
        "INSERT INTO entries (id, created, kind, source, task) VALUES (1, 1, 'file', 'f', 't')"
    )
    conn.execute(
        "INSERT INTO segments (entry_id, start, \"end\", text) VALUES (1, 0, 1, '北京の会議')"
    )
    conn.close()
    store = HistoryStore(tmp_path / "h.db")
    assert [h.text for h in store.search("会議")] == ["北京の会議"]
    store.close()
