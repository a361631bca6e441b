"""Autosave glue: a short single-shot timer after any edit writes the changed documents.

The timer starts at the first change and is not restarted by later ones, so a document is on
disk at most ``delay_ms`` after any change even while the user keeps typing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.core.storage.autosave_store import AutosaveStore
from app.ui.editor.document_tabs import DocumentView

log = logging.getLogger(__name__)

DEFAULT_DELAY_MS = 1000


class AutosaveController(QObject):
    saved = Signal(str)  # doc_id, after each write
    failed = Signal(str)  # one-line message

    def __init__(
        self, store: AutosaveStore, delay_ms: int = DEFAULT_DELAY_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._dirty: dict[str, DocumentView] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._failing = False

    @Slot(object)
    def mark_dirty(self, view: DocumentView) -> None:
        self._dirty[view.doc_id] = view
        if not self._timer.isActive():
            self._timer.start()

    @Slot(object)
    def forget(self, view: DocumentView) -> None:
        """A closed document: drop its autosave."""
        self._dirty.pop(view.doc_id, None)
        try:
            self.store.remove(view.doc_id)
        except OSError as exc:
            log.warning("Could not remove autosave of %s: %s", view.title, exc)

    @Slot()
    def flush(self) -> None:
        dirty, self._dirty = self._dirty, {}
        for view in dirty.values():
            try:
                doc = view.to_document()
                if doc.is_empty and not doc.path:
                    self.store.remove(doc.doc_id)
                else:
                    self.store.save(doc)
                self._failing = False
                self.saved.emit(doc.doc_id)
            except OSError as exc:
                if not self._failing:
                    self.failed.emit(f"Autosave failed: {exc.strerror or exc}.")
                self._failing = True
                self._dirty[view.doc_id] = view
        if self._dirty and not self._timer.isActive():
            self._timer.start()

    @property
    def pending(self) -> bool:
        return bool(self._dirty)
