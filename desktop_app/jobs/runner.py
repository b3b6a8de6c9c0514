"""Runs pipeline jobs off the GUI thread.

One long-lived `PipelineWorker` lives in a `QThread` and owns the `Pipeline`, so engines (and
models) load there, lazily, once. The GUI talks to it only through queued signals; results come
back as signals keyed by a job id. Cancellation is a `CancelToken` the GUI sets directly (a
`threading.Event`), checked by the pipeline between pages and by model engines between tokens.
The thread is never terminated: `shutdown()` cancels, quits the event loop and waits.

Page images for the page view are rendered by `PageImageLoader` on a separate small pool, so a
long OCR job never delays showing a page.

No note text is logged here: only job ids, error codes and timings.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Qt, QThread, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage

from desktop_app import errors
from desktop_app.jobs.cancel import CancelToken
from desktop_app.settings import EngineSettings

log = logging.getLogger(__name__)

# (settings, ui_language) -> a Pipeline. Tests inject fake engines through this.
PipelineFactory = Callable[[EngineSettings, str], object]


_IMPORT_LOCK = threading.Lock()


def import_pipeline_modules() -> None:
    """Import the pipeline (PyMuPDF, NumPy, ...) off the GUI thread, one thread at a time (the
    worker's warm-up and the page renderer may both ask first; NumPy's first import is not
    meant to run twice concurrently)."""
    with _IMPORT_LOCK:
        import desktop_app.pipeline  # noqa: F401


def default_pipeline_factory(settings: EngineSettings, ui_language: str):
    import_pipeline_modules()  # in the worker thread: keeps start-up light
    from desktop_app.pipeline import Pipeline

    return Pipeline(settings, ui_language=ui_language)


class _SignalProgress:
    """The pipeline's `ProgressSink`, forwarding to a worker signal (queued to the GUI)."""

    def __init__(self, worker: PipelineWorker, job_id: int) -> None:
        self._worker = worker
        self._job_id = job_id

    def update(self, stage: str, done: int, total: int) -> None:
        self._worker.progress.emit(self._job_id, stage, int(done), int(total))


class PipelineWorker(QObject):
    """Lives in the worker thread. Every slot runs there; every signal is queued to the GUI."""

    started = Signal(int)  # job id
    progress = Signal(int, str, int, int)  # job id, stage, done, total
    finished = Signal(int, object)  # job id, DocumentResult
    summarized = Signal(int, object)  # job id, Summary (from "Summarize again")
    failed = Signal(int, str, object)  # job id, error code, {"en": message, "zh": message}
    cancelled = Signal(int)
    warmed_up = Signal()
    history_state = Signal(bool, str)  # history open?, and why not (empty when off by choice)

    def __init__(self, factory: PipelineFactory, settings: EngineSettings, ui_language: str) -> None:
        super().__init__()
        self._factory = factory
        self._settings = settings
        self._ui_language = ui_language
        self._pipeline = None
        self._history = None  # privacy.history.History, opened in this thread when the user keeps history
        self._history_path: Path | None = None

    def _get_pipeline(self):
        if self._pipeline is None:
            self._pipeline = self._factory(self._settings, self._ui_language)
        return self._pipeline

    @Slot()
    def warm_up(self) -> None:
        """Import the pipeline now, and start the embedded OCR engine (its import and session
        creation hold the GIL in bursts), so the first document neither waits for them nor
        stalls the window. Model engines are not loaded here: they load on first use."""
        try:
            import_pipeline_modules()
            from desktop_app.ocr import registry as ocr_registry

            spec = ocr_registry.resolve(self._settings)
            if "embedded" in spec.aliases:  # never a model engine: those load on first use
                engine = self._get_pipeline().ocr_engine()
                if engine.name == spec.name:  # not an engine injected by a test
                    _warm_ocr(engine)
        except Exception as exc:  # a problem shows up, with its message, on the first job
            _log_unexpected("warm-up", exc)
        self.warmed_up.emit()

    @Slot(object, str)
    def configure(self, settings: EngineSettings, ui_language: str) -> None:
        """New settings take effect from the next job. Engines reload (lazily) only when an
        engine setting changed; the languages are switched on the loaded pipeline."""
        def engines(value: EngineSettings) -> EngineSettings:
            return replace(value, output_language=None)

        engines_changed = engines(settings) != engines(self._settings)
        self._settings = settings
        self._ui_language = ui_language
        if engines_changed:
            self._pipeline = None
        elif self._pipeline is not None:
            pipeline = self._pipeline
            pipeline.settings = replace(pipeline.settings, output_language=settings.output_language)
            pipeline.ui_language = ui_language

    @Slot(int, str, object)
    def run(self, job_id: int, path: str, cancel: CancelToken) -> None:
        if cancel.cancelled:
            self.cancelled.emit(job_id)
            return
        self.started.emit(job_id)
        try:
            result = self._get_pipeline().run(path, progress=_SignalProgress(self, job_id), cancel=cancel)
        except errors.Cancelled:
            log.info("job %d cancelled", job_id)
            self.cancelled.emit(job_id)
            return
        except errors.EmrError as exc:  # e.g. an engine that cannot run here
            log.info("job %d failed: %s", job_id, exc.code)
            self.failed.emit(job_id, exc.code, _messages(exc))
            return
        except Exception as exc:  # a bug must not take the app down; the queue goes on
            _log_unexpected(f"job {job_id}", exc)
            self.failed.emit(job_id, "unexpected", _unexpected_messages(exc))
            return
        self._keep_in_history(result)
        self.finished.emit(job_id, result)

    # --- the optional encrypted history (privacy/history.py), used only in this thread ----------

    @Slot(object)
    def set_history(self, db_path: object) -> None:
        """Open the history at `db_path` (which purges expired entries), or close it (None)."""
        self.close_history()
        self._history_path = Path(db_path) if db_path is not None else None
        if self._history_path is None:
            self.history_state.emit(False, "")
            return
        from desktop_app.privacy import history

        try:
            self._history = history.History.open(self._history_path)
        except errors.EmrError as exc:  # no secure keyring, or the key is gone
            self.history_state.emit(False, exc.message(self._ui_language))
            return
        except Exception as exc:  # a damaged database or an unreadable folder: history stays off
            _log_unexpected("history open", exc)
            self.history_state.emit(False, _unexpected(self._ui_language, exc))
            return
        self.history_state.emit(True, "")

    @Slot(object)
    def delete_history(self, db_path: object) -> None:
        """"Delete all history" at `db_path`: every entry, the database files and the key; a
        history that is on starts again empty, under a new key."""
        from desktop_app.privacy import history

        was_on = self._history_path
        self.close_history()
        try:
            history.delete_stored(Path(db_path))
        except OSError as exc:
            _log_unexpected("history delete", exc)
        if was_on is not None:
            self.set_history(was_on)

    @Slot()
    def close_history(self) -> None:
        if self._history is not None:
            try:
                self._history.close()
            except Exception:  # already closed
                pass
            self._history = None

    def _keep_in_history(self, result) -> None:
        if self._history is None or not getattr(result, "ok", False):
            return
        import json
        from dataclasses import asdict

        try:
            record = json.loads(json.dumps(asdict(result), ensure_ascii=False, default=str))
            self._history.add(record)
        except Exception as exc:  # history must never cost the user the result
            _log_unexpected("history write", exc)
            self.close_history()
            self.history_state.emit(False, _unexpected(self._ui_language, exc))

    @Slot(int, str, object)
    def summarize(self, job_id: int, text: str, cancel: CancelToken) -> None:
        if cancel.cancelled:
            self.cancelled.emit(job_id)
            return
        self.started.emit(job_id)
        try:
            summary = self._get_pipeline().summarize_text(text, cancel=cancel,
                                                          progress=_SignalProgress(self, job_id))
        except errors.Cancelled:
            self.cancelled.emit(job_id)
            return
        except errors.EmrError as exc:
            self.failed.emit(job_id, exc.code, _messages(exc))
            return
        except Exception as exc:
            _log_unexpected(f"job {job_id}", exc)
            self.failed.emit(job_id, "unexpected", _unexpected_messages(exc))
            return
        self.summarized.emit(job_id, summary)


def _warm_ocr(engine) -> None:
    """One recognition of a blank 32×32 page, through the engine's public interface."""
    from PIL import Image

    from desktop_app.ingest import SourcePage
    from desktop_app.jobs.cancel import NEVER_CANCELLED
    from desktop_app.jobs.progress import NULL_PROGRESS

    blank = SourcePage(0, 32, 32, lambda: Image.new("RGB", (32, 32), "white"))
    engine.recognize(blank, cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)


def _log_unexpected(what: str, exc: Exception) -> None:
    """The exception's type only: its message could quote the document. Traceback at DEBUG."""
    log.error("%s: unexpected %s", what, type(exc).__name__)
    log.debug("%s traceback", what, exc_info=True)


def _unexpected(language: str, exc: Exception) -> str:
    return errors.EmrError(detail=f"unexpected {type(exc).__name__}").message(language)


def _messages(exc: errors.EmrError) -> dict[str, str]:
    """The error in both UI languages, so a language switch re-renders what is already shown."""
    return {"en": exc.message("en"), "zh": exc.message("zh")}


def _unexpected_messages(exc: Exception) -> dict[str, str]:
    return _messages(errors.EmrError(detail=f"unexpected {type(exc).__name__}"))


@dataclass
class _Job:
    id: int
    kind: str  # "document" | "summary"
    cancel: CancelToken


class JobRunner(QObject):
    """The GUI-side handle: submits jobs, cancels them, shuts the worker down.

    Signals are re-emitted from the worker (queued, so slots run on the GUI thread).
    """

    started = Signal(int)
    progress = Signal(int, str, int, int)
    finished = Signal(int, object)
    summarized = Signal(int, object)
    failed = Signal(int, str, object)  # job id, error code, {"en": message, "zh": message}
    cancelled = Signal(int)

    _submit_document = Signal(int, str, object)
    _submit_summary = Signal(int, str, object)
    _configure = Signal(object, str)
    _warm_up = Signal()
    _set_history = Signal(object)
    _delete_history = Signal(object)
    historyChanged = Signal(bool, str)  # history open?, why not
    warmedUp = Signal()  # the pipeline is imported and the embedded OCR engine is ready

    def __init__(self, settings: EngineSettings, ui_language: str = "en",
                 pipeline_factory: PipelineFactory | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._jobs: dict[int, _Job] = {}
        self._thread = QThread()
        self._thread.setObjectName("pipeline-worker")
        self._worker = PipelineWorker(pipeline_factory or default_pipeline_factory, settings, ui_language)
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        # Runs in the worker thread as it ends: the history's SQLite connection belongs to it.
        self._thread.finished.connect(self._worker.close_history, Qt.ConnectionType.DirectConnection)
        self._set_history.connect(self._worker.set_history)
        self._delete_history.connect(self._worker.delete_history)
        self._worker.history_state.connect(self.historyChanged)
        self._worker.warmed_up.connect(self.warmedUp)

        self._submit_document.connect(self._worker.run)
        self._submit_summary.connect(self._worker.summarize)
        self._configure.connect(self._worker.configure)
        self._warm_up.connect(self._worker.warm_up)
        self._stopped = False
        self._worker.started.connect(self.started)
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.summarized.connect(self._on_summarized)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._thread.start()

    # --- GUI thread API -----------------------------------------------------------------

    def warm_up(self) -> None:
        """Ask the worker to import the pipeline now (after the window is shown)."""
        if not self._stopped:
            self._warm_up.emit()

    def submit(self, path: str) -> int:
        if self._stopped:
            raise RuntimeError("the worker has been shut down")
        job = self._new_job("document")
        self._submit_document.emit(job.id, path, job.cancel)
        return job.id

    def summarize(self, text: str) -> int:
        job = self._new_job("summary")
        self._submit_summary.emit(job.id, text, job.cancel)
        return job.id

    def configure(self, settings: EngineSettings, ui_language: str) -> None:
        self._configure.emit(settings, ui_language)

    def set_history(self, db_path: Path | None) -> None:
        """Keep finished results in the encrypted history at `db_path` (None = keep none)."""
        if not self._stopped:
            self._set_history.emit(db_path)

    def delete_history(self, db_path: Path) -> None:
        """Delete the history at `db_path` (entries, files, key), in the worker thread."""
        if not self._stopped:
            self._delete_history.emit(db_path)

    def cancel(self, job_id: int) -> None:
        job = self._jobs.get(job_id)
        if job is not None:
            job.cancel.cancel()  # thread-safe; the worker sees it at its next check

    def cancel_all(self) -> None:
        for job in list(self._jobs.values()):
            job.cancel.cancel()

    def pending(self) -> list[int]:
        return list(self._jobs)

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel everything, stop the worker's event loop and wait for it. Never terminates."""
        self._stopped = True
        self.cancel_all()
        self._thread.quit()
        done = self._thread.wait(timeout_ms)
        if not done:
            log.warning("worker did not stop within %d ms", timeout_ms)
        return done

    # --- bookkeeping --------------------------------------------------------------------

    def _new_job(self, kind: str) -> _Job:
        job = _Job(next(self._ids), kind, CancelToken())
        self._jobs[job.id] = job
        return job

    # Bound slots of this GUI-thread object, so queued connections deliver them on the GUI thread.
    @Slot(int, object)
    def _on_finished(self, job_id: int, result: object) -> None:
        self._jobs.pop(job_id, None)
        self.finished.emit(job_id, result)

    @Slot(int, object)
    def _on_summarized(self, job_id: int, summary: object) -> None:
        self._jobs.pop(job_id, None)
        self.summarized.emit(job_id, summary)

    @Slot(int, str, object)
    def _on_failed(self, job_id: int, code: str, messages: dict) -> None:
        self._jobs.pop(job_id, None)
        self.failed.emit(job_id, code, messages)

    @Slot(int)
    def _on_cancelled(self, job_id: int) -> None:
        self._jobs.pop(job_id, None)
        self.cancelled.emit(job_id)


# --- page images for the page view -------------------------------------------------------


class _PageSignals(QObject):
    loaded = Signal(int, int, int, QImage, float)  # request id, page index, page count, image, scale
    failed = Signal(int, int, str)  # request id, page index, message
    thumbnail = Signal(int, int, QImage)  # document key, page index, image (null: could not be rendered)


# PDF pages are first shown from a render at this DPI, and re-rendered at the pipeline's DPI only
# when the user zooms in. PyMuPDF holds the GIL while it renders (every millisecond of it is a
# GUI-thread stall), and below half the scan's resolution MuPDF decodes the page's JPEG at half
# size: 96 dpi renders an A4 scan in ~10-20 ms here, 110 dpi in ~40 ms, 200 dpi in ~75 ms.
VIEW_DPI = 96
THUMBNAIL_WIDTH = 96  # pixels; thumbnails of very tall pages are capped at 3× this height
THUMBNAIL_PAUSE_S = 0.005


def _qimage_from_rgb(data: bytes, width: int, height: int, stride: int) -> QImage:
    return QImage(data, width, height, stride, QImage.Format.Format_RGB888).copy()  # own the pixels


class _RenderPage(QRunnable):
    def __init__(self, signals: _PageSignals, request: int, path: str, index: int, settings: EngineSettings,
                 language: str, full: bool) -> None:
        super().__init__()
        self._full = full
        self._signals = signals
        self._request = request
        self._path = path
        self._index = index
        self._settings = settings
        self._language = language

    def run(self) -> None:  # runs on the pool thread
        try:
            import_pipeline_modules()
            from desktop_app.ingest import open_document

            # Opened at the pipeline's DPI so page sizes (and OCR boxes) are in the same pixels.
            with open_document(self._path, self._settings.limits, self._settings.dpi) as document:
                count = document.page_count
                index = min(max(self._index, 0), count - 1)
                qimage, scale = self._render(document.page(index))
        except errors.EmrError as exc:
            self._signals.failed.emit(self._request, self._index, exc.message(self._language))
            return
        except Exception as exc:
            _log_unexpected("page render", exc)
            self._signals.failed.emit(self._request, self._index, _unexpected(self._language, exc))
            return
        self._signals.loaded.emit(self._request, index, count, qimage, scale)

    def _render(self, page) -> tuple[QImage, float]:
        """The page image and its scale (page pixels per image pixel)."""
        if page.pdf_page is not None and self._settings.dpi > VIEW_DPI and page.width and not self._full:
            from desktop_app.ingest import render_pdf_page

            zoom = page.scale * VIEW_DPI / self._settings.dpi
            try:
                rgb = render_pdf_page(page.pdf_page, zoom)  # in strips: the GIL is handed back between them
            except Exception:
                raise errors.PageError(page=page.index + 1, detail="the page could not be rendered") from None
            image = _qimage_from_rgb(rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3)
            return image, page.width / max(rgb.width, 1)
        rgb = page.image().convert("RGB")  # Pillow decodes without holding the GIL
        return _qimage_from_rgb(rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3), 1.0


class _RenderThumbnails(QRunnable):
    """Small images of some pages of one document, one signal per page, on the thumbnail pool.

    Stops between pages once `cancel` is set (the document is no longer shown). A page that cannot
    be rendered is reported with a null image, so the strip does not ask for it again.
    """

    def __init__(self, signals: _PageSignals, key: int, path: str, indices: list[int], width: int,
                 settings: EngineSettings, cancel: CancelToken) -> None:
        super().__init__()
        self._signals = signals
        self._key = key
        self._path = path
        self._indices = indices
        self._width = max(int(width), 8)
        self._settings = settings
        self._cancel = cancel

    def run(self) -> None:  # runs on the thumbnail pool's thread
        wanted = set(self._indices)
        try:
            import_pipeline_modules()
            from desktop_app.ingest import open_document

            with open_document(self._path, self._settings.limits, self._settings.dpi) as document:
                for index in sorted(i for i in wanted if 0 <= i < document.page_count):
                    if self._cancel.cancelled:
                        break
                    wanted.discard(index)
                    self._signals.thumbnail.emit(self._key, index, self._render_or_null(document.page(index)))
                    # MuPDF held the GIL while rendering: hand it to the GUI thread (and the OCR
                    # worker) before the next page, thumbnails are not worth a stall.
                    time.sleep(THUMBNAIL_PAUSE_S)
        except errors.EmrError:
            pass  # the page view shows the document's error; the thumbnails stay blank
        except Exception as exc:
            _log_unexpected("thumbnail render", exc)
        if not self._cancel.cancelled:
            for index in sorted(wanted):
                self._signals.thumbnail.emit(self._key, index, QImage())

    def _render_or_null(self, page) -> QImage:
        try:
            return self._render(page)
        except errors.EmrError:
            return QImage()
        except Exception as exc:
            _log_unexpected("thumbnail render", exc)
            return QImage()

    def _render(self, page) -> QImage:
        width, max_height = self._width, self._width * 3
        if page.pdf_page is not None:
            import pymupdf

            rect = page.pdf_page.rect
            zoom = min(width / max(rect.width, 1.0), max_height / max(rect.height, 1.0))
            # A few milliseconds with the GIL held: MuPDF decodes a scan's JPEG at a reduced size.
            pixmap = page.pdf_page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False,
                                              colorspace=pymupdf.csRGB)
            return _qimage_from_rgb(pixmap.samples, pixmap.width, pixmap.height, pixmap.stride)
        image = page.image()  # Pillow decodes and resamples without holding the GIL
        image.thumbnail((width, max_height))
        rgb = image.convert("RGB")
        return _qimage_from_rgb(rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3)


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
        task = _RenderPage(self._signals, self._latest, path, index, self._settings, self._language, full)
        self._pool.start(task)

    def request_thumbnails(self, key: int, path: str, indices: list[int], width: int = THUMBNAIL_WIDTH) -> None:
        """Render small images of pages `indices` of document `key` (the strip asks for the rows
        on screen). Asking for another document drops the previous one's queued and running work."""
        if key != self._thumb_key:
            self.cancel_thumbnails()
            self._thumb_key = key
        if indices:
            self._thumb_pool.start(_RenderThumbnails(self._signals, key, path, list(indices), width,
                                                     self._settings, self._thumb_cancel))

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


# --- dropped folders -----------------------------------------------------------------------


class _ScanSignals(QObject):
    done = Signal(int, list, int)  # request id, documents (paths, in order), files skipped


class _ScanFolders(QRunnable):
    """Expands dropped paths into documents, on a pool thread (reading file headers and opening
    PDFs must not stall the window). A file named directly is always kept: it gets its own
    answer in the queue, even "not a document". A file found inside a folder is kept only when
    `ingest.open_document` can open it as a document; the rest (a readme, a spreadsheet) are
    skipped and counted. A damaged PDF or image is kept: its failure is worth showing."""

    def __init__(self, signals: _ScanSignals, request: int, paths: list[str], settings: EngineSettings,
                 expand: Callable[[list[str]], list[str]]) -> None:
        super().__init__()
        self._expand = expand
        self._signals = signals
        self._request = request
        self._paths = paths
        self._settings = settings

    def run(self) -> None:  # runs on the pool thread
        documents: list[str] = []
        skipped = 0
        for raw in self._paths:
            for path in self._expand([raw]):
                if path == raw or self._is_document(path):
                    documents.append(path)
                else:
                    skipped += 1
        self._signals.done.emit(self._request, documents, skipped)

    def _is_document(self, path: str) -> bool:
        try:
            import_pipeline_modules()
            from desktop_app.ingest import open_document

            with open_document(path, self._settings.limits, self._settings.dpi):
                return True
        except errors.UnsupportedFormat:
            return False
        except errors.EmrError:
            return True  # a document that cannot be read: the queue says why
        except Exception as exc:
            _log_unexpected("folder scan", exc)
            return True


class FolderScanner(QObject):
    """Turns dropped files and folders into the documents to queue, off the GUI thread.
    `expand` lists the files below a path (hidden files left out), in the order to queue them."""

    scanned = Signal(list, int)  # documents (paths, in drop order), how many files were skipped

    def __init__(self, settings: EngineSettings, expand: Callable[[list[str]], list[str]],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._expand = expand
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # drops are expanded in the order they came
        self._ids = itertools.count(1)
        self._signals = _ScanSignals()
        self._signals.done.connect(self._on_done)

    def configure(self, settings: EngineSettings) -> None:
        self._settings = settings

    def scan(self, paths: list[str]) -> None:
        self._pool.start(_ScanFolders(self._signals, next(self._ids), list(paths), self._settings, self._expand))

    def wait(self, timeout_ms: int = 10_000) -> bool:
        return self._pool.waitForDone(timeout_ms)

    @Slot(int, list, int)
    def _on_done(self, _request: int, documents: list, skipped: int) -> None:
        self.scanned.emit(documents, skipped)


# --- the scan inbox ----------------------------------------------------------------------


class InboxWatcher(QObject):
    """Watches a folder (network scanners drop PDFs there); files that appear join the queue.

    Files already there when watching starts are left alone. A new file is reported once its
    size has stayed the same for one check, so a scan still being written is not read half-way.
    """

    filesArrived = Signal(list)  # paths, sorted
    CHECK_MS = 700

    def __init__(self, parent: QObject | None = None) -> None:
        from PySide6.QtCore import QFileSystemWatcher, QTimer

        super().__init__(parent)
        self._folder: Path | None = None
        self._seen: set[str] = set()
        self._pending: dict[str, int] = {}  # path -> size at the last check
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._scan)
        self._timer = QTimer(self)
        self._timer.setInterval(self.CHECK_MS)
        self._timer.timeout.connect(self._check_pending)

    def folder(self) -> Path | None:
        return self._folder

    def set_folder(self, folder: str) -> None:
        folder_path = Path(folder).expanduser() if folder else None
        if folder_path == self._folder:
            return
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        self._pending.clear()
        self._timer.stop()
        self._folder = folder_path if folder_path is not None and folder_path.is_dir() else None
        self._seen = set(self._listing())
        if self._folder is not None:
            self._watcher.addPath(str(self._folder))
            log.info("watching a scan inbox")

    def _listing(self) -> list[str]:
        if self._folder is None:
            return []
        try:
            return sorted(str(p) for p in self._folder.iterdir() if p.is_file()
                          and not p.name.startswith((".", "~")) and not p.name.endswith((".part", ".tmp")))
        except OSError:
            return []

    @Slot(str)
    def _scan(self, _path: str = "") -> None:
        for path in self._listing():
            if path not in self._seen and path not in self._pending:
                self._pending[path] = -1
        if self._pending:
            self._timer.start()

    @Slot()
    def _check_pending(self) -> None:
        ready = []
        for path, last_size in list(self._pending.items()):
            try:
                size = Path(path).stat().st_size
            except OSError:  # gone again (a scanner's temporary file)
                del self._pending[path]
                continue
            if size > 0 and size == last_size:
                ready.append(path)
                del self._pending[path]
                self._seen.add(path)
            else:
                self._pending[path] = size
        if not self._pending:
            self._timer.stop()
        if ready:
            self.filesArrived.emit(sorted(ready))
