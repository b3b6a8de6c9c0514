"""Audit entries from the GUI, written off the GUI thread.

`AuditWriter.record()` returns at once: entries are appended in order by one background thread
(an append fsyncs, and hashing an opened file reads it whole). A failed write never reaches the
user as an exception: `failed` is emitted (queued to the GUI thread) with the OS error's short
name, and a log line says which action could not be recorded — never a path, name or text.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, Qt, Signal, Slot

from desktop_app.file_hash import file_sha256
from desktop_app.privacy.audit import AuditLog, outcome_code, record_document

log = logging.getLogger(__name__)


class AuditWriter(QObject):
    failed = Signal(str, str)  # action, the OS error's short name (e.g. "Permission denied"); GUI thread
    _failed_in_pool = Signal(str, str)

    def __init__(self, audit_log: AuditLog | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log = audit_log or AuditLog()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit")  # one: keeps the order
        self._last: Future | None = None
        self._closed = False
        # Emitted in the pool thread, delivered here (the GUI thread), then re-emitted as `failed`.
        self._failed_in_pool.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)

    def record(self, action: str, *, sha256: str | None = None, engines: dict[str, str] | None = None,
               outcome: str | None = "ok") -> None:
        """Append an entry in the background."""
        self._submit(action, lambda: self.log.record(action, sha256=sha256 or None, engines=engines,
                                                     outcome=outcome_code(outcome)))

    def record_document(self, action: str, result) -> None:
        """One entry for a processed `DocumentResult` (its hash, engines and outcome)."""
        self._submit(action, lambda: record_document(self.log, action, result))

    def record_file(self, action: str, path: str) -> None:
        """An entry for a file by its content hash (computed in the background, never its name)."""
        def write() -> None:
            try:
                sha256 = file_sha256(path)  # remembered: the worker reading the file does not hash it again
            except OSError:
                self.log.record(action, outcome="unreadable")
                return
            self.log.record(action, sha256=sha256)

        self._submit(action, write)

    def _submit(self, action: str, write) -> None:
        if self._closed:
            return

        def run() -> None:
            try:
                write()
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                log.warning("audit entry %r not written: %s", action, reason)
                self._failed_in_pool.emit(action, reason)
            except ValueError as exc:  # a field of the wrong shape: a bug, never worth a crash
                log.error("audit entry %r refused: %s", action, type(exc).__name__)

        self._last = self._pool.submit(run)

    @Slot(str, str)
    def _on_failed(self, action: str, reason: str) -> None:
        self.failed.emit(action, reason)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every entry submitted so far is written (tests, shutdown)."""
        if self._last is not None:
            self._last.result(timeout)

    def close(self) -> None:
        """Write what is pending, then stop the thread."""
        if not self._closed:
            self._closed = True
            self._pool.shutdown(wait=True)
