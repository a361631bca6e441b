"""One step between the model's text and the pane or the paste: rules, spoken commands, joining.

``postprocess(text, before, context) -> Edit``: ``text`` is one finished utterance as the model
wrote it, ``before`` the text left of the insertion point. Spoken commands are split off the
end first (so a rule never eats a command word), the replacement rules
(``app.core.text.rules``) run on the words that remain, the commands are rendered
(``app.core.text.commands``), and the result is joined to ``before`` with the usual spacing and
capitalisation (``app.core.text.text_join``), keeping the line breaks commands made.

Rules apply only to the model's text, before it is inserted, so they never touch text the user
typed or edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from app.core.text.commands import CommandSet, render
from app.core.text.rules import Rule, apply_rules
from app.core.text.text_join import join_piece
from app.core.transcript import Task, TaskSpec, TranscriptResult

MARKS = ".,?!:;"


@dataclass(frozen=True)
class TextContext:
    rules: tuple[Rule, ...] = ()
    #: ``None``: spoken commands are off.
    commands: CommandSet | None = None
    #: The spoken language (which command table); ``None`` = auto (English commands).
    language: str | None = None
    #: Words never lower-cased when joining (the active keyword list).
    keep: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edit:
    #: What to insert after ``before`` (leading space and capitalisation included); may be "".
    text: str
    #: "Scratch that" on its own: remove the previous dictated utterance first.
    scratch_previous: bool = False
    #: A spoken mark alone ("question mark") after text ending with another mark: replace
    #: that mark if it is the end of the previous dictated utterance (model text, unchanged).
    replace_mark: bool = False


def join_lines(before: str, text: str, keep: tuple[str, ...] = ()) -> str:
    """``join_piece`` that keeps line breaks inside ``text``."""
    out = ""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            out = out.rstrip(" ") + "\n"
        out += join_piece(before + out, line, keep)
    return out


def postprocess(text: str, before: str, context: TextContext) -> Edit:
    if context.commands is not None:
        rest, actions = context.commands.split(text, context.language)
    else:
        rest, actions = text, []
    rest = apply_rules(rest, context.rules)
    if actions:
        rendered, scratch = render(rest, actions, context.language)
        if scratch or not rendered:
            return Edit("", scratch)
        end = before.rstrip()[-1:]
        if rendered[0] in MARKS and end == rendered[0]:
            rendered = rendered[1:]  # "period" after text that already ends with one
        elif rendered[0] in MARKS and end and end in MARKS and not rest.strip():
            return Edit(join_lines(before, rendered, context.keep), replace_mark=True)
        return Edit(join_lines(before, rendered, context.keep))
    return Edit(join_piece(before, rest, context.keep))


def apply_rules_to_result(result: TranscriptResult, rules: Sequence[Rule]) -> TranscriptResult:
    """A file transcript with the rules applied to each segment (no commands, no joining)."""
    if not rules:
        return result
    segments = [replace(s, text=apply_rules(s.text, rules)) for s in result.segments]
    return replace(result, segments=segments)


@lru_cache(maxsize=4)
def command_set(extra_lines: str) -> CommandSet:
    """The compiled commands for the user's lines (cached: built once per change)."""
    return CommandSet(extra_lines)


def dictation_context(
    spec: TaskSpec, rules: Sequence[Rule], commands_on: bool = True, command_lines: str = ""
) -> TextContext:
    """What applies to a dictated utterance of ``spec``: the rules always; spoken commands
    only to a transcription (they are words of the spoken language), in that language."""
    commands = command_set(command_lines) if commands_on and spec.task is Task.TRANSCRIBE else None
    return TextContext(tuple(rules), commands, spec.source_language, spec.keywords)


def written_text(text: str, commands: CommandSet | None, language: str | None) -> str:
    """An utterance as it was written once its spoken commands ran (the history's text):
    "" for one that was only a command ("new line", "scratch that")."""
    if commands is None:
        return text.strip()
    rest, actions = commands.split(text, language)
    if not actions:
        return text.strip()
    rendered, _scratch = render(rest, actions, language)
    return rendered.strip()
