"""Committing a finished utterance's results into its panes (GUI thread).

Per task: the text is post-processed against the text before it (rules, spoken commands,
keywords kept: ``app.core.text.postprocess``), then committed as a segment in the partial
region the job's text was shown in, or that region is dropped when nothing is left. The first
task decides for all: "scratch that" removes the previous utterance first, a lone spoken mark
replaces its final mark, and an utterance that was only a command commits nothing anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from app.core.dictation.regions import PendingUtterance, UtteranceRegions
from app.core.text.postprocess import MARKS, TextContext, postprocess
from app.core.transcript import Segment, TaskSpec
from app.ui.dictation.last_dictation import LastDictation


@dataclass
class Committed:
    segment: Segment | None = None  # the first task's text, if it was committed
    trimmed: bool = False  # the previous utterance's final mark was replaced
    placed: list[tuple[Any, int]] = field(default_factory=list)  # (pane, segment id)


def commit_results(
    pending: PendingUtterance,
    results: list[Any],
    regions: UtteranceRegions,
    context: Callable[[TaskSpec], TextContext],
    last: LastDictation,
    undo_last: Callable[[], bool],
) -> Committed:
    out = Committed()
    utt = pending.utt
    dropped = False  # the first task's text was only a command ("scratch that")
    for index, result in enumerate(results):
        pane = pending.pane(index)
        if pane is None:
            continue
        text = str(result.text)
        handle = regions.open(pending, index, pane)
        spec = pending.specs[index] if index < len(pending.specs) else TaskSpec()
        edit = postprocess(text, pending.before[index], context(spec))
        if index == 0 and edit.scratch_previous:
            undo_last()
        if index == 0 and edit.replace_mark and last.trim_mark(MARKS):
            edit = replace(edit, text=edit.text.lstrip(" "))
            out.trimmed = True
        dropped = dropped or (index == 0 and bool(text.strip()) and not edit.text)
        if not edit.text.strip(" ") or dropped:
            pane.discard(handle)
            continue
        segment = Segment(utt.start, utt.end, edit.text, pending.source)
        out.placed.append((pane, pane.commit(handle, segment)))
        if index == 0:
            out.segment = segment
    return out
