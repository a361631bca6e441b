from __future__ import annotations

import pytest

from app.core.text.text_join import ends_sentence, join_all, join_piece


@pytest.mark.parametrize(
    ("before", "new", "expected"),
    [
        ("", "hello world", "Hello world"),
        ("Hello world.", "this is me", " This is me"),
        ("Is it?", "yes", " Yes"),
        ("Wow!", "  great   stuff ", " Great stuff"),
        ('He said "stop."', "then left", " Then left"),
        ("I went to the", "Shop today", " shop today"),
        ("and then", "I saw it", " I saw it"),
        ("and then", "I'm here", " I'm here"),
        ("we met at", "NASA later", " NASA later"),
        ("Hello, world", ", again", ", again"),
        ("so", ". Done", ". Done"),
        ("line one\n", "next", "Next"),
        ("ends with space ", "More", "more"),
        ("the number is", "42 exactly", " 42 exactly"),
        ("我们今天", "去公园。", "去公园。"),
        ("今日は", "いい天気です", "いい天気です"),
        ("Hello", "世界", "世界"),
        ("안녕하세요", "반갑습니다", " 반갑습니다"),
        ("Bonjour.", "ça va", " Ça va"),
        ("anything", "   ", ""),
    ],
)
def test_join_piece(before: str, new: str, expected: str):
    assert join_piece(before, new) == expected


def test_names_seen_mid_sentence_and_keywords_keep_their_capital():
    assert join_piece("I told Anna about it and", "Anna laughed") == " Anna laughed"
    assert join_piece("Anna. Then we", "Anna went") == " anna went"  # only seen at a start
    assert join_piece("we use", "Granite daily", keep=["Granite Speech"]) == " Granite daily"


def test_ends_sentence():
    assert ends_sentence("")
    assert ends_sentence("Done.")
    assert ends_sentence("Really?)")
    assert ends_sentence("終わり。")
    assert not ends_sentence("and so")
    assert not ends_sentence("e.g,")


def test_join_all_reads_naturally():
    pieces = ["Hello there.", "How are you", "Doing well?", "I hope so", "With NASA."]
    assert join_all(pieces) == "Hello there. How are you doing well? I hope so with NASA."
