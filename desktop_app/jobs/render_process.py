"""PDF pages rendered in a helper process, so MuPDF never holds this process's GIL.

PyMuPDF holds the GIL for as long as MuPDF rasterizes (its maintainers: "multiprocessing remains
as the only" way), and in the GUI every such millisecond is a window that cannot respond: a
scanned page at 200 dpi took ~110 ms, in strips of ~16-80 ms depending on the machine's load, and
a page preview rendered at the same time made a stall of 122-161 ms. Here one spawned process
(not forked: this process runs Qt threads) renders the pages; this side only copies the pixels.

The helper keeps the documents it rendered last open (by file version). If it cannot start or
dies, pages are rendered in this process as before and the helper is started again next time.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from PIL import Image

log = logging.getLogger(__name__)

KEEP_OPEN = 3  # documents the helper keeps open
# A page MuPDF has not rasterized by then never will be (a crafted or broken PDF): the helper is
# stopped, that page fails as unrenderable, and the next page gets a new helper. In this process
# such a page would have hung the worker for good.
RENDER_TIMEOUT_S = 120.0
_open_documents: OrderedDict = OrderedDict()  # in the helper: (path, version) -> pymupdf.Document


class RenderFailed(Exception):
    """MuPDF could not render the page (a damaged page): the caller says so, as for an in-process render."""


def _render_in_helper(path: str, version: tuple, index: int, scale: float) -> tuple[int, int, bytes]:
    """Runs in the helper: page `index` of `path` at `scale`, as (width, height, RGB bytes)."""
    import pymupdf

    from desktop_app.ingest import render_pdf_page

    key = (path, version)
    document = _open_documents.get(key)
    if document is None:
        document = pymupdf.open(path, filetype="pdf")
        _open_documents[key] = document
    _open_documents.move_to_end(key)
    while len(_open_documents) > KEEP_OPEN:
        _open_documents.popitem(last=False)[1].close()
    try:
        image = render_pdf_page(document.load_page(index), scale)
    except Exception:
        raise RenderFailed() from None
    return image.width, image.height, image.tobytes()


HELPER_NICENESS = 5  # the window (and the OCR in this process) come first when the CPU is short


def _start_helper() -> None:
    """Runs first in the helper: a lower CPU priority, then the imports (paid now, not at the first page)."""
    if hasattr(os, "nice"):
        os.nice(HELPER_NICENESS)
    import desktop_app.ingest  # noqa: F401


class RenderProcess:
    """Thread-safe; one helper process, started on first use (or by `start()` at warm-up)."""

    def __init__(self, render: Callable[[str, tuple, int, float], tuple[int, int, bytes]] = _render_in_helper,
                 timeout_s: float = RENDER_TIMEOUT_S) -> None:
        self._render = render  # runs in the helper: a module-level function (tests give another)
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the helper now (the pool starts its process on the first task) and let it import PyMuPDF."""
        pool = self._executor()
        if pool is not None:
            pool.submit(int)  # any task: the pool starts its process (and `_start_helper`) on the first one

    def render(self, path: str, version: tuple, index: int, scale: float) -> Image.Image | None:
        """The page as an RGB image; None when the helper is not available (render it here).
        Raises RenderFailed when the page itself cannot be rendered."""
        pool = self._executor()
        if pool is None:
            return None
        try:
            width, height, pixels = pool.submit(self._render, path, version, index, scale).result(self._timeout_s)
        except RenderFailed:
            raise
        except TimeoutError:
            log.warning("page render helper stopped: no page after %.0f s", self._timeout_s)
            self._discard(pool, stop_helper=True)
            raise RenderFailed() from None
        except (BrokenProcessPool, OSError, RuntimeError) as exc:  # the helper died or could not start
            log.warning("page render helper unavailable: %s", type(exc).__name__)
            self._discard(pool)
            return None
        return Image.frombytes("RGB", (width, height), pixels)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _executor(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._pool is None:
                try:
                    self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=_start_helper)
                except (OSError, RuntimeError) as exc:
                    log.warning("page render helper could not start: %s", type(exc).__name__)
                    return None
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor, stop_helper: bool = False) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        if stop_helper:  # a render that never ends: shutdown() alone would wait for it
            terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
            if terminate is not None:
                terminate()
            else:
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
