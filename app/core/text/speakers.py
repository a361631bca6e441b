"""Speakers in a transcript: turns for text exports, cues per speaker for subtitles, voice
spans read back from WebVTT, and renaming a speaker everywhere."""

from __future__ import annotations

import itertools
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace

from app.core.text.subtitles import Cue, subtitle_cues
from app.core.transcript import Segment, join_texts

_VOICE = re.compile(r"^<v(?:\.[^\s>]*)?\s+([^>]+)>\s*")
_VOICE_END = re.compile(r"\s*</v>\s*")


def has_speakers(segments: Iterable[Segment]) -> bool:
    return any(s.speaker for s in segments)


def speakers_in(segments: Iterable[Segment]) -> list[str]:
    """Speaker names in order of first appearance."""
    return list(dict.fromkeys(s.speaker for s in segments if s.speaker))


def speaker_turns(
    segments: Sequence[Segment], language: str | None = None
) -> list[tuple[str, float, str]]:
    """(speaker, start, text) per run of consecutive segments of one speaker."""
    turns: list[tuple[str, float, str]] = []
    for who, run in itertools.groupby(segments, key=lambda s: s.speaker):
        segs = list(run)
        text = join_texts((s.text for s in segs), language)
        if text:
            turns.append((who or "?", segs[0].start, text))
    return turns


def speaker_cues(segments: Sequence[Segment], *, prefix: bool = False) -> list[tuple[str, Cue]]:
    """Subtitle cues with their speaker ("" when unknown). Without speakers: exactly
    ``subtitle_cues(segments)``. With speakers each turn is cued on its own (cues never mix
    two speakers) and later turns start after earlier ones end; ``prefix`` puts "Name: " at
    the start of each turn's text (SRT)."""
    if not has_speakers(segments):
        return [("", c) for c in subtitle_cues(segments)]
    out: list[tuple[str, Cue]] = []
    last = 0
    for who, run in itertools.groupby(segments, key=lambda s: s.speaker):
        segs = [s for s in run if s.text.strip()]
        if prefix and who and segs:
            segs[0] = replace(segs[0], text=f"{who}: {segs[0].text.strip()}")
        for cue in subtitle_cues(segs):
            start = max(cue.start_ms, last)
            end = max(cue.end_ms, start + 1)
            out.append((who, Cue(start, end, cue.lines)))
            last = end
    return out


def voice_of(body: str) -> tuple[str, str]:
    """A WebVTT cue text split into (speaker of its ``<v Name>`` span, text)."""
    m = _VOICE.match(body)
    if m is None:
        return "", body
    return m.group(1).strip(), _VOICE_END.sub(" ", body[m.end() :]).strip()


#: A speaker's name is one line of at most this many characters.
MAX_NAME = 40


def tidy_name(typed: str) -> str:
    """A typed speaker name on one line, its spaces tidied, cut to ``MAX_NAME`` characters."""
    return " ".join(typed.split())[:MAX_NAME].strip()


def new_name(old: str, typed: str) -> str | None:
    """What renaming ``old`` to ``typed`` gives (``tidy_name``); None when nothing would
    change (empty, or the same name)."""
    name = tidy_name(typed)
    return name if name and name != old else None


def legend(speakers_per_output: Iterable[Iterable[str]]) -> list[tuple[str, int]]:
    """The speakers of a document for its legend: (name, index of the first output that has
    the speaker: its colour is that output's), in order of first appearance, transcript
    first."""
    seen: dict[str, int] = {}
    for index, names in enumerate(speakers_per_output):
        for name in names:
            if name and name not in seen:
                seen[name] = index
    return list(seen.items())


def turns_within(segment: Segment, labelled: Iterable[Segment]) -> list[Segment]:
    """The segments of ``labelled`` that lie inside ``segment``'s times (what replaced it
    when Detect Speakers split it per speaker turn), in time order."""
    eps = 1e-3
    inside = (s for s in labelled if s.start >= segment.start - eps and s.end <= segment.end + eps)
    return sorted(inside, key=lambda s: s.start)


def longest_speaker(turns: Iterable[Segment]) -> str:
    """The speaker of the longest of ``turns`` ("" when there are none)."""
    longest = max(turns, key=lambda s: s.end - s.start, default=None)
    return longest.speaker if longest is not None else ""


def rename_speaker(segments: Iterable[Segment], old: str, new: str) -> list[Segment]:
    """Every segment of ``old`` now said by ``new`` (texts, times, user edits untouched)."""
    new = tidy_name(new)
    return [replace(s, speaker=new) if s.speaker == old else s for s in segments]


def turn_starts[K: Hashable](speakers: Iterable[tuple[K, str]]) -> dict[K, str]:
    """Where a speaker's turn begins, from (key, speaker) in document order (e.g. paragraph
    number, speaker of its first segment): the key of the first of each run of one speaker,
    with that speaker. An unlabelled ("") entry starts nothing but ends the run, so the
    speaker after it is named again."""
    out: dict[K, str] = {}
    previous = ""
    for key, who in speakers:
        if who and who != previous:
            out[key] = who
        previous = who
    return out
