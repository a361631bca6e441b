"""What the dictation controller keeps per utterance: the preview's partial region and each
submitted utterance's job (its panes, partial regions and, for an eager run, its results)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.dictation.endpointing import Utterance
from app.core.transcript import TaskSpec


@dataclass
class PreviewRegion:
    """The open utterance's preview: its stream id and (once text arrived) its partial."""

    stream: int
    pane: Any = None
    index: int = 0  # the task index of ``pane`` when it was chosen
    handle: int | None = None
    before: str = ""
    lent: bool = False  # an eager job shows its text in ``handle`` meanwhile


@dataclass
class PendingUtterance:
    utt: Utterance
    specs: tuple[TaskSpec, ...]
    panes: list[Any]
    source: str
    handles: dict[int, int] = field(default_factory=dict)  # task index -> partial handle
    before: dict[int, str] = field(default_factory=dict)  # task index -> text before it
    eager: bool = False  # an eager run not confirmed yet: show its text, do not commit it
    results: list[Any] | None = None  # an eager run's results, kept until it is confirmed


def text_before_insertion(pane: Any) -> str:
    """The pane's text left of where dictated text goes (cursor or end, per insertion mode)."""
    text = str(pane.document.toPlainText())
    if getattr(pane, "insertion_mode", "cursor") == "end":
        return text
    return text[: int(pane.editor.textCursor().selectionEnd())]


def lend(p: PreviewRegion, pending: PendingUtterance) -> bool:
    """Move the preview's partial to ``pending`` (same pane and task); else drop it."""
    handle, p.handle = p.handle, None
    if handle is None:
        return False
    i = p.index
    if i < len(pending.panes) and pending.panes[i] is p.pane and i not in pending.handles:
        pending.handles[i], pending.before[i] = handle, p.before
        return True
    p.pane.discard(handle)
    return False


def adopt(carry: PendingUtterance, pending: PendingUtterance) -> None:
    """``pending`` (the same utterance, longer) takes over a retracted run's regions in place."""
    for i, handle in carry.handles.items():
        if i < len(pending.panes) and pending.panes[i] is carry.panes[i]:
            pending.handles[i], pending.before[i] = handle, carry.before[i]
        else:
            carry.panes[i].discard(handle)
