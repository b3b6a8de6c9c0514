"""Dropped folders: which files below them are documents, found off the GUI thread."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from desktop_app import errors
from desktop_app.jobs.failures import log_unexpected
from desktop_app.jobs.warm_up import shared_documents
from desktop_app.settings import EngineSettings


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
            with shared_documents().open(path, self._settings.limits, self._settings.dpi):
                return True  # kept open a while: the worker reads it next
        except errors.UnsupportedFormat:
            return False
        except errors.EmrError:
            return True  # a document that cannot be read: the queue says why
        except Exception as exc:
            log_unexpected("folder scan", exc)
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
