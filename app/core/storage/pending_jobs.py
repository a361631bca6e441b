"""File jobs that have not finished, kept on disk so they come back after a quit or a crash.

One small JSON file (``pending_jobs.json`` beside the autosaved documents) lists every queued
or running file job: the file, what was asked (task specs, longest chunk), the autosaved
document it writes into and how far its text reaches (``done_until``, seconds). The next start
submits them again from ``done_until``: the chunks already transcribed are in the document.

Written atomically (temporary file, fsync, rename; 0600) at every change, so a kill leaves
the previous or the new list.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.storage.autosave_store import write_atomic
from app.core.text.document import spec_from_dict, spec_to_dict
from app.core.transcript import TaskSpec

log = logging.getLogger(__name__)

FILE_NAME = "pending_jobs.json"
SCHEMA = 1


@dataclass(frozen=True)
class PendingJob:
    path: str
    specs: tuple[TaskSpec, ...]
    max_chunk_s: float
    doc_id: str = ""
    done_until: float = 0.0
    created: float = field(default=0.0, compare=False)

    def advanced(self, until: float) -> PendingJob:
        return replace(self, done_until=max(self.done_until, until))

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "specs": [spec_to_dict(s) for s in self.specs],
            "max_chunk_s": self.max_chunk_s,
            "doc_id": self.doc_id,
            "done_until": self.done_until,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingJob:
        specs = tuple(spec_from_dict(s) for s in data["specs"])
        if not specs:
            raise ValueError("a pending job without outputs")
        return cls(
            str(data["path"]),
            specs,
            float(data["max_chunk_s"]),
            str(data.get("doc_id", "")),
            float(data.get("done_until", 0.0)),
        )


class PendingStore:
    """The list of unfinished file jobs in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE_NAME

    def save(self, jobs: Sequence[PendingJob]) -> None:
        if not jobs:
            self.path.unlink(missing_ok=True)
            return
        doc = {"schema": SCHEMA, "jobs": [j.to_dict() for j in jobs]}
        write_atomic(self.path, json.dumps(doc, ensure_ascii=False).encode("utf-8"))

    def load(self) -> tuple[list[PendingJob], str]:
        """The saved jobs, and a one-line message if the file was unreadable (then set aside)."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], ""
        except OSError as exc:
            return [], f"Could not read the unfinished files list: {exc.strerror or exc}."
        try:
            data = json.loads(raw)
            if data.get("schema") != SCHEMA:
                raise ValueError("unknown schema")
            return [PendingJob.from_dict(j) for j in data["jobs"]], ""
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("Unreadable %s: %s", self.path, exc)
            try:
                self.path.replace(self.path.with_name(self.path.name + ".corrupt"))
            except OSError:
                log.exception("Could not set aside %s", self.path)
            return [], "The list of unfinished files was damaged and was set aside."
