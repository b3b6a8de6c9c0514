"""Page images for the page view and the thumbnail strip, rendered off the GUI thread.

`PageImageLoader` renders one page at a time on a one-thread pool, so a long OCR job never
delays showing a page, and thumbnails on a second one, so they never delay (or replace) it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage

from desktop_app import errors
from desktop_app.cancel import CancelToken
from desktop_app.jobs.failures import log_unexpected, unexpected_message
from desktop_app.jobs.warm_up import shared_documents
from desktop_app.settings import EngineSettings


class _PageSignals(QObject):
    loaded = Signal(int, int, int, QImage, float)  # request id, page index, page count, image, scale
    failed = Signal(int, int, str)  # request id, page index, message
    thumbnail = Signal(int, int, QImage)  # document key, page index, image (null: could not be rendered)


THUMBNAIL_WIDTH = 96  # pixels; thumbnails of very tall pages are capped at 3× this height
THUMBNAIL_PAUSE_S = 0.005


def _qimage_from_rgb(data: bytes, width: int, height: int, stride: int) -> QImage:
    return QImage(data, width, height, stride, QImage.Format.Format_RGB888).copy()  # own the pixels


def _qimage_from_pil(image) -> QImage:
    rgb = image.convert("RGB")
    return _qimage_from_rgb(rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3)


@dataclass(frozen=True)
class _Request:
    """What to render: pages of the document at `path`, opened as the pipeline opens it (at its
    DPI, so page sizes and OCR boxes are in the same pixels) and shared with the worker."""

    signals: _PageSignals
    path: str
    settings: EngineSettings
    language: str

    def open(self):
        return shared_documents().open(self.path, self.settings.limits, self.settings.dpi)


class _RenderPage(QRunnable):
    def __init__(self, request: _Request, request_id: int, index: int, full: bool) -> None:
        super().__init__()
        self._request = request
        self._id = request_id
        self._index = index
        self._full = full

    def run(self) -> None:  # runs on the pool thread
        signals, language = self._request.signals, self._request.language
        try:
            with self._request.open() as document:
                count = document.page_count
                index = min(max(self._index, 0), count - 1)
                qimage, scale = self._render(document, document.page(index))
        except errors.EmrError as exc:
            signals.failed.emit(self._id, self._index, exc.message(language))
            return
        except Exception as exc:
            log_unexpected("page render", exc)
            signals.failed.emit(self._id, self._index, unexpected_message(language, exc))
            return
        signals.loaded.emit(self._id, index, count, qimage, scale)

    def _render(self, document, page) -> tuple[QImage, float]:
        """The page image and its scale (page pixels per image pixel)."""
        from desktop_app.jobs.shared_documents import PREVIEW_DPI

        dpi = self._request.settings.dpi
        if page.pdf_page is not None and dpi > PREVIEW_DPI and page.width and not self._full:
            # PDF pages are first shown at PREVIEW_DPI, and at the pipeline's only when zoomed in.
            rgb = document.preview(page.index)  # the worker's render, scaled down: no second MuPDF render
            if rgb is None:
                rgb = document.render(page, page.scale * PREVIEW_DPI / dpi)
            return _qimage_from_pil(rgb), page.width / max(rgb.width, 1)
        return _qimage_from_pil(page.image()), 1.0  # Pillow decodes without holding the GIL


class _RenderThumbnails(QRunnable):
    """Small images of some pages of one document, one signal per page, on the thumbnail pool.

    Stops between pages once `cancel` is set (the document is no longer shown). A page that cannot
    be rendered is reported with a null image, so the strip does not ask for it again.
    """

    def __init__(self, request: _Request, key: int, indices: list[int], width: int, cancel: CancelToken) -> None:
        super().__init__()
        self._request = request
        self._key = key
        self._indices = indices
        self._width = max(int(width), 8)
        self._cancel = cancel

    def run(self) -> None:  # runs on the thumbnail pool's thread
        wanted = set(self._indices)
        signals = self._request.signals
        try:
            with self._request.open() as document:
                for index in sorted(i for i in wanted if 0 <= i < document.page_count):
                    if self._cancel.cancelled:
                        break
                    wanted.discard(index)
                    signals.thumbnail.emit(self._key, index, self._render_or_null(document, index))
                    # MuPDF held the GIL while rendering: hand it to the GUI thread (and the OCR
                    # worker) before the next page, thumbnails are not worth a stall.
                    time.sleep(THUMBNAIL_PAUSE_S)
        except errors.EmrError:
            pass  # the page view shows the document's error; the thumbnails stay blank
        except Exception as exc:
            log_unexpected("thumbnail render", exc)
        if not self._cancel.cancelled:
            for index in sorted(wanted):
                signals.thumbnail.emit(self._key, index, QImage())

    def _render_or_null(self, document, index: int) -> QImage:
        try:
            return self._render(document, document.page(index))
        except errors.EmrError:
            return QImage()
        except Exception as exc:
            log_unexpected("thumbnail render", exc)
            return QImage()

    def _render(self, document, page) -> QImage:
        width, max_height = self._width, self._width * 3
        preview = document.preview(page.index) if page.pdf_page is not None else None
        if preview is not None:  # scaled from the worker's render, with the GIL released
            image = preview.copy()
            image.thumbnail((width, max_height))
            return _qimage_from_pil(image)
        if page.pdf_page is not None:
            points = page.width / page.scale, page.height / page.scale
            zoom = min(width / max(points[0], 1.0), max_height / max(points[1], 1.0))
            return _qimage_from_pil(document.render(page, zoom))  # MuPDF decodes a scan's JPEG at a reduced size
        image = page.image()  # Pillow decodes and resamples without holding the GIL
        image.thumbnail((width, max_height))
        return _qimage_from_pil(image)


class PageImageLoader(QObject):
    """Renders one page of a document on a pool thread; only the latest request is delivered.

    Thumbnails render on a second one-thread pool, so they never delay (or replace) the page
    image; only those of the document asked for last are delivered.
    """

    loaded = Signal(int, int, QImage, float)  # page index, page count, image, page pixels per image pixel
    failed = Signal(int, str)  # page index, message
    thumbnailLoaded = Signal(int, int, QImage)  # document key, page index, image (null: could not be rendered)

    def __init__(self, settings: EngineSettings, language: str = "en", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._language = language
        self._latest = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._thumb_pool = QThreadPool(self)
        self._thumb_pool.setMaxThreadCount(1)
        self._thumb_key: int | None = None
        self._thumb_cancel = CancelToken()
        self._signals = _PageSignals()
        self._signals.loaded.connect(self._on_loaded)
        self._signals.failed.connect(self._on_failed)
        self._signals.thumbnail.connect(self._on_thumbnail)

    def configure(self, settings: EngineSettings, language: str) -> None:
        self._settings = settings
        self._language = language

    def request(self, path: str, index: int, full: bool = False) -> None:
        """Render page `index`; `full` = at the pipeline's DPI (for zooming in), else a preview."""
        self._latest += 1
        self._pool.clear()  # drop renders nobody will look at
        self._pool.start(_RenderPage(self._request(path), self._latest, index, full))

    def request_thumbnails(self, key: int, path: str, indices: list[int], width: int = THUMBNAIL_WIDTH) -> None:
        """Render small images of pages `indices` of document `key` (the strip asks for the rows
        on screen). Asking for another document drops the previous one's queued and running work."""
        if key != self._thumb_key:
            self.cancel_thumbnails()
            self._thumb_key = key
        if indices:
            self._thumb_pool.start(_RenderThumbnails(self._request(path), key, list(indices), width,
                                                     self._thumb_cancel))

    def _request(self, path: str) -> _Request:
        return _Request(self._signals, path, self._settings, self._language)

    def cancel_thumbnails(self) -> None:
        self._thumb_cancel.cancel()
        self._thumb_cancel = CancelToken()
        self._thumb_pool.clear()
        self._thumb_key = None

    def cancel(self) -> None:
        self._latest += 1
        self._pool.clear()

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        self.cancel()
        self.cancel_thumbnails()
        self._pool.waitForDone(timeout_ms)
        self._thumb_pool.waitForDone(timeout_ms)

    @Slot(int, int, int, QImage, float)
    def _on_loaded(self, request: int, index: int, count: int, image: QImage, scale: float) -> None:
        if request == self._latest:
            self.loaded.emit(index, count, image, scale)

    @Slot(int, int, str)
    def _on_failed(self, request: int, index: int, message: str) -> None:
        if request == self._latest:
            self.failed.emit(index, message)

    @Slot(int, int, QImage)
    def _on_thumbnail(self, key: int, index: int, image: QImage) -> None:
        if key == self._thumb_key:
            self.thumbnailLoaded.emit(key, index, image)
