"""The main window's page side: which page image is asked for, the thumbnail strip, and the
evidence of a field or a lab result shown on the page and in the text.

A mixin of `MainWindow` (its `tr()` context stays "MainWindow"). Page images come from the
`PageImageLoader` (pool thread); this code only asks for them and places what arrives.
"""

from __future__ import annotations

from PySide6.QtGui import QImage

from desktop_app.models import FOUND
from desktop_app.ui.doubt_cues import page_doubt_boxes
from desktop_app.ui.review_queue import FAILED, DocumentSession, in_language


class WindowPages:
    _page_requested: int | None = None  # the document whose first page was asked for

    def _show_page(self, session: DocumentSession, changed: bool, warnings: list) -> None:
        """The page side of `show_document`: the page (asked for once per document), its boxes,
        doubt tints and the thumbnail strip."""
        result = session.result
        if session.status == FAILED and (result is None or not result.pages):
            self.page_view.clear()
            self.page_view.show_message(session.error)
        elif changed or (not self.page_view.has_image() and self._page_requested != session.key):
            self.page_view.clear()
            self.page_view.reset_zoom()  # each document opens at fit-width, at its top
            self.page_view.show_message(self.tr("Loading page…"))
            self._page_requested = session.key
            self.loader.request(session.path, 0)
        if not changed:
            self.page_view.set_highlights({})
        self._show_thumbnails(session, changed)
        # The page on screen stays (no second render); only its boxes change.
        blocks = {p.index: [tuple(b.bbox) for b in p.blocks] for p in result.pages} if result else {}
        self.page_view.set_blocks(blocks)
        doubts_apply = result is not None and session.summary_text == result.text  # offsets into what the page shows
        self.page_view.set_doubts(page_doubt_boxes(result.pages, warnings) if doubts_apply else {})

    def _show_thumbnails(self, session: DocumentSession, changed: bool) -> None:
        """The strip for `session`; before its first page is shown the page count may be unknown."""
        result = session.result
        if changed:
            self.loader.cancel_thumbnails()  # the previous document's thumbnails are not wanted any more
        if session.status == FAILED and (result is None or not result.pages):
            self.thumbnails.set_document(None, 0)
        elif result is not None:
            self.thumbnails.set_document(session.key, result.page_count)
        elif changed:
            self.thumbnails.set_document(None, 0)  # until the first page tells the count
        self._show_failed_pages(session)
        self.thumbnails.set_highlighted_pages(set())
        if self.page_view.current_index() >= 0:
            self.thumbnails.set_current(self.page_view.current_index())

    def _show_failed_pages(self, session: DocumentSession) -> None:
        """The strip marks the pages that could not be read; the tooltip says why, in the UI language."""
        pages = session.result.pages if session.result is not None else []
        self.thumbnails.set_failed_pages({p.index: in_language(p.error_messages, self.ui_language) or p.error or ""
                                          for p in pages if p.status == "failed"})

    def highlight_result(self, row: int) -> None:
        """Show where a lab result came from: its cells' boxes on the page."""
        results = self.results_panel.results()
        if 0 <= row < len(results):
            self._highlight_evidence(results[row].evidence)

    def highlight_field(self, name: str) -> None:
        """Show where a field came from: its spans in the text and its boxes on the page."""
        session = self._current_session()
        if session is None or session.summary is None:
            return
        summary_field = self._shown_fields(session)[0][name]
        self._highlight_evidence(summary_field.evidence if summary_field.status == FOUND else [])

    def _highlight_evidence(self, evidence: list) -> None:
        session = self._current_session()
        if session is None:
            return
        if self.text_view.text() == session.summary_text:
            self.text_view.highlight([(ev.start, ev.end) for ev in evidence])
        else:
            self.text_view.clear_highlight()
        highlights: dict[int, list] = {}
        for ev in evidence:
            if ev.page is not None and ev.boxes:
                highlights.setdefault(ev.page, []).extend(tuple(box) for box in ev.boxes)
        first = next((ev for ev in evidence if ev.page is not None and ev.boxes), None)
        focus = (first.page, tuple(first.boxes[0])) if first is not None else None
        self.page_view.set_highlights(highlights, focus=focus)
        self.thumbnails.set_highlighted_pages(set(highlights))
        if focus is not None and self.page_view.current_index() != focus[0]:
            self._request_page(focus[0])

    def _request_page(self, index: int) -> None:
        session = self._current_session()
        if session is None:
            return
        count = self.page_view.page_count() or (session.result.page_count if session.result else 1)
        if 0 <= index < max(count, 1):
            self.loader.request(session.path, index)

    def _request_detail(self, index: int) -> None:
        session = self._current_session()
        if session is not None:
            self.loader.request(session.path, index, full=True)

    def _on_page_loaded(self, index: int, count: int, image: QImage, scale: float) -> None:
        if self._current_session() is not None:
            # The strip first, laid out at once: the page is then fitted and painted once, at its final width.
            self.thumbnails.set_document(self._current, count)
            self.page_area.layout().activate()
            self.page_view.set_image(index, count, image, scale)
            self.thumbnails.set_current(index)

    def _request_thumbnails(self, key: int, indices: list) -> None:
        session = self.sessions.get(key)
        if session is not None and key == self._current:
            self.loader.request_thumbnails(key, session.path, indices, width=self.thumbnails.pixel_width())

    def _on_page_failed(self, index: int, message: str) -> None:
        if self._current_session() is not None:
            self.page_view.show_message(message)
