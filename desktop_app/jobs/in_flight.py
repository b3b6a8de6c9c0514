"""Several documents in flight at once, for the GUI worker, when every engine is a server.

Like `emr-assist batch --concurrency N` (batch_workers.py): when the OCR engine and the summarizer
only send requests (or need no model), up to N documents are read at once so the serving engine
has N requests to batch; in-process engines keep one document at a time (N copies of a local model
would share the same cores). Threads, not processes, here: a document's time is spent waiting for
the server (the GIL is released), its pages render in the render helper process, and the GUI's
signals and shared documents stay in one process. Each thread builds its own pipeline (engines keep
per-request state); new settings make new pipelines.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from desktop_app import errors
from desktop_app.settings import EngineSettings


def documents_in_flight(settings: EngineSettings) -> int:
    """How many documents to read at once with these settings (1 unless both engines are servers)."""
    wanted = max(settings.concurrency, 1)
    if wanted == 1:
        return 1
    from desktop_app.jobs.warm_up import import_pipeline_modules

    import_pipeline_modules()
    from desktop_app.batch_workers import allows_concurrency

    try:
        return wanted if allows_concurrency(settings) else 1
    except errors.EmrError:  # an unknown engine: the document's own run says so, one at a time
        return 1


class DocumentLanes:
    """A pool of N threads; `submit(work)` runs `work(pipeline)` on one of them, where `pipeline()`
    gives that thread's pipeline (built on first call, so `work` can answer a failure to build it)."""

    def __init__(self, factory: Callable[[EngineSettings, str], object]) -> None:
        self._factory = factory
        self._pool: ThreadPoolExecutor | None = None
        self._size = 0
        self._generation = 0  # changes with the settings: each thread then builds a new pipeline
        self._settings: tuple[EngineSettings, str] | None = None
        self._local = threading.local()

    def submit(self, lanes: int, settings: EngineSettings, ui_language: str,
               work: Callable[[Callable[[], object]], None]) -> None:
        """Called from one thread (the worker's). Documents start in the order they are submitted."""
        if (settings, ui_language) != self._settings:
            self._settings = (settings, ui_language)
            self._generation += 1
        if self._pool is None or lanes != self._size:
            if self._pool is not None:  # documents already given to the old threads are still read there
                self._pool.shutdown(wait=False)
            self._pool = ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="document-lane")
            self._size = lanes
        generation = self._generation
        self._pool.submit(work, lambda: self._pipeline(generation, settings, ui_language))

    def shutdown(self) -> None:
        """As the app closes: documents not started are dropped; the ones running stop at their next
        check (the runner has set every cancel token)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _pipeline(self, generation: int, settings: EngineSettings, ui_language: str):
        local = self._local
        if getattr(local, "generation", None) != generation:
            local.pipeline = self._factory(settings, ui_language)
            local.generation = generation
        return local.pipeline
