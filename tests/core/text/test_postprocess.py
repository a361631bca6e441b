"""postprocess: commands split first, rules on the rest, joined like any utterance."""

from __future__ import annotations

from app.core.text.commands import CommandSet
from app.core.text.postprocess import Edit, TextContext, join_lines, postprocess
from app.core.text.rules import parse_rules
from app.core.text.text_join import join_all
from app.core.transcript import Segment, TaskSpec, TranscriptResult

RULES = tuple(parse_rules("gonna => going to\nperiod => PERIOD-RULE\num =>"))


def test_without_commands_it_is_rules_then_join() -> None:
    ctx = TextContext(RULES)
    assert postprocess("I'm gonna um go", "Hi.", ctx) == Edit(" I'm going to go")
    assert postprocess("Gonna", "", ctx) == Edit("Going to")


def test_commands_first_so_rules_never_eat_them() -> None:
    ctx = TextContext(RULES, CommandSet(), "en")
    assert postprocess("I'm gonna go period", "Hi.", ctx) == Edit(" I'm going to go.")
    assert postprocess("the period of time", "Hi.", ctx) == Edit(" The PERIOD-RULE of time")


def test_line_breaks_survive_joining_and_capitalise_after() -> None:
    ctx = TextContext((), CommandSet(), "en")
    first = postprocess("Dear John comma new line", "", ctx)
    assert first == Edit("Dear John,\n")
    second = postprocess("thanks for the note", first.text, ctx)
    assert second == Edit("Thanks for the note")
    assert join_lines("Hi.", "a\n\nb") == " A\n\nB"


def test_standalone_punctuation_attaches_without_doubling() -> None:
    ctx = TextContext((), CommandSet(), "en")
    assert postprocess("comma", "Hello", ctx) == Edit(",")
    assert postprocess("Period.", "Hello.", ctx) == Edit("")
    assert postprocess("new line", "Hello.", ctx) == Edit("\n")


def test_scratch_and_open_quote() -> None:
    ctx = TextContext((), CommandSet(), "en")
    assert postprocess("Scratch that.", "Hello.", ctx) == Edit("", scratch_previous=True)
    quote = postprocess("he said open quote", "Yes.", ctx).text
    assert quote == " He said “"
    assert postprocess("stop close quote", "Yes." + quote, ctx) == Edit("stop”")


def test_commands_off_keeps_the_words() -> None:
    assert postprocess("new line", "", TextContext()) == Edit("New line")
    assert join_all(["a", "b"]) == "A b"


def test_rules_on_a_file_result_keep_times() -> None:
    from app.core.text.postprocess import apply_rules_to_result

    segments = [Segment(0.0, 1.0, "gonna win"), Segment(1.0, 2.0, "um ok")]
    result = TranscriptResult(TaskSpec(), segments)
    out = apply_rules_to_result(result, RULES)
    assert [s.text for s in out.segments] == ["going to win", "ok"]
    assert [(s.start, s.end) for s in out.segments] == [(0.0, 1.0), (1.0, 2.0)]
    assert result.segments[0].text == "gonna win"  # the input is not modified


def test_a_lone_mark_after_another_mark_asks_to_replace_it() -> None:
    ctx = TextContext((), CommandSet(), "en")
    assert postprocess("Question mark.", "Hello world.", ctx) == Edit("?", replace_mark=True)
    assert postprocess("Exclamation mark!", "Hello world", ctx) == Edit("!")
    assert postprocess("wow question mark", "Hello.", ctx) == Edit(" Wow?")


def test_written_text_for_the_history() -> None:
    from app.core.text.postprocess import written_text

    commands = CommandSet()
    assert written_text("Hello world period", commands, "en") == "Hello world."
    assert written_text("New line.", commands, "en") == ""
    assert written_text("Scratch that.", commands, "en") == ""
    assert written_text(" the period of time ", commands, "en") == "the period of time"
    assert written_text("New line.", None, "en") == "New line."
