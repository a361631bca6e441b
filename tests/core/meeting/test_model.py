from __future__ import annotations

from app.core.meeting.model import MeetingLine, Side, format_line, meeting_lines
from app.core.transcript import Segment, Task, TaskSpec, TranscriptResult

FR = TaskSpec(Task.TRANSLATE, "en", "fr")


def test_a_split_utterance_gives_one_line_per_speaker_with_its_translation():
    transcript = TranscriptResult(
        TaskSpec(),
        [
            Segment(1.0, 3.0, "hello", "others", "Speaker 1"),
            Segment(3.0, 5.0, "hi", "others", "Speaker 2"),
        ],
    )
    french = TranscriptResult(FR, [Segment(3.0, 5.0, "salut", "others", "Speaker 2")])
    assert meeting_lines(Side.OTHERS, "Others", [transcript, french]) == [
        MeetingLine(Side.OTHERS, "Speaker 1", 1.0, 3.0, "hello", "", "fr"),
        MeetingLine(Side.OTHERS, "Speaker 2", 3.0, 5.0, "hi", "salut", "fr"),
    ]


def test_segments_without_text_or_speaker():
    result = TranscriptResult(TaskSpec(), [Segment(0, 1, " "), Segment(1, 2, "yes")])
    assert meeting_lines(Side.YOU, "You", [result]) == [MeetingLine(Side.YOU, "You", 1, 2, "yes")]
    assert meeting_lines(Side.YOU, "You", []) == []
    assert format_line(1, 2.5, "You", " yes  please ") == "[1.00-2.50] You: yes please"
