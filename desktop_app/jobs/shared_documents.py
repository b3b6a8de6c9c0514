"""One opened document, shared by the pipeline worker, the page view and the thumbnail strip.

Each of them used to open a dropped document for itself (three opens before its summary showed).
Now the first to ask opens it and the others borrow the same `Document` while it is in use; the
few used last stay open for the next page the reader turns to. A file that changed on disk is a
new version (see `file_hash.file_version`) and is opened afresh.

PDF pages are rendered by a helper process (jobs/render_process.py) so MuPDF never holds the
window's GIL; a page the worker rendered for the OCR also gives the page view its preview.

Borrowers in different threads take turns with a document's pages (`BorrowedDocument.lock`):
Pillow decodes an image's frames with the GIL released, and one MuPDF document must not be
driven by two threads at once. The lock is held only while a page is loaded or rendered, never
while it is recognised, so the page view waits at most one page render for the worker.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from collections.abc import Callable

from PIL import Image

from desktop_app import errors
from desktop_app.file_hash import file_version
from desktop_app.ingest import DEFAULT_LIMITS, Document, SourcePage, open_document, render_pdf_page
from desktop_app.jobs.render_process import RenderProcess
from desktop_app.settings import IngestLimits

KEEP_OPEN = 3  # documents kept open once nobody uses them (the current one, the last ones looked at)
# The page view first shows a PDF page at this DPI (at the pipeline's only when zoomed in). The
# preview of a page the worker has rendered for the OCR is that render scaled down by Pillow (with
# the GIL released), not a second MuPDF render. MuPDF's own 96 dpi render of an A4 scan takes
# ~10-20 ms on an idle machine (below half the scan's resolution it decodes the JPEG at half size).
PREVIEW_DPI = 96
PREVIEWS_KEPT = 4  # per document (~2.7 MB each for A4): the pages the reader is likely to look at next


class _Entry:
    def __init__(self, document: Document, version: tuple, dpi: int, renderer: RenderProcess | None) -> None:
        self.document = document
        self.version = version  # of the file, as `file_hash.file_version` tells it
        self.dpi = dpi  # what PDF pages are rendered at
        self.renderer = renderer
        self.lock = document.lock
        self.users = 0
        self.previews: OrderedDict[int, Image.Image] = OrderedDict()  # page index -> preview (under `lock`)


class BorrowedDocument(Document):
    """The shared document as one borrower sees it: `close()` gives it back (once)."""

    def __init__(self, entry: _Entry, give_back: Callable[[], None]) -> None:
        shared = entry.document
        super().__init__(shared.path, shared.kind, shared.page_count, self._page_in_turn, self._give_back)
        self.lock = entry.lock  # the shared document's: hold it to use a page's `pdf_page` directly
        self._entry = entry
        self._shared = shared
        self._give_back_once: Callable[[], None] | None = give_back

    @property
    def sha256(self) -> str:
        return self._shared.sha256  # computed once for every borrower

    def _page_in_turn(self, index: int) -> SourcePage:
        with self.lock:
            page = self._shared.page(index)
        load = page._load

        def load_in_turn() -> Image.Image:
            with self.lock:
                if page.pdf_page is None:
                    return load()
                image = self.render(page, page.scale)
                self._keep_preview(page, image)
                return image

        return dataclasses.replace(page, _load=load_in_turn)

    def render(self, page: SourcePage, scale: float) -> Image.Image:
        """PDF `page` at `scale` (pixels per point), in the render helper when there is one (MuPDF then
        holds another process's GIL, not the window's), else here. Raises `errors.PageError`."""
        with self.lock:
            try:
                if self._entry.renderer is not None:
                    image = self._entry.renderer.render(str(self.path), self._entry.version, page.index, scale)
                    if image is not None:
                        return image
                return render_pdf_page(page.pdf_page, scale)  # in strips: the GIL is handed back between them
            except Exception:
                raise errors.PageError(page=page.index + 1, detail="the page could not be rendered") from None

    def preview(self, index: int) -> Image.Image | None:
        """PDF page `index` at about PREVIEW_DPI, if a borrower has rendered it whole (the worker
        does, for the OCR). Waits for a render of this document in progress."""
        with self.lock:
            return self._entry.previews.get(index)

    def _keep_preview(self, page: SourcePage, image: Image.Image) -> None:
        factor = PREVIEW_DPI / self._entry.dpi
        if factor >= 1:  # the page is rendered at the preview size or smaller: the view shows it as it is
            return
        size = (max(round(image.width * factor), 1), max(round(image.height * factor), 1))
        previews = self._entry.previews
        previews[page.index] = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        previews.move_to_end(page.index)
        while len(previews) > PREVIEWS_KEPT:
            previews.popitem(last=False)

    def _give_back(self) -> None:
        give_back, self._give_back_once = self._give_back_once, None
        if give_back is not None:
            give_back()


class SharedDocuments:
    """Opens documents once and lends them out. Thread-safe."""

    def __init__(self, keep_open: int = KEEP_OPEN, renderer: RenderProcess | None = None) -> None:
        self._keep_open = keep_open
        self.renderer = renderer  # None: PDF pages are rendered in this process
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self.opened = 0  # documents really opened so far (what sharing saves is measured with it)

    def open(self, path: str | os.PathLike, limits: IngestLimits = DEFAULT_LIMITS, dpi: int = 200) -> Document:
        """`ingest.open_document`, shared: the same errors, and `close()` (or `with`) gives it back."""
        try:
            key = (file_version(path), limits, dpi)
        except (OSError, ValueError):  # gone, or not a path at all: opening says exactly what is wrong
            return open_document(path, limits, dpi)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = _Entry(open_document(path, limits, dpi), key[0], dpi, self.renderer)
                self.opened += 1
                self._entries[key] = entry
            self._entries.move_to_end(key)
            entry.users += 1
            self._close_idle(self._keep_open)
        return BorrowedDocument(entry, lambda: self._give_back(entry))

    def close_unused(self) -> None:
        """Close every document nobody is using (at shutdown; tests)."""
        with self._lock:
            self._close_idle(0)

    def _give_back(self, entry: _Entry) -> None:
        with self._lock:
            entry.users -= 1
            self._close_idle(self._keep_open)

    def _close_idle(self, keep: int) -> None:
        """Close the unused documents beyond the `keep` used last (caller holds `_lock`)."""
        for key in list(self._entries)[:max(len(self._entries) - keep, 0)]:
            entry = self._entries[key]
            if entry.users == 0:
                del self._entries[key]
                with entry.lock:
                    entry.document.close()


SHARED = SharedDocuments(renderer=RenderProcess())  # the app's: the worker, the page view and the folder scan
