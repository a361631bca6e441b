"""Speakers in exports: VTT voice spans, SRT prefixes, JSON field, txt/md paragraphs, rename."""

from __future__ import annotations

import itertools
import json

import av

from app.core.text.export import parse_srt, parse_vtt, to_json, to_md, to_srt, to_txt, to_vtt
from app.core.text.speakers import rename_speaker, speaker_cues, speakers_in, turn_starts
from app.core.transcript import Segment, TaskSpec, TranscriptResult

SEGS = [
    Segment(0.0, 2.0, "Shall we begin?", speaker="Speaker 1"),
    Segment(2.5, 4.0, "Yes, ready.", speaker="You"),
    Segment(4.2, 6.0, "Budget first.", speaker="Speaker 1"),
    Segment(6.0, 7.5, "Then the schedule.", speaker="Speaker 1"),
]


def test_vtt_voice_spans_round_trip():
    vtt = to_vtt(SEGS)
    assert "<v Speaker 1>Shall we begin?" in vtt and "<v You>Yes, ready." in vtt
    back = parse_vtt(vtt)
    assert [s.speaker for s in back] == ["Speaker 1", "You", "Speaker 1", "Speaker 1"]
    assert [s.text for s in back] == [s.text for s in SEGS]


def test_srt_prefix_on_each_turn():
    srt = to_srt(SEGS)
    texts = [s.text for s in parse_srt(srt)]
    assert texts == ["Speaker 1: Shall we begin?", "You: Yes, ready.",
                     "Speaker 1: Budget first.", "Then the schedule."]  # fmt: skip


def test_cues_never_mix_speakers_and_never_overlap():
    overlapping = [
        Segment(0.0, 3.0, "long talk here", speaker="A"),
        Segment(1.0, 1.2, "hm", speaker="B"),
        Segment(3.0, 4.0, "more", speaker="A"),
    ]
    cues = speaker_cues(overlapping)
    assert [w for w, _ in cues] == ["A", "B", "A"]
    for (_, a), (_, b) in itertools.pairwise(cues):
        assert a.end_ms <= b.start_ms and a.start_ms < a.end_ms


def test_without_speakers_nothing_changes():
    plain = [Segment(0, 1, "hello"), Segment(1.5, 2, "world")]
    assert "<v" not in to_vtt(plain) and ":" not in to_srt(plain).split("\n")[2]
    result = TranscriptResult(TaskSpec(), plain)
    assert to_txt(result) == "hello world\n"
    assert "speaker" not in to_json(result)


def test_json_txt_md():
    result = TranscriptResult(TaskSpec(source_language="en"), SEGS, source="call.wav")
    doc = json.loads(to_json(result))
    assert [s["speaker"] for s in doc["segments"]] == ["Speaker 1", "You", "Speaker 1", "Speaker 1"]
    assert to_txt(result) == (
        "Speaker 1: Shall we begin?\n\nYou: Yes, ready.\n\n"
        "Speaker 1: Budget first. Then the schedule.\n"
    )
    md = to_md(result)
    assert "**00:00 Speaker 1:** Shall we begin?" in md and "**00:04 Speaker 1:** Budget" in md


def test_rename_everywhere_keeps_texts():
    renamed = rename_speaker(SEGS, "Speaker 1", " Dana ")
    assert speakers_in(renamed) == ["Dana", "You"]
    assert [s.text for s in renamed] == [s.text for s in SEGS]
    assert "<v Dana>" in to_vtt(renamed) and "Dana: Shall" in to_srt(renamed)


def test_ffmpeg_reads_the_speaker_subtitles(tmp_path):
    for ext, text in (("srt", to_srt(SEGS)), ("vtt", to_vtt(SEGS))):
        path = tmp_path / f"x.{ext}"
        path.write_text(text, encoding="utf-8")
        with av.open(str(path)) as container:
            stream = container.streams.subtitles[0]
            packets = [p for p in container.demux(stream) if p.size]
        assert len(packets) == 4, ext


def test_document_rename_keeps_user_edits_and_survives_autosave():
    from app.core.text.document import OutputText, Run

    doc = OutputText(
        runs=[Run("Shall we start? ", 0), Run("(edited) ", None), Run("Yes.", 1)],
        segments={0: SEGS[0], 1: SEGS[1]},
    )
    doc.rename_speaker("Speaker 1", "Dana")
    again = OutputText.from_dict(json.loads(json.dumps(doc.to_dict())))
    segs = again.timed_segments()
    assert [s.speaker for s in segs] == ["Dana", "You"]
    assert segs[0].text == "Shall we start? (edited)"
    assert "<v Dana>Shall we start? (edited)" in to_vtt(segs)


def test_turn_starts_names_the_first_paragraph_of_each_turn():
    rows = [(0, "Ana"), (1, "Ana"), (2, "Ben"), (4, "Ben"), (5, "Ana"), (6, ""), (7, "Ana")]
    assert turn_starts(rows) == {0: "Ana", 2: "Ben", 5: "Ana", 7: "Ana"}
    assert turn_starts([(0, ""), (1, "")]) == {}
    assert turn_starts([]) == {}


def test_new_name_is_one_tidy_line_or_nothing():
    from app.core.text.speakers import MAX_NAME, new_name

    assert new_name("Speaker 1", "  Dana \n Scully ") == "Dana Scully"
    assert new_name("Speaker 1", "   ") is None
    assert new_name("Dana", " Dana ") is None
    assert new_name("Speaker 1", "x" * 100) == "x" * MAX_NAME


def test_legend_lists_each_speaker_once_with_the_output_that_colours_it():
    from app.core.text.speakers import legend

    assert legend([["Speaker 1", "You"], ["Speaker 1", "Speaker 2"]]) == [
        ("Speaker 1", 0),
        ("You", 0),
        ("Speaker 2", 1),
    ]
    assert legend([[], [""]]) == []


def test_the_turns_that_replaced_a_segment():
    from app.core.text.speakers import longest_speaker, turns_within

    old = Segment(10.0, 16.0, "two people talking")
    labelled = [
        Segment(4.0, 10.0, "before", speaker="Speaker 1"),
        Segment(12.2, 16.0, "second", speaker="Speaker 2"),
        Segment(10.0, 12.2, "first", speaker="Speaker 1"),
        Segment(16.0, 18.0, "after", speaker="Speaker 1"),
    ]
    turns = turns_within(old, labelled)
    assert [s.text for s in turns] == ["first", "second"]
    assert longest_speaker(turns) == "Speaker 2" and longest_speaker([]) == ""
