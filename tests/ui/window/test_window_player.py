"""The transcript view: a timestamp gutter on file transcripts; a click plays the source from
there through the app's audio output (a fake here); player bar; the playing segment lit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from app.audio.output import FakeOutput
from app.core.preferences import Preferences
from app.ui.editor.player import Player
from app.ui.window.main_window import MainWindow
from tests.support.window_rig import WAIT_MS

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_click_a_time_to_play_from_there_with_bar_speed_and_highlight(rig) -> None:
    output = FakeOutput()
    player = Player(output, decoder=lambda path: rig.files.files[path])
    w = MainWindow(
        rig.bridge,
        Preferences(max_chunk_s=5.0),
        autosave_store=rig.store,
        settings=rig.settings,
        player=player,
    )
    rig.qtbot.addWidget(w)
    w.use_model("fake")
    rig.qtbot.waitUntil(lambda: w.model_state == "ready", timeout=WAIT_MS)
    path = rig.audio_file("talk.wav", 12.0)
    w.submit_paths([path])
    rig.qtbot.waitUntil(lambda: not w.jobs.active(), timeout=WAIT_MS)
    view = w.tabs.views()[-1]
    w.tabs.setCurrentWidget(view)
    w.show()
    pane = view.panes[0]
    assert pane.gutter.isVisibleTo(w)  # on by default for a file transcript
    pane.set_text_font("", 22)  # a bigger font: the gutter still covers only its own strip
    assert pane.editor.viewportMargins().left() == pane.gutter.width() >= 60
    assert pane.block_starts() == {0: 0.0, 1: 5.0, 2: 10.0}
    assert not w.tabs.views()[0].panes[0].gutter.isVisibleTo(w)  # not on a typed note
    rig.qtbot.waitUntil(lambda: pane.gutter.time_at(12) == 0.0)
    block = pane.document.findBlockByNumber(1)
    y = round(
        pane.editor.blockBoundingGeometry(block).translated(pane.editor.contentOffset()).top()
    )
    rig.qtbot.mouseClick(pane.gutter, Qt.MouseButton.LeftButton, pos=QPoint(5, y + 2))
    rig.qtbot.waitUntil(lambda: output.calls == [("play", 5.0, 1.0)], timeout=WAIT_MS)
    assert w.player_bar.isVisibleTo(w) and w.player_bar.play_button.text() == "Pause"
    output.advance(5.5)
    player.tick()
    assert w.player_bar.position.text() == "0:10 / 0:12"
    [lit] = pane.editor.extraSelections()
    assert lit.cursor.blockNumber() == 2
    w.player_bar.speed.setCurrentIndex(w.player_bar.speed.findData(2.0))
    assert output.calls[-1] == ("play", 10.5, 2.0)
    w.player_bar.play_button.click()
    assert output.calls[-1][0] == "pause" and w.player_bar.play_button.text() == "Play"
