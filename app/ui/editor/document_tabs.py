"""Tabs of documents. A tab (``DocumentView``) holds one pane, or several side by side."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.core.text.document import Document, OutputText, output_kind, output_label
from app.core.text.speakers import legend, new_name
from app.core.transcript import TaskSpec
from app.ui.editor.speaker_legend import SpeakerLegend
from app.ui.editor.transcript_pane import TranscriptPane
from app.ui.editor.translation_view import TranslationView

log = logging.getLogger(__name__)


class DocumentView(QWidget):
    """One document: its metadata plus a ``TranslationView`` with one column per output."""

    changed = Signal(object)  # self
    filesDropped = Signal(list)
    keywordRequested = Signal(str)
    playRequested = Signal(str, float)  # source file, seconds (a time in the gutter clicked)

    def __init__(self, doc: Document | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        doc = doc or Document()
        self.doc_id, self.title, self.path = doc.doc_id, doc.title, doc.path
        self.source, self.created = doc.source, doc.created
        self.modified = doc.modified
        self.partial = doc.partial
        self.insertion_mode = "cursor"
        self.text_font: tuple[str, int] | None = None
        self.view = TranslationView(self)
        self.legend = SpeakerLegend(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend)
        layout.addWidget(self.view, 1)
        self.view.textEdited.connect(self._on_edited)
        self.legend.renamed.connect(self.rename_speaker)
        self.view.filesDropped.connect(self.filesDropped)
        self.view.keywordRequested.connect(self.keywordRequested)
        for output in doc.outputs:
            self.add_output(output.label, output.spec).load_output(output)
        self.modified = doc.modified  # loading is not an edit
        self.update_legend()

    @property
    def panes(self) -> list[TranscriptPane]:
        return self.view.panes

    def add_output(self, label: str, spec: TaskSpec) -> TranscriptPane:
        pane = self.view.add_pane(label, spec)
        if self.source:  # a file transcript: times on by default, a click plays from there
            pane.show_timestamps(True)
            pane.timeClicked.connect(self._on_time_clicked)
        pane.insertion_mode = self.insertion_mode
        if self.text_font is not None:
            pane.set_text_font(*self.text_font)
        return pane

    def set_text_font(self, family: str, size: int) -> None:
        self.text_font = (family, size)
        for pane in self.panes:
            pane.set_text_font(family, size)

    def set_insertion_mode(self, mode: str) -> None:
        self.insertion_mode = mode
        for pane in self.panes:
            pane.insertion_mode = mode

    def ensure_outputs(self, specs: Sequence[TaskSpec]) -> list[TranscriptPane] | None:
        """The panes for ``specs`` (adding missing ones); None if this document cannot hold them.

        An empty single-pane document takes any set of outputs; otherwise the existing panes
        must hold the same kinds of output in order (``output_kind``: a typed note, an opened
        file and a file transcript are all transcripts); extra specs add panes.
        """
        kinds = [output_kind(s) for s in specs]
        if self.is_empty() and len(self.panes) == 1:
            self.panes[0].label, self.panes[0].spec = output_label(specs[0]), specs[0]
        current = [output_kind(p.spec) for p in self.panes]
        if current[: len(kinds)] != kinds[: len(current)]:
            return None
        for spec in specs[len(current) :]:
            self.add_output(output_label(spec), spec)
        return self.panes[: len(kinds)]

    def is_empty(self) -> bool:
        return all(not p.editor.toPlainText() and not p.open_partials() for p in self.panes)

    def current_pane(self) -> TranscriptPane:
        return self.view.focused_pane() or self.panes[0]

    def to_document(self) -> Document:
        outputs: list[OutputText] = [p.to_output() for p in self.panes]
        return Document(
            title=self.title,
            outputs=outputs,
            path=self.path,
            source=self.source,
            modified=self.modified,
            doc_id=self.doc_id,
            created=self.created,
            partial=self.partial,
        )

    def display_title(self) -> str:
        return ("• " if self.modified else "") + self.title + (" (partial)" if self.partial else "")

    @Slot(float)
    def _on_time_clicked(self, seconds: float) -> None:
        self.playRequested.emit(self.source, seconds)

    def set_title(self, title: str) -> None:
        if title != self.title:
            self.title = title
            self.changed.emit(self)

    def set_partial(self, partial: bool) -> None:
        """Mark a file transcript whose job has not finished (shown in the tab, autosaved)."""
        if partial != self.partial:
            self.partial = partial
            self.changed.emit(self)

    @Slot()
    def _on_edited(self) -> None:
        self.modified = True
        self.update_legend()
        self.changed.emit(self)

    def update_legend(self) -> None:
        """The legend lists the speakers present in any column, in each one's colour."""
        panes = self.panes
        names = legend(pane.speakers() for pane in panes)
        self.legend.set_speakers([(n, panes[i].speaker_colours.colour(n)) for n, i in names])

    @Slot(str, str)
    def rename_speaker(self, old: str, new: str) -> None:
        """``old`` becomes ``new`` (one tidy line, ``new_name``) in every column and so in
        the exports; edits are kept. An empty or unchanged name does nothing."""
        name = new_name(old, new)
        if name is None:
            return
        for pane in self.panes:
            pane.rename_speaker(old, name)

    def mark_saved(self, path: str) -> None:
        self.path, self.modified = path, False
        self.title = os.path.basename(path)
        self.changed.emit(self)


class DocumentTabs(QTabWidget):
    """The centre of the window. Emits ``documentChanged`` for every edit in any tab."""

    documentChanged = Signal(object)  # DocumentView
    documentClosed = Signal(object)  # DocumentView (already removed)
    playRequested = Signal(str, float)  # source file, seconds
    filesDropped = Signal(list)
    keywordRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Documents")
        self.setDocumentMode(True)
        self.setTabsClosable(True)
        self.setMovable(True)
        self.tabCloseRequested.connect(self._on_close_requested)
        self.insertion_mode = "cursor"
        self.text_font: tuple[str, int] | None = None
        #: Asked before a tab closes (the window asks about unsaved text).
        self.can_close: Callable[[DocumentView], bool] = lambda _view: True

    def views(self) -> list[DocumentView]:
        return [v for i in range(self.count()) if isinstance(v := self.widget(i), DocumentView)]

    def current_view(self) -> DocumentView | None:
        widget = self.currentWidget()
        return widget if isinstance(widget, DocumentView) else None

    def open_document(self, doc: Document | None = None, *, focus: bool = True) -> DocumentView:
        view = DocumentView(doc, self)
        view.set_insertion_mode(self.insertion_mode)
        if self.text_font is not None:
            view.set_text_font(*self.text_font)
        view.changed.connect(self._on_view_changed)
        view.filesDropped.connect(self.filesDropped)
        view.keywordRequested.connect(self.keywordRequested)
        view.playRequested.connect(self.playRequested)
        index = self.addTab(view, view.display_title())
        self.setTabToolTip(index, view.path or view.title)
        if focus:
            self.setCurrentIndex(index)
        return view

    def set_insertion_mode(self, mode: str) -> None:
        self.insertion_mode = mode
        for view in self.views():
            view.set_insertion_mode(mode)

    def set_text_font(self, family: str, size: int) -> None:
        self.text_font = (family, size)
        for view in self.views():
            view.set_text_font(family, size)

    def close_view(self, view: DocumentView) -> None:
        index = self.indexOf(view)
        if index < 0:
            return
        self.removeTab(index)
        self.documentClosed.emit(view)
        view.deleteLater()

    def request_close(self, view: DocumentView) -> bool:
        """Close ``view`` unless ``can_close`` says no; True when it was closed."""
        if not self.can_close(view):
            return False
        self.close_view(view)
        return True

    @Slot(int)
    def _on_close_requested(self, index: int) -> None:
        widget = self.widget(index)
        if isinstance(widget, DocumentView):
            self.request_close(widget)

    @Slot(object)
    def _on_view_changed(self, view: DocumentView) -> None:
        index = self.indexOf(view)
        if index >= 0:
            self.setTabText(index, view.display_title())
            self.setTabToolTip(index, view.path or view.title)
        self.documentChanged.emit(view)
