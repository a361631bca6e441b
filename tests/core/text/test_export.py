from __future__ import annotations

import itertools
import json
import re

import pytest

from app.core.errors import UsageError
from app.core.text import export
from app.core.transcript import Segment, Task, TaskSpec, Timing, TranscriptResult


def _result(segments, spec=None, **kw) -> TranscriptResult:
    return TranscriptResult(spec=spec or TaskSpec(), segments=list(segments), **kw)


def test_timestamp_formats() -> None:
    assert export.format_timestamp(0) == "00:00:00,000"
    assert export.format_timestamp(3661.5) == "01:01:01,500"
    assert export.format_timestamp(59.9996, ".") == "00:01:00.000"
    assert export.format_timestamp(-1) == "00:00:00,000"
    assert export.format_timestamp(100 * 3600 + 0.007) == "100:00:00,007"


def test_srt_layout_and_round_trip() -> None:
    segs = [Segment(0.5, 2.25, "Hello there."), Segment(3.0, 4.001, "General Kenobi.")]
    srt = export.to_srt(segs)
    assert srt == (
        "1\n00:00:00,500 --> 00:00:02,250\nHello there.\n\n"
        "2\n00:00:03,000 --> 00:00:04,001\nGeneral Kenobi.\n"
    )
    assert export.parse_srt(srt) == segs


def test_vtt_layout_and_round_trip() -> None:
    segs = [Segment(61.0, 62.5, "One."), Segment(62.5, 70.0, "Two.")]
    vtt = export.to_vtt(segs)
    assert vtt.startswith("WEBVTT\n\n00:01:01.000 --> 00:01:02.500\nOne.\n\n")
    assert export.parse_vtt(vtt) == segs


def test_parse_vtt_tolerates_ids_settings_notes_and_short_times() -> None:
    text = "WEBVTT\n\nNOTE hi\n\nc1\n01:02.500 --> 01:03.000 align:start\nA\nB\n"
    assert export.parse_vtt(text) == [Segment(62.5, 63.0, "A B")]
    with pytest.raises(UsageError):
        export.parse_vtt("1\n00:00:00,000 --> 00:00:01,000\nx\n")


def test_empty_segments_are_skipped_and_empty_file_is_valid() -> None:
    assert export.to_srt([]) == ""
    assert export.to_vtt([Segment(0, 1, "  ")]) == "WEBVTT\n\n"
    assert export.parse_srt(export.to_srt([Segment(0, 1, ""), Segment(1, 2, "x")])) == [
        Segment(1, 2, "x")
    ]


def test_wrap_limits_line_width_and_keeps_words() -> None:
    text = " ".join(f"word{i}" for i in range(40))
    lines = export.wrap_text(text, 42)
    assert all(len(line) <= 42 for line in lines)
    assert " ".join(lines) == text
    assert export.wrap_text("x" * 100, 42) == ["x" * 42, "x" * 42, "x" * 16]


def test_long_segment_splits_into_cues_with_apportioned_monotonic_times() -> None:
    text = " ".join(f"w{i:03d}" for i in range(120))  # ~600 chars → many cues
    segs = [Segment(10.0, 40.0, text), Segment(40.0, 41.0, "tail")]
    cues = export.subtitle_cues(segs)
    assert len(cues) > 3
    assert all(1 <= len(c.lines) <= 2 and all(len(x) <= 42 for x in c.lines) for c in cues)
    assert cues[0].start_ms == 10_000
    assert cues[-2].end_ms == 40_000
    for a, b in itertools.pairwise(cues):
        assert a.end_ms > a.start_ms and b.start_ms >= a.end_ms
    # Durations roughly proportional to characters (equal-sized cues → equal-ish durations).
    inner = [c.end_ms - c.start_ms for c in cues[:-2]]
    assert max(inner) - min(inner) <= 1000
    words = " ".join(" ".join(c.lines) for c in cues[:-1])
    assert words == text


def test_overlapping_or_zero_length_segments_never_produce_overlapping_cues() -> None:
    segs = [Segment(0, 2, "a"), Segment(1, 1.5, "b"), Segment(1.5, 1.5, "c"), Segment(5, 4, "d")]
    cues = export.subtitle_cues(segs)
    for c in cues:
        assert c.end_ms - c.start_ms >= 500
    for a, b in itertools.pairwise(cues):
        assert b.start_ms >= a.end_ms
    parsed = export.parse_srt(export.to_srt(segs))
    assert [s.text for s in parsed] == ["a", "b c", "d"]  # too short apart: one cue


def test_cjk_join_and_wrap() -> None:
    ja = TaskSpec(source_language="ja")
    res = _result([Segment(0, 1, "こんにちは。"), Segment(1, 2, "元気ですか。")], ja)
    assert export.to_txt(res) == "こんにちは。元気ですか。\n"
    # Auto language: no space next to Chinese/Japanese, a space between Latin pieces.
    assert export.join_segment_texts(["今日は", "晴れ", "OK", "fine"]) == "今日は晴れOK fine"
    assert export.join_segment_texts(["안녕하세요", "반갑습니다"]) == "안녕하세요 반갑습니다"
    zh = _result([Segment(0, 1, "你好"), Segment(1, 2, "Python"), Segment(2, 3, "很好")])
    assert export.to_txt(zh) == "你好Python很好\n"
    assert json.loads(export.to_json(res, app_version="x"))["text"] == "こんにちは。元気ですか。"
    lines = export.wrap_text("あ" * 50, 42)
    assert lines == ["あ" * 21, "あ" * 21, "あ" * 8]
    round_trip = export.parse_srt(export.to_srt([Segment(0, 5, "あ" * 30)]))
    assert [s.text for s in round_trip] == ["あ" * 30]


def test_txt_for_several_results_is_labelled() -> None:
    a = _result([Segment(0, 1, "Hello"), Segment(1, 2, "world")])
    b = _result([Segment(0, 1, "Bonjour")], TaskSpec(Task.TRANSLATE, "en", "fr"))
    assert export.to_txt(a) == "Hello world\n"
    assert export.to_txt([a, b]) == "[transcript]\nHello world\n\n[translation (fr)]\nBonjour\n"


def test_json_fields() -> None:
    res = _result(
        [Segment(0.1234, 1.5, "Salut")],
        TaskSpec(Task.TRANSLATE, "en", "fr", ("Granite",)),
        model="tiny",
        source="/x/talk.mp3",
        duration=10.0,
        timing=Timing(encode_s=1.0, decode_s=1.0, generated_tokens=5),
    )
    doc = json.loads(export.to_json(res, app_version="9.9"))
    assert doc["app_version"] == "9.9"
    assert doc["task"] == "translate"
    assert (doc["source_language"], doc["target_language"]) == ("en", "fr")
    assert doc["keywords"] == ["Granite"]
    assert doc["model"] == "tiny" and doc["source"] == "/x/talk.mp3"
    assert doc["duration"] == 10.0
    assert doc["segments"] == [{"start": 0.123, "end": 1.5, "text": "Salut"}]
    assert doc["timing"]["generated_tokens"] == 5
    assert doc["timing"]["total_s"] == 2.0
    assert doc["timing"]["realtime_factor"] == pytest.approx(0.2)
    assert doc["text"] == "Salut"
    default = json.loads(export.to_json(res))
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", default["app_version"])


def test_write_result_is_atomic_and_refuses_to_overwrite_source(tmp_path) -> None:
    src = tmp_path / "talk.srt"
    src.write_text("original")
    res = _result([Segment(0, 1, "hi")], source=str(src))
    with pytest.raises(UsageError):
        export.write_result(res, src, "srt")
    assert src.read_text() == "original"
    out = export.write_result(res, tmp_path / "out" / "talk.vtt", "vtt")
    assert export.parse_vtt(out.read_text(encoding="utf-8")) == [Segment(0, 1, "hi")]
    assert sorted(p.name for p in out.parent.iterdir()) == ["talk.vtt"]
    with pytest.raises(UsageError):
        export.write_result(res, tmp_path / "x.doc", "doc")


def test_choose_format_typed_known_extension_wins() -> None:
    assert export.choose_format("/d/name.md", "srt") == ("/d/name.md", "md")
    assert export.choose_format("/d/name.JSON", "txt") == ("/d/name.JSON", "json")
    assert export.choose_format("/d/name", "vtt") == ("/d/name.vtt", "vtt")
    assert export.choose_format("/d/name.v2", "srt") == ("/d/name.v2.srt", "srt")
    assert export.choose_format("/d/name", "nonsense") == ("/d/name.txt", "txt")


def test_markdown_has_a_heading_and_timed_paragraphs() -> None:
    res = _result(
        [Segment(0.4, 2, "Hello there."), Segment(3725.0, 3727, " Bye. ")], source="/x/talk.mp3"
    )
    assert export.to_md(res) == "# talk.mp3\n\n**00:00** Hello there.\n\n**1:02:05** Bye.\n"
    assert export.render(res, "md") == export.to_md(res)
    assert export.to_md(_result([]), "Notes") == "# Notes\n"
    assert "md" in export.FORMATS


def _words(cues: list[export.Cue]) -> str:
    return " ".join(" ".join(c.lines) for c in cues)


def _check_cues(cues: list[export.Cue], min_ms: int = 500) -> None:
    for c in cues:
        assert c.end_ms - c.start_ms >= min_ms, c
    for a, b in itertools.pairwise(cues):
        assert b.start_ms >= a.end_ms


def test_no_cue_is_shorter_than_half_a_second() -> None:
    # The bug: a 56 ms cue with one letter, from a long word and a short segment.
    segs = [Segment(0.0, 1.0, "x" * 90), Segment(1.0, 1.056, "y"), Segment(1.056, 3.0, "z z")]
    cues = export.subtitle_cues(segs)
    _check_cues(cues)
    assert _words(cues).replace(" ", "") == "x" * 90 + "y" + "zz"
    # A lone short segment grows into the pause after it, not over the next segment.
    cues = export.subtitle_cues([Segment(1.0, 1.05, "Hi."), Segment(4.0, 5.0, "Next.")])
    assert [(c.start_ms, c.end_ms) for c in cues] == [(1000, 1500), (4000, 5000)]
    # A long text in a short segment is not cut into more cues than the time allows.
    text = " ".join(f"w{i:03d}" for i in range(60))
    cues = export.subtitle_cues([Segment(0.0, 1.2, text)])
    _check_cues(cues)
    assert len(cues) == 2 and _words(cues) == text


def test_no_cue_boundary_inside_a_word() -> None:
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen" * 2  # > 2 lines
    cues = export.subtitle_cues([Segment(0.0, 30.0, f"A {word} b c d")])
    _check_cues(cues)
    assert any(word in "".join(c.lines) for c in cues)
    assert export.wrap_text(word, 42)[0] == word[:42]
