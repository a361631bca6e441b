"""Quit during a file job: the job comes back at the next start, from the part already done,
into its tab, which says "(partial)" until the job finishes."""

from __future__ import annotations

import threading

from app.core.preferences import Preferences
from app.core.storage.pending_jobs import PendingStore
from app.core.transcript import Segment
from app.ui.window.main_window import MainWindow
from tests.support.window_rig import WAIT_MS


def test_unfinished_job_resumes_after_quit_into_its_partial_tab(rig) -> None:
    rig.window.prefs = Preferences(max_chunk_s=5.0)
    rig.load()
    gate = threading.Event()
    path = rig.audio_file("meeting.wav", 12.0, gate=gate)
    (job,) = rig.window.submit_paths([path])
    pending = PendingStore(rig.store.folder)
    assert [p.path for p in pending.load()[0]] == [path]
    # The first chunk's text arrives (as the bridge reports it), then the user quits.
    rig.bridge.jobSegment.emit(job, 0, Segment(0.0, 5.0, "First part.", path))
    view = rig.window.tabs.views()[-1]
    assert view.partial and rig.window.tabs.tabText(1).endswith("meeting.wav (partial)")
    rig.window.close()
    gate.set()
    [saved] = pending.load()[0]
    assert saved.done_until == 5.0 and saved.doc_id == view.doc_id

    again = MainWindow(rig.bridge, Preferences(), autosave_store=rig.store, settings=rig.settings)
    rig.qtbot.addWidget(again)
    restored = [v for v in again.tabs.views() if v.doc_id == view.doc_id]
    assert restored and restored[0].partial
    assert "1 unfinished file(s) resume" in again.statusBar().currentMessage()
    with rig.qtbot.waitSignal(rig.bridge.jobFinished, timeout=WAIT_MS) as done:
        again.use_model("fake")
    rig.qtbot.waitUntil(lambda: not again.jobs.active(), timeout=WAIT_MS)
    assert [(s.start, s.end) for s in done.args[1][0].segments] == [(5.0, 10.0), (10.0, 12.0)]
    text = restored[0].panes[0].editor.toPlainText()
    assert text.startswith("First part.\nspeech 5.00s") and text.count("speech") == 2
    assert not restored[0].partial
    assert pending.load() == ([], "")
    assert [r.path for r in again.queue.panel.model().rows()] == [path]
