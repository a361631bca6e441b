"""The editor's document as plain data: text runs that remember which segment they came from.

The GUI keeps provenance on the characters themselves (a segment id per character run); this
module is the pure snapshot of that state. It turns the (possibly user-edited) runs back into
timed segments for srt/vtt export, and (de)serialises documents for autosave and restore.

Rules for export: a run of characters inserted from a segment keeps that segment's original
start/end times whatever the user does around or inside it. Text the user typed that belongs to
no segment is attached to the segment before it (or, before the first segment, to the first),
so nothing the user wrote is lost from subtitles and no timing is invented.
"""

from __future__ import annotations

import bisect
import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from app.core.errors import UsageError
from app.core.text.speakers import rename_speaker
from app.core.transcript import Segment, Task, TaskSpec, Timing, TranscriptResult

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Run:
    """Consecutive characters with the same provenance; ``segment_id`` None = typed by the user."""

    text: str
    segment_id: int | None = None


def merge_runs(runs: Iterable[Run]) -> list[Run]:
    """Join neighbouring runs with the same segment id and drop empty ones."""
    out: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if out and out[-1].segment_id == run.segment_id:
            out[-1] = Run(out[-1].text + run.text, run.segment_id)
        else:
            out.append(run)
    return out


def _clean(text: str) -> str:
    return " ".join(text.split())


def timed_segments(runs: Sequence[Run], segments: dict[int, Segment]) -> list[Segment]:
    """The document's current text cut into segments with their original times (see module doc)."""
    pieces: list[tuple[Segment, str]] = []
    prefix = ""
    for run in merge_runs(runs):
        seg = segments.get(run.segment_id) if run.segment_id is not None else None
        if seg is None:
            if pieces:
                last_seg, last_text = pieces[-1]
                pieces[-1] = (last_seg, last_text + run.text)
            else:
                prefix += run.text
            continue
        pieces.append((seg, prefix + run.text))
        prefix = ""
    out: list[Segment] = []
    for seg, text in pieces:
        cleaned = _clean(text)
        if cleaned:
            out.append(Segment(seg.start, seg.end, cleaned, seg.source, seg.speaker))
    return out


def segment_index_at(starts: Sequence[float], t: float) -> int:
    """Index of the last segment starting at or before ``t`` (0 when ``t`` precedes them all)."""
    if not starts:
        raise UsageError("No timed segments in this document.")
    return max(bisect.bisect_right(starts, t) - 1, 0)


def spec_to_dict(spec: TaskSpec) -> dict[str, Any]:
    return {
        "task": str(spec.task),
        "source_language": spec.source_language,
        "target_language": spec.target_language,
        "keywords": list(spec.keywords),
    }


def spec_from_dict(data: dict[str, Any]) -> TaskSpec:
    return TaskSpec(
        task=Task(data.get("task", "transcribe")),
        source_language=data.get("source_language"),
        target_language=data.get("target_language"),
        keywords=tuple(data.get("keywords", ())),
    )


@dataclass
class OutputText:
    """One pane: the transcript or one translation, with the segments its runs point to."""

    label: str = "Transcript"
    spec: TaskSpec = field(default_factory=TaskSpec)
    runs: list[Run] = field(default_factory=list)
    segments: dict[int, Segment] = field(default_factory=dict)
    #: What produced the text (JSON export): the model's name, the engine's work and time,
    #: and the source audio's duration (0 when unknown).
    model: str = ""
    timing: Timing = field(default_factory=Timing)
    duration: float = 0.0

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    def timed_segments(self) -> list[Segment]:
        return timed_segments(self.runs, self.segments)

    def rename_speaker(self, old: str, new: str) -> None:
        """Every segment of ``old`` is now said by ``new``; the (edited) text is untouched."""
        renamed = rename_speaker(self.segments.values(), old, new)
        self.segments = dict(zip(self.segments, renamed, strict=True))

    def as_result(self, source: str = "") -> TranscriptResult:
        """A result for ``app.core.text.export`` built from the edited text and the real timings."""
        segs = self.timed_segments()
        duration = self.duration or max((s.end for s in segs), default=0.0)
        return TranscriptResult(self.spec, segs, self.model, source, duration, replace(self.timing))

    def to_dict(self) -> dict[str, Any]:
        used = {r.segment_id for r in self.runs if r.segment_id is not None}
        return {
            "label": self.label,
            "spec": spec_to_dict(self.spec),
            "runs": [[r.text, r.segment_id] for r in merge_runs(self.runs)],
            "segments": {
                str(k): [s.start, s.end, s.text, s.source, *([s.speaker] if s.speaker else [])]
                for k, s in sorted(self.segments.items())
                if k in used
            },
            "model": self.model,
            "timing": asdict(self.timing),
            "duration": self.duration,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutputText:
        segments = {
            int(k): Segment(float(v[0]), float(v[1]), str(v[2]), str(v[3]), *map(str, v[4:5]))
            for k, v in data.get("segments", {}).items()
        }
        runs = [Run(str(t), None if sid is None else int(sid)) for t, sid in data.get("runs", [])]
        return cls(
            label=str(data.get("label", "Transcript")),
            spec=spec_from_dict(data.get("spec", {})),
            runs=runs,
            segments=segments,
            model=str(data.get("model", "")),
            timing=_timing_from(data.get("timing")),
            duration=float(data.get("duration", 0.0)),
        )


def _timing_from(data: object) -> Timing:
    if not isinstance(data, dict):
        return Timing()
    known = {f: data[f] for f in asdict(Timing()) if isinstance(data.get(f), int | float)}
    return Timing(**known)


def new_doc_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Document:
    """A tab: a title, the file it was saved to (if any), and one or more outputs side by side."""

    title: str = "Untitled"
    outputs: list[OutputText] = field(default_factory=lambda: [OutputText()])
    path: str | None = None
    source: str = ""
    modified: bool = False
    doc_id: str = field(default_factory=new_doc_id)
    created: float = field(default_factory=time.time)
    #: A file transcript whose job has not finished (quit, crash, cancel or failure).
    partial: bool = False

    @property
    def is_empty(self) -> bool:
        return all(not o.text.strip() for o in self.outputs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "doc_id": self.doc_id,
            "title": self.title,
            "path": self.path,
            "source": self.source,
            "modified": self.modified,
            "created": self.created,
            "partial": self.partial,
            "outputs": [o.to_dict() for o in self.outputs],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
            raise UsageError("Unknown autosave format.")
        outputs = [OutputText.from_dict(o) for o in data.get("outputs", [])] or [OutputText()]
        return cls(
            title=str(data.get("title", "Untitled")),
            outputs=outputs,
            path=data.get("path"),
            source=str(data.get("source", "")),
            modified=bool(data.get("modified", False)),
            doc_id=str(data.get("doc_id") or new_doc_id()),
            created=float(data.get("created", 0.0)),
            partial=bool(data.get("partial", False)),
        )


def document_text(doc: Document) -> str:
    """Plain text for Save (txt/md): one output as is; several as labelled sections."""
    if len(doc.outputs) == 1:
        return doc.outputs[0].text
    return "\n\n".join(f"[{o.label}]\n{o.text}" for o in doc.outputs)


def output_kind(spec: TaskSpec) -> tuple[Task, str | None]:
    """What an output holds, whatever its label says: the transcript, or a translation into
    one language. Dictation matches panes by kind (a typed note's pane is a transcript)."""
    return (spec.task, spec.target_language if spec.task is Task.TRANSLATE else None)


def output_label(spec: TaskSpec) -> str:
    if spec.task is Task.TRANSLATE and spec.target_language:
        from app.core.languages import name

        return f"Translation ({name(spec.target_language)})"
    return "Transcript"


def export_output(output: OutputText, fmt: str, source: str = "", title: str = "") -> str:
    """Render one output for Export: txt keeps the edited text as is; md keeps it too when it
    has no timed segments (else one timed paragraph per segment); srt/vtt/json use timings."""
    from app.core.text import export

    if fmt == "txt":
        text = output.text
        return text if text.endswith("\n") else text + "\n"
    if fmt == "md" and not output.timed_segments():
        return f"# {title or output.label}\n\n{output.text.strip()}\n"
    if fmt not in export.FORMATS:
        raise UsageError(
            f"Unknown export format '{fmt}'; choose one of {', '.join(export.FORMATS)}."
        )
    result = output.as_result(source)
    if fmt in ("srt", "vtt") and not result.segments:
        raise UsageError("Nothing to export with timings: this text has no transcribed segments.")
    if fmt == "md":
        return export.to_md(result, title or None)
    return export.render(result, fmt)


def collect_sources(
    paths: Iterable[str], is_supported: Callable[[str], bool]
) -> tuple[list[str], list[str]]:
    """Files to transcribe from dropped/opened paths, and one line per refused path.

    Folders are searched recursively (sorted; hidden entries and unsupported files inside
    them are skipped quietly); an unsupported file given directly is refused with a reason.
    Duplicates are dropped, the order is kept.
    """
    accepted: list[str] = []
    refused: list[str] = []

    def add(path: str) -> None:
        if path not in accepted:
            accepted.append(path)

    for raw in paths:
        path = os.path.abspath(raw)
        name = os.path.basename(path) or path
        if os.path.isdir(path):
            found = 0
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for file in sorted(files):
                    if not file.startswith(".") and is_supported(file):
                        add(os.path.join(root, file))
                        found += 1
            if not found:
                refused.append(f"{name}: no audio or video files in this folder.")
        elif not os.path.exists(path):
            refused.append(f"{name}: file not found.")
        elif not is_supported(path):
            ext = os.path.splitext(name)[1] or "no extension"
            refused.append(f"{name}: not a supported audio or video file ({ext}).")
        else:
            add(path)
    return accepted, refused
