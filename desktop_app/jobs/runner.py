"""Runs pipeline jobs off the GUI thread.

One long-lived `PipelineWorker` lives in a `QThread` and owns the `Pipeline`, so engines (and
models) load there, lazily, once. The GUI talks to it only through queued signals; results come
back as signals keyed by a job id. Cancellation is a `CancelToken` the GUI sets directly (a
`threading.Event`), checked by the pipeline between pages and by model engines between tokens.
The thread is never terminated: `shutdown()` cancels, quits the event loop and waits.

When both engines are servers and Settings ask for N documents at once, documents are read on N
lane threads instead (jobs/in_flight.py), as `batch --concurrency N` does; their results come back
to the worker thread, which keeps them in the history and announces them.

No note text is logged here: only job ids, error codes and timings.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from desktop_app import errors
from desktop_app.cancel import CancelToken
from desktop_app.jobs.failures import log_unexpected, messages, unexpected_messages
from desktop_app.jobs.history_keeper import HistoryKeeper
from desktop_app.jobs.in_flight import DocumentLanes, documents_in_flight
from desktop_app.jobs.warm_up import import_pipeline_modules, shared_documents, warm_up_engines
from desktop_app.settings import EngineSettings

log = logging.getLogger(__name__)

# (settings, ui_language) -> a Pipeline. Tests inject fake engines through this.
PipelineFactory = Callable[[EngineSettings, str], object]


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
    """Lives in the worker thread. Every slot runs there; every signal is queued to the GUI (lane
    threads emit `started`, `progress`, `failed` and `cancelled` for their documents too)."""

    started = Signal(int)  # job id
    progress = Signal(int, str, int, int)  # job id, stage, done, total
    finished = Signal(int, object)  # job id, DocumentResult
    summarized = Signal(int, object)  # job id, Summary (from "Summarize again")
    failed = Signal(int, str, object)  # job id, error code, {"en": message, "zh": message}
    cancelled = Signal(int)
    warmed_up = Signal()
    history_state = Signal(bool, str)  # history open?, and why not (empty when off by choice)
    _read_in_lane = Signal(int, object)  # job id, DocumentResult: from a lane thread, kept and announced here

    def __init__(self, factory: PipelineFactory, settings: EngineSettings, ui_language: str) -> None:
        super().__init__()
        self._factory = factory
        self._settings = settings
        self._ui_language = ui_language
        self._pipeline = None
        self._history = HistoryKeeper(self.history_state.emit)
        self._lanes = DocumentLanes(factory)  # documents in flight at once on server engines (jobs/in_flight.py)
        self._read_in_lane.connect(self._announce_read, Qt.ConnectionType.QueuedConnection)

    def _get_pipeline(self):
        if self._pipeline is None:
            self._pipeline = self._factory(self._settings, self._ui_language)
        return self._pipeline

    @Slot()
    def warm_up(self) -> None:
        """Import the pipeline and start the embedded OCR engine now (see jobs/warm_up.py)."""
        try:
            warm_up_engines(self._settings, self._get_pipeline)
        except Exception as exc:  # a problem shows up, with its message, on the first job
            log_unexpected("warm-up", exc)
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
        lanes = documents_in_flight(self._settings)
        if lanes > 1:  # server engines: this document starts as soon as one of N lanes is free
            self._lanes.submit(lanes, self._settings, self._ui_language, lambda pipeline: self._run_job(
                job_id, cancel, self._read_in_lane, lambda progress: _read(pipeline(), path, progress, cancel)))
            return

        def read(progress: _SignalProgress) -> object:
            result = _read(self._get_pipeline(), path, progress, cancel)
            self._history.keep(result, self._ui_language)  # never raises: history must not cost the result
            return result

        self._run_job(job_id, cancel, self.finished, read)

    @Slot(int, object)
    def _announce_read(self, job_id: int, result: object) -> None:
        """A document read on a lane thread, back in this thread: kept in the history (its
        connection belongs to this thread), then announced."""
        self._history.keep(result, self._ui_language)
        self.finished.emit(job_id, result)

    @Slot(int, str, object)
    def summarize(self, job_id: int, text: str, cancel: CancelToken) -> None:
        self._run_job(job_id, cancel, self.summarized,
                      lambda progress: self._get_pipeline().summarize_text(text, cancel=cancel, progress=progress))

    def _run_job(self, job_id: int, cancel: CancelToken, done, work: Callable[[_SignalProgress], object]) -> None:
        """One job's answer, exactly one of: `done`, `failed` or `cancelled`."""
        if cancel.cancelled:
            self.cancelled.emit(job_id)
            return
        self.started.emit(job_id)
        try:
            answer = work(_SignalProgress(self, job_id))
        except errors.Cancelled:
            log.info("job %d cancelled", job_id)
            self.cancelled.emit(job_id)
            return
        except errors.EmrError as exc:  # e.g. an engine that cannot run here
            log.info("job %d failed: %s", job_id, exc.code)
            self.failed.emit(job_id, exc.code, messages(exc))
            return
        except Exception as exc:  # a bug must not take the app down; the queue goes on
            log_unexpected(f"job {job_id}", exc)
            self.failed.emit(job_id, "unexpected", unexpected_messages(exc))
            return
        done.emit(job_id, answer)

    # --- the optional encrypted history (jobs/history_keeper.py), used only in this thread -------

    @Slot(object)
    def set_history(self, db_path: object) -> None:
        """Open the history at `db_path`, or close it (None)."""
        self._history.open(Path(db_path) if db_path is not None else None, self._ui_language)

    @Slot(object)
    def delete_history(self, db_path: object) -> None:
        self._history.delete(Path(db_path), self._ui_language)

    @Slot()
    def close_history(self) -> None:
        self._history.close()

    @Slot()
    def stop(self) -> None:
        """As the worker thread ends: no new documents start on the lanes; the history closes."""
        self._lanes.shutdown()
        self._history.close()


def _read(pipeline, path: str, progress: _SignalProgress, cancel: CancelToken) -> object:
    return pipeline.run(path, progress=progress, cancel=cancel, opener=shared_documents().open)


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
        self._thread.finished.connect(self._worker.stop, Qt.ConnectionType.DirectConnection)
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
