"""The scan inbox: a watched folder whose new files join the queue."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


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
