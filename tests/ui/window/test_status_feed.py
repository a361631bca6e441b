"""What the window says about the model's state and the file jobs (``StatusFeed``), driven
straight through its slots and the jobs' signals."""

from __future__ import annotations

from app.core.model_state import ModelState


def test_waiting_for_the_model_keeps_record_off_and_says_why(rig) -> None:
    w = rig.window
    w.feed.show_model_state(ModelState.DOWNLOADING, "")
    assert w.toolbar.model_label.text() == "Model: downloading…"
    assert not w.record_action.isEnabled()
    assert w.record_action.toolTip().endswith("— Waiting for the speech model to download…")
    assert w.actions_.open_audio.isEnabled()  # files queue up behind the load
    assert w.banner.text() == ""


def test_a_failed_model_goes_to_the_banner_and_ready_clears_it(rig) -> None:
    w = rig.window
    w.feed.show_model_state(ModelState.ERROR, "Out of memory.")
    assert w.toolbar.model_label.text() == "Model: error"
    assert w.banner.text() == "Out of memory."
    assert not w.actions_.open_audio.isEnabled()
    assert w.actions_.open_audio.toolTip().endswith("— Out of memory.")
    w.feed.show_model_state(ModelState.READY, "")
    assert w.banner.text() == ""
    assert w.record_action.isEnabled() and w.actions_.open_audio.isEnabled()
    assert not w.record_action.toolTip().endswith("…")
    assert w.statusBar().currentMessage() == "The speech model is ready."


def test_download_progress_and_a_failed_job_in_the_status_bar(rig) -> None:
    w = rig.window
    rig.bridge.downloadProgress.emit(30, 120)
    assert w.status.progress_bar.isVisibleTo(w) and w.status.progress_bar.value() == 250
    assert w.statusBar().currentMessage() == "Downloading the model"
    w.jobs.jobFailed.emit(7, "talk.wav: not an audio file.")
    assert not w.status.progress_bar.isVisibleTo(w)
    assert w.statusBar().currentMessage() == ""
    assert w.banner.text() == "talk.wav: not an audio file."
