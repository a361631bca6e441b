"""The pure document model: provenance of runs, export timings after edits, serialisation."""

from __future__ import annotations

import json
import os

import pytest

from app.core.errors import UsageError
from app.core.text.document import (
    Document,
    OutputText,
    Run,
    collect_sources,
    document_text,
    export_output,
    merge_runs,
    segment_index_at,
    timed_segments,
)
from app.core.text.export import parse_srt, parse_vtt
from app.core.transcript import Segment, Task, TaskSpec

SEGS = {
    1: Segment(0.5, 2.0, "Hello there.", "a.wav"),
    2: Segment(2.0, 4.25, "General Kenobi.", "a.wav"),
    3: Segment(5.0, 7.0, "You are a bold one.", "a.wav"),
}


def test_merge_runs_joins_same_provenance_and_drops_empty() -> None:
    runs = [Run("a", 1), Run("b", 1), Run("", None), Run("c", None), Run("d", None), Run("e", 1)]
    assert merge_runs(runs) == [Run("ab", 1), Run("cd", None), Run("e", 1)]


def test_untouched_runs_give_the_original_segments() -> None:
    runs = [Run("Hello there.", 1), Run(" "), Run("General Kenobi.", 2)]
    out = timed_segments(runs, SEGS)
    assert [(s.start, s.end, s.text) for s in out] == [
        (0.5, 2.0, "Hello there."),
        (2.0, 4.25, "General Kenobi."),
    ]
    assert out[0].source == "a.wav"


def test_edits_inside_keep_times_and_typed_text_attaches_to_the_previous_segment() -> None:
    runs = [
        Run("NOTE: "),  # typed before the first segment
        Run("Hello, there!", 1),  # edited inside
        Run(" (typed)\n\n"),
        Run("General", 2),  # partly deleted
        Run(" "),
        Run("You are a bold one.", 3),
    ]
    out = timed_segments(runs, SEGS)
    assert [(s.start, s.end) for s in out] == [(0.5, 2.0), (2.0, 4.25), (5.0, 7.0)]
    assert [s.text for s in out] == [
        "NOTE: Hello, there! (typed)",
        "General",
        "You are a bold one.",
    ]


def test_deleted_segment_disappears_and_unknown_ids_count_as_typed() -> None:
    runs = [Run("Hello there.", 1), Run(" extra", 99), Run("   ", 2)]
    out = timed_segments(runs, SEGS)
    assert [s.text for s in out] == ["Hello there. extra"]


def test_segment_index_at_picks_the_segment_playing_at_t() -> None:
    starts = [0.0, 2.0, 5.0]
    assert [segment_index_at(starts, t) for t in (-1, 0, 1.9, 2.0, 4.9, 99)] == [0, 0, 0, 1, 1, 2]
    with pytest.raises(UsageError):
        segment_index_at([], 1.0)


def test_export_srt_and_vtt_use_real_timings_after_edits() -> None:
    out = OutputText(
        runs=[Run("Hello there.", 1), Run(" I typed this. "), Run("General Kenobi.", 2)],
        segments=dict(SEGS),
    )
    srt = parse_srt(export_output(out, "srt"))
    vtt = parse_vtt(export_output(out, "vtt"))
    for cues in (srt, vtt):
        assert [(c.start, c.end) for c in cues] == [(0.5, 2.0), (2.0, 4.25)]
        assert cues[0].text == "Hello there. I typed this."
    assert export_output(out, "txt") == "Hello there. I typed this. General Kenobi.\n"
    data = json.loads(export_output(out, "json", source="a.wav"))
    assert [s["start"] for s in data["segments"]] == [0.5, 2.0]


def test_export_without_timings_is_a_clear_error() -> None:
    out = OutputText(runs=[Run("just typed")])
    with pytest.raises(UsageError, match="no transcribed segments"):
        export_output(out, "srt")
    with pytest.raises(UsageError, match="Unknown export format"):
        export_output(out, "docx")


def test_document_round_trips_through_json() -> None:
    spec = TaskSpec(Task.TRANSLATE, "en", "fr", ("Kenobi",))
    doc = Document(
        title="meeting.wav",
        outputs=[
            OutputText("Transcript", TaskSpec(), [Run("Hello there.", 1), Run(" x")], dict(SEGS)),
            OutputText("Translation (French)", spec, [Run("Bonjour.", 7)], {7: SEGS[1]}),
        ],
        path="/tmp/x.txt",
        modified=True,
    )
    data = json.loads(json.dumps(doc.to_dict()))
    assert set(data["outputs"][0]["segments"]) == {"1"}  # only segments still referenced
    back = Document.from_dict(data)
    assert back.doc_id == doc.doc_id and back.title == "meeting.wav" and back.modified
    assert back.outputs[1].spec == spec
    assert back.outputs[0].runs == [Run("Hello there.", 1), Run(" x")]
    assert back.outputs[0].segments == {1: SEGS[1]}
    assert document_text(back) == "[Transcript]\nHello there. x\n\n[Translation (French)]\nBonjour."


def test_unknown_schema_is_refused() -> None:
    with pytest.raises(UsageError):
        Document.from_dict({"schema": 999})


def test_is_empty() -> None:
    assert Document().is_empty
    assert not Document(outputs=[OutputText(runs=[Run("x")])]).is_empty


def test_collect_sources_expands_folders_and_refuses_with_one_line_reasons(tmp_path) -> None:
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    (tmp_path / "empty").mkdir()
    for name in ("dir/b.wav", "dir/a.mp3", "dir/notes.txt", "dir/.hidden.wav", "dir/sub/c.flac"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "top.wav").write_bytes(b"x")
    (tmp_path / "doc.pdf").write_bytes(b"x")

    def supported(p: str) -> bool:
        return p.endswith((".wav", ".mp3", ".flac"))

    paths = ["top.wav", "dir", "doc.pdf", "missing.wav", "empty", "top.wav"]
    accepted, refused = collect_sources([str(tmp_path / p) for p in paths], supported)
    rel = [os.path.relpath(p, tmp_path) for p in accepted]
    assert rel == ["top.wav", "dir/a.mp3", "dir/b.wav", "dir/sub/c.flac"]
    assert refused == [
        "doc.pdf: not a supported audio or video file (.pdf).",
        "missing.wav: file not found.",
        "empty: no audio or video files in this folder.",
    ]


def test_output_keeps_model_timing_and_duration_for_json_and_autosave() -> None:
    from app.core.transcript import Timing

    out = OutputText(
        runs=[Run("Hello there.", 1)],
        segments={1: SEGS[1]},
        model="mlx-community/granite-4.0-1b-speech-8bit",
        timing=Timing(encode_s=0.5, decode_s=1.5, generated_tokens=7),
        duration=12.0,
    )
    doc = json.loads(export_output(out, "json", source="a.wav"))
    assert doc["model"] == "mlx-community/granite-4.0-1b-speech-8bit"
    assert doc["duration"] == 12.0
    assert doc["timing"]["total_s"] == 2.0 and doc["timing"]["generated_tokens"] == 7
    back = OutputText.from_dict(json.loads(json.dumps(out.to_dict())))
    assert (back.model, back.timing, back.duration) == (out.model, out.timing, out.duration)
    assert OutputText.from_dict({"timing": {"encode_s": "x", "bogus": 1}}).timing == Timing()


def test_markdown_export_of_typed_and_timed_text() -> None:
    typed = OutputText(runs=[Run("My note\n")])
    assert export_output(typed, "md", title="note.md") == "# note.md\n\nMy note\n"
    timed = OutputText(runs=[Run("Hello there.", 1)], segments={1: SEGS[1]})
    assert export_output(timed, "md", "a.wav") == "# a.wav\n\n**00:00** Hello there.\n"
