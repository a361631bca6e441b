"""Export from the window: md offered, the typed extension wins, JSON carries model and timing."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QFileDialog

from app.ui.window import dialogs
from tests.support.window_rig import WAIT_MS


def test_export_md_and_json_carry_the_real_model_and_timings(rig) -> None:
    rig.load()
    with rig.qtbot.waitSignal(rig.bridge.jobFinished, timeout=WAIT_MS):
        rig.window.submit_paths([rig.audio_file("talk.wav", 3.0)])
    rig.wait_jobs_done()
    view = rig.window.tabs.views()[-1]
    rig.window.tabs.setCurrentWidget(view)
    out = rig.tmp / "talk.json"
    assert rig.window.export_to(str(out), "json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["model"] == "fake"
    assert doc["timing"]["generated_tokens"] > 0 and doc["timing"]["total_s"] > 0
    assert doc["duration"] == 3.0
    md = rig.tmp / "talk.md"
    assert rig.window.export_to(str(md), "md")
    assert md.read_text(encoding="utf-8").startswith("# talk.wav\n\n**00:00** speech")
    # The model name survives autosave and restore.
    assert view.to_document().outputs[0].model == "fake"


def test_a_typed_md_name_is_not_given_the_chosen_type(rig, monkeypatch) -> None:
    assert "md" in dialogs.EXPORT_FILTERS
    srt_filter = dialogs.EXPORT_FILTERS["srt"]

    def answer(*_args: object, **_kw: object) -> tuple[str, str]:
        return str(rig.tmp / "name.md"), srt_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    view = rig.window.current_view()
    assert dialogs.ask_export(rig.window, view, view.current_pane()) == (
        str(rig.tmp / "name.md"),
        "md",
    )
