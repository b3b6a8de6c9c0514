"""Warm-up: import the pipeline and start the embedded OCR engine before the first document.

Runs off the GUI thread. The imports (PyMuPDF, NumPy, ...) are taken one thread at a time: the
worker's warm-up and the page renderer may both ask first, and NumPy's first import is not meant
to run twice concurrently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from desktop_app.settings import EngineSettings

_IMPORT_LOCK = threading.Lock()


def import_pipeline_modules() -> None:
    """Import the pipeline modules now (in the calling thread), once."""
    with _IMPORT_LOCK:
        import desktop_app.jobs.shared_documents  # noqa: F401
        import desktop_app.pipeline  # noqa: F401


def shared_documents():
    """The app's opened documents (jobs/shared_documents.py), imported here, off the GUI thread."""
    import_pipeline_modules()
    from desktop_app.jobs.shared_documents import SHARED

    return SHARED


def warm_up_engines(settings: EngineSettings, pipeline: Callable[[], object]) -> None:
    """Import the pipeline and keyring and start the embedded OCR engine (their imports and the
    engine's session creation hold the GIL in bursts), so the first document neither waits for
    them nor stalls the window.
    Model engines are not loaded here: they load on first use. `pipeline()` gives the worker's
    pipeline (created on first call)."""
    import_pipeline_modules()
    _ready_keyring()
    from desktop_app import engines

    spec = engines.resolve_ocr(settings)
    if spec.warm_up:  # never a model engine: those load on first use
        engine = pipeline().ocr_engine()
        if engine.name == spec.name:  # not an engine injected by a test
            _recognize_blank_page(engine)
            from desktop_app.ocr import lexicon

            lexicon.load()  # the doubt rules' English word list (~0.5 s), read at the first shaky word
    # Last: the render helper's own start-up (a new interpreter importing PyMuPDF) would otherwise
    # take CPU from this thread while it holds the GIL, on a small machine a stall of the window.
    renderer = shared_documents().renderer
    if renderer is not None:
        renderer.start()


def _ready_keyring() -> None:
    """Import keyring and pick its backend now (~0.4 s of Python holding the GIL): the first
    document's audit entry needs its key, and that would otherwise stall the window at the drop.
    Nothing is read from or written to the keyring here."""
    try:
        import keyring
    except ImportError:  # the audit log says so when it needs it
        return
    keyring.get_keyring()


def _recognize_blank_page(engine) -> None:
    """One recognition of a blank 32×32 page, through the engine's public interface."""
    from PIL import Image

    from desktop_app.cancel import NEVER_CANCELLED
    from desktop_app.ingest import SourcePage
    from desktop_app.progress import NULL_PROGRESS

    blank = SourcePage(0, 32, 32, lambda: Image.new("RGB", (32, 32), "white"))
    engine.recognize(blank, cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
