"""The empty-state drop target, and the helpers that turn drops and pastes into file paths."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout


def local_paths(mime: QMimeData) -> list[str]:
    """Local files and folders named by a drag or a clipboard (URLs; remote URLs are ignored)."""
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given, folders replaced by every file below them (sorted, hidden files skipped).

    Files are not filtered by extension: the type is read from the content, and a file that is
    not a document gets its own specific message in the queue.
    """
    out: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(str(Path(root) / name) for name in sorted(files) if not name.startswith("."))
        else:
            out.append(str(path))
    return out


class DropZone(QFrame):
    """A large target shown when no document is open. Emits the dropped paths (unexpanded)."""

    pathsDropped = Signal(list)
    openRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumSize(320, 240)
        self._title = QLabel()
        self._title.setObjectName("dropZoneTitle")
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._title.setWordWrap(True)
        self._hint = QLabel()
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        self._open = QPushButton()
        self._open.clicked.connect(self.openRequested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self._title)
        layout.addWidget(self._hint)
        layout.addWidget(self._open, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self._set_hover(False)
        self.retranslate()

    def retranslate(self) -> None:
        self._title.setText(self.tr("Drop scans, PDFs or folders here"))
        self._hint.setText(self.tr("PDF, PNG, JPEG, BMP, WebP, TIFF · or paste with Ctrl+V"))
        self._open.setText(self.tr("Open files…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _set_hover(self, hover: bool) -> None:
        border = "#2a7ab0" if hover else "#9aa5b1"
        background = "#eaf4fb" if hover else "transparent"
        self.setStyleSheet(f"#dropZone {{ border: 2px dashed {border}; border-radius: 12px;"
                           f" background: {background}; }}"
                           "#dropZoneTitle { font-size: 16pt; font-weight: 600; }")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
            self._set_hover(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self._set_hover(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_hover(False)
        paths = local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.pathsDropped.emit(paths)
        else:
            event.ignore()
