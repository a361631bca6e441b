"""Autosave files: one JSON file per open document, written atomically, restored on start.

A write goes to a temporary file in the same folder, is flushed and fsync'ed, then renamed over
the old file, so a crash or SIGKILL at any moment leaves either the previous or the new version.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from app.core.errors import UsageError
from app.core.storage import atomic, paths
from app.core.text.document import Document

log = logging.getLogger(__name__)

SUFFIX = ".autosave.json"


def default_autosave_dir() -> Path:
    """``data/transcripts`` in the app's data folder
    (:func:`app.core.storage.paths.autosave_dir`)."""
    return paths.autosave_dir()


def write_atomic(path: Path, data: bytes) -> None:
    """Durable and private (``app.core.storage.atomic``)."""
    atomic.write_bytes_atomic(path, data)


class AutosaveStore:
    """Save, remove and restore documents in one folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_autosave_dir()
        atomic.clean_stale_temps(self.folder)

    def path_for(self, doc_id: str) -> Path:
        if not doc_id or not all(c.isalnum() or c in "-_" for c in doc_id):
            raise UsageError(f"Invalid document id '{doc_id}'.")
        return self.folder / f"{doc_id}{SUFFIX}"

    def save(self, doc: Document) -> Path:
        path = self.path_for(doc.doc_id)
        payload = json.dumps(doc.to_dict(), ensure_ascii=False).encode("utf-8")
        write_atomic(path, payload)
        return path

    def remove(self, doc_id: str) -> None:
        self.path_for(doc_id).unlink(missing_ok=True)

    def load_all(self) -> tuple[list[Document], list[str]]:
        """Every readable autosaved document (oldest first) and one message per unreadable file.

        An unreadable file is renamed to ``*.corrupt`` so it is reported once, never deleted.
        """
        docs: list[Document] = []
        problems: list[str] = []
        if not self.folder.is_dir():
            return docs, problems
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            try:
                docs.append(Document.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError, IndexError, UsageError) as exc:
                log.warning("Unreadable autosave %s: %s", path, exc)
                problems.append(f"Could not restore {path.name}: it is damaged and was set aside.")
                try:
                    path.replace(path.with_name(path.name + ".corrupt"))
                except OSError:
                    log.exception("Could not set aside %s", path)
        docs.sort(key=lambda d: d.created)
        return docs, problems
