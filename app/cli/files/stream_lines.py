"""``transcribe --stream``: each segment on stdout as soon as it is transcribed, as
``[start-end] text`` (like ``listen``), while the chosen formats are still written at the end.
The model thread queues the segments; the command's main loop prints them in order."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from app.cli.listen import format_line
from app.core.text.rules import Rule, apply_rules
from app.core.transcript import Segment
from app.workers.listener import QueueListener


@dataclass(frozen=True)
class SegmentEvent:
    job_id: int
    segment: Segment


class SegmentLines(QueueListener):
    """A ``QueueListener`` that also queues the first task's segments when ``stream`` is on."""

    def __init__(self, stream: bool = False, rules: Sequence[Rule] = ()) -> None:
        super().__init__()
        self.stream = stream
        self.rules = tuple(rules)

    def job_segment(self, job_id: int, task_index: int, segment: Segment) -> None:
        if self.stream and task_index == 0:
            self.q.put(SegmentEvent(job_id, segment))

    def print_line(self, event: SegmentEvent, out: TextIO | None = None) -> None:
        seg = event.segment
        text = apply_rules(seg.text, self.rules) if self.rules else seg.text
        stream = out if out is not None else sys.stdout
        stream.write(format_line(seg.start, seg.end, text) + "\n")
        stream.flush()
