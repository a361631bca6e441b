"""Replacement rules: phrases, regexes, the file format and the edge cases of one-pass apply."""

from __future__ import annotations

import pytest

from app.core.errors import UsageError
from app.core.text.rules import Rule, RuleKind, apply_rules, parse_line, parse_rules, rules_text


def phrase(find: str, repl: str, case: bool = False) -> Rule:
    return Rule(find, repl, RuleKind.PHRASE, case).check()


def regex(find: str, repl: str) -> Rule:
    return Rule(find, repl, RuleKind.REGEX, True).check()


def test_phrase_matches_whole_words_only() -> None:
    rules = [phrase("cat", "dog")]
    text = "a cat, a category, a bobcat. Cat!"
    assert apply_rules(text, rules) == "a dog, a category, a bobcat. Dog!"


def test_phrase_spaces_match_any_whitespace_and_case_option() -> None:
    assert apply_rules("open  AI rocks", [phrase("open ai", "OpenAI")]) == "OpenAI rocks"
    sensitive = [phrase("MLX", "MLX framework", case=True)]
    assert apply_rules("mlx and MLX", sensitive) == "mlx and MLX framework"


def test_capital_at_sentence_start_carries_over() -> None:
    assert apply_rules("Gonna go. I'm gonna.", [phrase("gonna", "going to")]) == (
        "Going to go. I'm going to."
    )


def test_regex_with_groups() -> None:
    rules = [regex(r"\bv(\d+)\b", r"version \1")]
    assert apply_rules("v2 and v10 but not vv3", rules) == "version 2 and version 10 but not vv3"


@pytest.mark.parametrize(
    ("find", "repl", "message"),
    [
        ("x(", "y", "Bad regular expression"),
        ("a*", "y", "matches empty text"),
        ("(a)", r"\2", "group '2'"),
        ("a", r"\g<name>", "group 'name'"),
    ],
)
def test_bad_regex_is_one_clear_line(find: str, repl: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as info:
        Rule(find, repl, RuleKind.REGEX).check()
    assert "\n" not in str(info.value)


def test_empty_phrase_rejected() -> None:
    with pytest.raises(UsageError, match="phrase"):
        Rule("   ", "x").check()


def test_overlapping_rules_earliest_match_then_list_order() -> None:
    rules = [phrase("york", "Yorkshire"), phrase("new york", "NYC")]
    # "new york" starts earlier than "york": it wins although it is listed second.
    assert apply_rules("I love new york", rules) == "I love NYC"
    same_start = [phrase("new", "NEW"), phrase("new york", "NYC")]
    # Same start: the rule listed first wins, every time.
    assert apply_rules("new york", same_start) == "NEW york"
    assert apply_rules("new york", list(reversed(same_start))) == "NYC"


def test_rules_do_not_chain_or_loop() -> None:
    swap = [phrase("a", "b"), phrase("b", "a")]
    assert apply_rules("a b a", swap) == "b a b"
    grows = [phrase("cat", "cat cat")]
    assert apply_rules("one cat", grows) == "one cat cat"
    assert apply_rules("one cat", [regex("cat", "catcat")]) == "one catcat"


def test_empty_replacement_deletes_the_word_and_its_space() -> None:
    rules = [phrase("um", "")]
    assert apply_rules("so um I think um, yes um", rules) == "so I think, yes"
    assert apply_rules("um I think", rules) == "I think"
    assert apply_rules("um", rules) == ""


def test_cjk_has_no_word_boundaries() -> None:
    assert apply_rules("東京都に行きました", [phrase("東京", "Tokyo")]) == "Tokyo都に行きました"
    # A Latin phrase right next to CJK text still matches; inside a Latin word it does not.
    assert apply_rules("新しいGPUです GPUs", [phrase("GPU", "グラフィック")]) == (
        "新しいグラフィックです GPUs"
    )


def test_zero_width_regex_matches_are_skipped() -> None:
    # (?<=a) matches empty text only after an "a", so check() cannot see it; apply skips it
    # (no endless loop on a zero-width match) and still finds the real matches.
    rule = Rule(r"(?<=a)|b", "y", RuleKind.REGEX).check()
    assert apply_rules("a b", [rule]) == "a y"


def test_file_format_round_trip_and_errors() -> None:
    text = "# comment\n\ngonna => going to\nre:\\bv(\\d+) => version \\1\ncase:MLX => MLX!\num =>\n"
    rules = parse_rules(text)
    kinds = [r.kind.value for r in rules]
    assert kinds == ["phrase", "regex", "phrase", "phrase"]
    assert rules[2].case_sensitive and rules[3].replace == ""
    assert parse_rules(rules_text(rules)) == rules
    with pytest.raises(UsageError, match=r"my.rules, line 2: Expected 'from => to'"):
        parse_rules("a => b\nno arrow here", "my.rules")
    assert parse_line("  # x") is None


def test_saved_dict_round_trip() -> None:
    rule = regex(r"(\d+) ?percent", r"\1%")
    assert Rule.from_dict(rule.to_dict()) == rule
    with pytest.raises(UsageError):
        Rule.from_dict({"replace": "x"})
