"""Keyword sidebar: edits persist across a restart, paste, import/export, count and warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QPushButton

from app.core.keywords import PRACTICAL_LIMIT
from app.ui.panels.keyword_sidebar import KeywordSidebar
from app.ui.settings.settings_store import SettingsStore


@pytest.fixture
def ini(tmp_path: Path) -> str:
    return str(tmp_path / "settings.ini")


def child(widget, cls, name: str | None = None):
    found = widget.findChild(cls, name) if name else widget.findChild(cls)
    assert found is not None
    return found


def make(qtbot, ini: str) -> KeywordSidebar:
    sidebar = KeywordSidebar(SettingsStore(ini))
    qtbot.addWidget(sidebar)
    return sidebar


def words_shown(sidebar: KeywordSidebar) -> list[str]:
    lw = child(sidebar, QListWidget)
    return [lw.item(i).text() for i in range(lw.count())]


def count_label(sidebar: KeywordSidebar) -> QLabel:
    return child(sidebar, QLabel, "keywordCount")


def test_edits_survive_a_restart(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    sidebar.add_keyword("Kubernetes")
    sidebar.ask_text = lambda title, label, initial: "Medical"
    sidebar.new_list_action.trigger()
    sidebar.add_keyword("tachycardia")
    sidebar.add_keyword("Zoë")
    sidebar.ask_text = lambda title, label, initial: "Cardiology"
    sidebar.rename_list_action.trigger()

    again = make(qtbot, ini)  # a fresh store on the same file = an app restart
    assert again.library().names() == ["Keywords", "Cardiology"]
    assert again.library().active_name == "Cardiology"
    assert again.active_keywords() == ("tachycardia", "Zoë")
    assert words_shown(again) == ["tachycardia", "Zoë"]
    again.library().set_active("Keywords")
    assert again.active_keywords() == ("Kubernetes",)


def test_typing_a_word_and_pressing_enter(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    entry = child(sidebar, QLineEdit)
    with qtbot.waitSignal(sidebar.activeKeywordsChanged) as blocker:
        qtbot.keyClicks(entry, "granite speech")
        qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert blocker.args == [["granite speech"]]
    assert entry.text() == ""
    assert count_label(sidebar).text() == "1 keyword"


def test_duplicate_add_is_refused_with_a_message(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    assert sidebar.add_keyword("MLX")
    with qtbot.assertNotEmitted(sidebar.activeKeywordsChanged):
        assert not sidebar.add_keyword("mlx")
    message = child(sidebar, QLabel, "keywordMessage")
    assert "already in the list" in message.text()


def test_paste_many(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    sidebar.add_keyword("alpha")
    sidebar.ask_multiline = lambda title, label: "beta, gamma\nALPHA; delta\n\n"
    with qtbot.waitSignal(sidebar.activeKeywordsChanged) as blocker:
        sidebar.paste_action.trigger()
    assert blocker.args == [["alpha", "beta", "gamma", "delta"]]
    assert count_label(sidebar).text() == "4 keywords"


def test_import_export_round_trip(qtbot, ini: str, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("# team names\nŁukasz\n東京\nSão Paulo\n", encoding="utf-8")
    sidebar = make(qtbot, ini)
    sidebar.ask_open_path = lambda title: str(source)
    sidebar.import_action.trigger()
    assert sidebar.active_keywords() == ("Łukasz", "東京", "São Paulo")
    out = tmp_path / "out.txt"
    sidebar.ask_save_path = lambda title, suggested: str(out)
    sidebar.export_action.trigger()
    assert out.read_text(encoding="utf-8") == "Łukasz\n東京\nSão Paulo\n"

    other = make(qtbot, str(tmp_path / "other.ini"))
    other.ask_open_path = lambda title: str(out)
    other.import_action.trigger()
    assert other.active_keywords() == sidebar.active_keywords()


def test_import_of_unreadable_file_shows_one_line(qtbot, ini: str, tmp_path: Path) -> None:
    sidebar = make(qtbot, ini)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa not utf-8")
    sidebar.ask_open_path = lambda title: str(bad)
    sidebar.import_action.trigger()
    message = child(sidebar, QLabel, "keywordMessage").text()
    assert "bad.txt is not UTF-8" in message and "\n" not in message
    assert sidebar.active_keywords() == ()


@pytest.mark.timeout(30)
def test_import_of_an_endless_file_is_refused_fast(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    sidebar.ask_open_path = lambda title: "/dev/zero"
    sidebar.import_action.trigger()
    message = child(sidebar, QLabel, "keywordMessage").text()
    assert "zero is larger than 64 KB" in message and "\n" not in message
    assert sidebar.active_keywords() == ()


def test_count_warns_above_the_limit(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    sidebar.add_keyword("\n".join(f"term{i}" for i in range(PRACTICAL_LIMIT)))
    label = count_label(sidebar)
    assert label.text() == f"{PRACTICAL_LIMIT} keywords"
    assert label.property("warning") is False
    sidebar.add_keyword("one too many")
    assert label.text() == f"{PRACTICAL_LIMIT + 1} keywords"
    assert label.property("warning") is True
    assert label.styleSheet() and "slows recognition" in label.toolTip()
    assert "slows recognition" in label.accessibleDescription()


def test_edit_in_place_and_remove(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    sidebar.add_keyword("teh, other")
    lw = child(sidebar, QListWidget)
    lw.item(0).setText("the")
    assert sidebar.active_keywords() == ("the", "other")
    lw.item(1).setText("THE")  # duplicate → refused, list unchanged
    assert sidebar.active_keywords() == ("the", "other")
    assert words_shown(sidebar) == ["the", "other"]
    lw.item(1).setSelected(True)
    remove = next(b for b in sidebar.findChildren(QPushButton) if b.text() == "Remove")
    with qtbot.waitSignal(sidebar.activeKeywordsChanged) as blocker:
        qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert blocker.args == [["the"]]
    assert make(qtbot, ini).active_keywords() == ("the",)


def test_switching_lists_emits_and_delete_asks_first(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    sidebar.add_keyword("one")
    sidebar.ask_text = lambda title, label, initial: "Empty"
    with qtbot.waitSignal(sidebar.activeKeywordsChanged) as blocker:
        sidebar.new_list_action.trigger()
    assert blocker.args == [[]]
    sidebar.ask_text = lambda title, label, initial: "keywords"  # clashes with "Keywords"
    sidebar.rename_list_action.trigger()
    assert sidebar.library().active_name == "Empty"
    assert "already exists" in child(sidebar, QLabel, "keywordMessage").text()
    with qtbot.waitSignal(sidebar.activeKeywordsChanged) as blocker:
        sidebar.delete_list_action.trigger()  # empty list: no question
    assert blocker.args == [["one"]]
    asked: list[str] = []

    def refuse(title: str, text: str) -> bool:
        asked.append(text)
        return False

    sidebar.confirm = refuse
    sidebar.delete_list_action.trigger()
    assert asked and sidebar.library().names() == ["Keywords"]
    assert sidebar.active_keywords() == ("one",)  # refused


def test_corrupt_saved_lists_start_empty(qtbot, ini: str) -> None:
    store = SettingsStore(ini)
    store.save_keywords({"lists": "not a list"})
    sidebar = make(qtbot, ini)
    assert sidebar.active_keywords() == ()
    assert sidebar.library().names() == ["Keywords"]


@pytest.mark.qt_log_ignore("propagateSizeHints")  # offscreen platform plugin, on show()
def test_fits_a_narrow_dock(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    assert sidebar.minimumSizeHint().width() <= 220
    sidebar.resize(220, 500)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    for button in sidebar.findChildren(QPushButton):
        assert button.accessibleName()
        assert button.width() >= button.minimumSizeHint().width()


def test_choosing_a_list_from_the_combo_or_the_tray(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    sidebar.add_keyword("first")
    sidebar.ask_text = lambda title, label, initial: "Second"
    with qtbot.waitSignal(sidebar.listsChanged) as blocker:
        sidebar.new_list_action.trigger()
    assert blocker.args == [["Keywords", "Second"], "Second"]
    sidebar.add_keyword("second")
    combo = child(sidebar, QComboBox)
    with qtbot.waitSignals([sidebar.activeKeywordsChanged, sidebar.listsChanged]):
        combo.setCurrentIndex(0)
    assert sidebar.active_keywords() == ("first",)
    assert words_shown(sidebar) == ["first"]
    with qtbot.waitSignal(sidebar.activeKeywordsChanged) as blocker:
        assert sidebar.set_active_list("Second")
    assert blocker.args == [["second"]]
    assert combo.currentText() == "Second"
    with qtbot.assertNotEmitted(sidebar.listsChanged):
        assert not sidebar.set_active_list("Missing")
    assert make(qtbot, ini).active_list_name() == "Second"


def test_rules_are_edited_per_list_and_survive_a_restart(qtbot, ini: str) -> None:
    sidebar = make(qtbot, ini)
    shown: list[str] = []

    def answer(current: str) -> str:
        shown.append(current)
        return "gonna => going to\nre:v(\\d) => version \\1\n"

    sidebar.ask_rules = answer
    sidebar.rules_action.trigger()
    assert [r.find for r in sidebar.active_rules()] == ["gonna", "v(\\d)"]
    assert count_label(sidebar).text() == "0 keywords, 2 rules"
    sidebar.ask_rules = lambda current: "fine => ok\nre:x( => y"
    sidebar.rules_action.trigger()  # a bad line: one message, the rules stay as they were
    message = child(sidebar, QLabel, "keywordMessage").text()
    assert "Rules, line 2: Bad regular expression 'x('" in message
    assert len(sidebar.active_rules()) == 2
    sidebar.ask_rules = answer
    sidebar.rules_action.trigger()
    assert shown[-1] == "gonna => going to\nre:v(\\d) => version \\1\n"  # current rules shown

    again = make(qtbot, ini)
    assert [r.replace for r in again.active_rules()] == ["going to", "version \\1"]
