from __future__ import annotations

import pytest

from app.core.transcript import Segment, Task, TaskSpec, TranscriptResult, join_texts


@pytest.mark.parametrize(
    ("texts", "language", "expected"),
    [
        (["Hello", " world. ", "", "Bye"], None, "Hello world. Bye"),
        (["Hello", "world"], "en", "Hello world"),
        (["今日は", "いい天気です。"], "ja", "今日はいい天気です。"),
        (["今日は", "いい天気です。"], None, "今日はいい天気です。"),
        (["我们今天", "去公园。"], "zh", "我们今天去公园。"),
        # Japanese output: Latin words across a boundary keep their space, nothing else does.
        (["Python", "is", "便利です"], "ja", "Python is便利です"),
        (["結果は", "42", "点"], "ja", "結果は42点"),
        (["OK.", "次"], "ja", "OK.次"),
        # Unknown language: the boundary characters decide (as live dictation does).
        (["Hello", "世界", "and", "more"], None, "Hello世界and more"),
        (["안녕하세요", "반갑습니다"], None, "안녕하세요 반갑습니다"),
        # A known spaced language always gets a space.
        (["Tokyo", "東京"], "fr", "Tokyo 東京"),
        ([], None, ""),
        (["  ", ""], "ja", ""),
    ],
)
def test_join_texts(texts: list[str], language: str | None, expected: str) -> None:
    assert join_texts(texts, language) == expected


def _segments(*texts: str) -> list[Segment]:
    return [Segment(float(i), float(i + 1), t) for i, t in enumerate(texts)]


def test_result_text_follows_the_output_language() -> None:
    segs = _segments("Python", "is", "fine")
    assert TranscriptResult(TaskSpec(source_language="ja"), segs).text == "Python is fine"
    ja = _segments("こんにちは。", "元気ですか。")
    assert TranscriptResult(TaskSpec(), ja).text == "こんにちは。元気ですか。"
    # A translation is written in its target language, whatever was spoken.
    to_zh = TaskSpec(Task.TRANSLATE, "en", "zh")
    assert TranscriptResult(to_zh, _segments("Hello", "你好", "世界")).text == "Hello你好世界"
    to_fr = TaskSpec(Task.TRANSLATE, "ja", "fr")
    assert TranscriptResult(to_fr, _segments("Bonjour", "Tokyo")).text == "Bonjour Tokyo"
