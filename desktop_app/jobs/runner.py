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
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot
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
    failed = Signal(int, str, str)  # job id, error code, message in the UI language
    cancelled = Signal(int)
    warmed_up = Signal()

    def __init__(self, factory: PipelineFactory, settings: EngineSettings, ui_language: str) -> None:
        super().__init__()
        self._factory = factory
        self._settings = settings
        self._ui_language = ui_language
        self._pipeline = None

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
            self.failed.emit(job_id, exc.code, exc.message(self._ui_language))
            return
        except Exception as exc:  # a bug must not take the app down; the queue goes on
            _log_unexpected(f"job {job_id}", exc)
            self.failed.emit(job_id, "unexpected", _unexpected(self._ui_language, exc))
            return
        self.finished.emit(job_id, result)

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
            self.failed.emit(job_id, exc.code, exc.message(self._ui_language))
            return
        except Exception as exc:
            _log_unexpected(f"job {job_id}", exc)
            self.failed.emit(job_id, "unexpected", _unexpected(self._ui_language, exc))
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
    failed = Signal(int, str, str)
    cancelled = Signal(int)

    _submit_document = Signal(int, str, object)
    _submit_summary = Signal(int, str, object)
    _configure = Signal(object, str)
    _warm_up = Signal()

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

    @Slot(int, str, str)
    def _on_failed(self, job_id: int, code: str, message: str) -> None:
        self._jobs.pop(job_id, None)
        self.failed.emit(job_id, code, message)

    @Slot(int)
    def _on_cancelled(self, job_id: int) -> None:
        self._jobs.pop(job_id, None)
        self.cancelled.emit(job_id)


# --- page images for the page view -------------------------------------------------------


class _PageSignals(QObject):
    loaded = Signal(int, int, int, QImage, float)  # request id, page index, page count, image, scale
    failed = Signal(int, int, str)  # request id, page index, message


# PDF pages are first shown from a render at this DPI, and re-rendered at the pipeline's DPI only
# when the user zooms in. PyMuPDF holds the GIL while it renders (every millisecond of it is a
# GUI-thread stall), and below half the scan's resolution MuPDF decodes the page's JPEG at half
# size: 96 dpi renders an A4 scan in ~10-20 ms here, 110 dpi in ~40 ms, 200 dpi in ~75 ms.
VIEW_DPI = 96


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
                for page in document.pages():
                    if page.index == index:
                        qimage, scale = self._render(page)
                        break
                else:  # pragma: no cover - page_count and pages() agree
                    raise errors.PageError(page=index + 1, detail="missing")
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
            import pymupdf

            zoom = page.scale * VIEW_DPI / self._settings.dpi
            try:
                pixmap = page.pdf_page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False,
                                                  colorspace=pymupdf.csRGB)
            except Exception:
                raise errors.PageError(page=page.index + 1, detail="the page could not be rendered") from None
            image = _qimage_from_rgb(pixmap.samples, pixmap.width, pixmap.height, pixmap.stride)
            return image, page.width / max(pixmap.width, 1)
        rgb = page.image().convert("RGB")  # Pillow decodes without holding the GIL
        return _qimage_from_rgb(rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3), 1.0


class PageImageLoader(QObject):
    """Renders one page of a document on a pool thread; only the latest request is delivered."""

    loaded = Signal(int, int, QImage, float)  # page index, page count, image, page pixels per image pixel
    failed = Signal(int, str)  # page index, message

    def __init__(self, settings: EngineSettings, language: str = "en", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._language = language
        self._latest = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _PageSignals()
        self._signals.loaded.connect(self._on_loaded)
        self._signals.failed.connect(self._on_failed)

    def configure(self, settings: EngineSettings, language: str) -> None:
        self._settings = settings
        self._language = language

    def request(self, path: str, index: int, full: bool = False) -> None:
        """Render page `index`; `full` = at the pipeline's DPI (for zooming in), else a preview."""
        self._latest += 1
        self._pool.clear()  # drop renders nobody will look at
        task = _RenderPage(self._signals, self._latest, path, index, self._settings, self._language, full)
        self._pool.start(task)

    def cancel(self) -> None:
        self._latest += 1
        self._pool.clear()

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        self.cancel()
        self._pool.waitForDone(timeout_ms)

    @Slot(int, int, int, QImage, float)
    def _on_loaded(self, request: int, index: int, count: int, image: QImage, scale: float) -> None:
        if request == self._latest:
            self.loaded.emit(index, count, image, scale)

    @Slot(int, int, str)
    def _on_failed(self, request: int, index: int, message: str) -> None:
        if request == self._latest:
            self.failed.emit(index, message)


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
