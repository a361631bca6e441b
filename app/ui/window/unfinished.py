"""File jobs a quit or a crash interrupted: listed on disk by ``FileJobs`` (``PendingStore``),
submitted again here once the model is ready, each into its autosaved tab and from where its
text reaches."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtCore import QObject, Slot

from app.core.storage.pending_jobs import PendingJob, PendingStore
from app.ui.editor.document_tabs import DocumentTabs, DocumentView
from app.ui.window.file_jobs import FileJobs

log = logging.getLogger(__name__)


class Resumer(QObject):
    """Loads the unfinished jobs at start and resumes them at the first "ready" model state."""

    def __init__(
        self,
        jobs: FileJobs,
        tabs: DocumentTabs,
        store: PendingStore,
        say: Callable[[str], None],
        warn: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs, self._tabs, self._say, self._warn = jobs, tabs, say, warn
        self.waiting, problem = store.load()
        if problem:
            warn(problem)
        if self.waiting:
            say(f"{len(self.waiting)} unfinished file(s) resume once the model is ready.")

    @Slot(str, str)
    def on_model_state(self, state: str, _message: str) -> None:
        if state == "ready" and self.waiting:
            self.resume_all()

    def resume_all(self) -> list[int]:
        waiting, self.waiting = self.waiting, []
        ids: list[int] = []
        gone: list[str] = []
        for pending in waiting:
            if not os.path.isfile(pending.path):
                gone.append(os.path.basename(pending.path))
                continue
            ids.append(self._jobs.resume(pending, self._view_for(pending)))
        if gone:
            self._warn(f"{', '.join(gone)}: the file is gone; the text done so far is kept.")
        if ids:
            self._say(f"Resuming {len(ids)} unfinished file(s).")
        return ids

    def _view_for(self, pending: PendingJob) -> DocumentView | None:
        return next((v for v in self._tabs.views() if v.doc_id == pending.doc_id), None)
