"""How documents get into the main window: Open, drag and drop, paste (files, an image, a path),
a dropped folder scanned in the background, and a screen-region capture.

A mixin of `MainWindow` (its `tr()` context stays "MainWindow"); each way in ends in `add_paths`,
which tells the document model and brings the new document forward when nothing else needs review.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog

from desktop_app import paths as app_paths
from desktop_app.ui.drop_zone import local_paths

log = logging.getLogger(__name__)

OPEN_FILTER = "*.pdf *.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff"


class DocumentIntake:
    _temp_dir: Path | None = None  # pasted images (private, 0700), removed when the window closes

    def add_paths(self, paths: list[str], temporary: bool = False) -> list[int]:
        """Queue documents; returns the keys queued now. Files named directly are queued at once
        (each gets an answer, even "not a document"). A drop holding a folder is expanded in the
        background, its non-documents skipped and counted, and queued (in drop order) when done."""
        paths = [str(p) for p in paths]
        if any(Path(p).is_dir() for p in paths):
            self.folder_scanner.scan(paths)
            self.statusBar().showMessage(self.tr("Looking for documents…"), 3000)
            return []
        if not paths:
            self.statusBar().showMessage(self.tr("No files found in what was dropped."), 5000)
            return []
        return self._queue_files(paths, temporary)

    def _on_folders_scanned(self, documents: list, skipped: int) -> None:
        if skipped:
            self.statusBar().showMessage(
                self.tr("Skipped %n file(s) that are not documents (PDF or image).", "", skipped), 10000)
        elif not documents:
            self.statusBar().showMessage(self.tr("No files found in what was dropped."), 5000)
        if documents:
            self._queue_files(documents)

    def _queue_files(self, files: list[str], temporary: bool = False) -> list[int]:
        keys = []
        for path in files:
            key = self.model.add(path, temporary=temporary)
            self.queue.add_document(key, path)
            keys.append(key)
        log.info("queued %d document(s)", len(keys))
        current = self._current_session()
        if current is None or current.reviewed:
            self.queue.select(keys[0])  # nothing left to review on screen: the new document comes forward
        self._update_progress_running()
        return keys

    def open_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Open documents"), "",
            self.tr("Documents (%1);;All files (*)").replace("%1", OPEN_FILTER))
        if files:
            self.add_paths(files)

    def paste(self) -> None:
        """Ctrl+V outside a text field: files or an image from the clipboard join the queue."""
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        paths = local_paths(mime) if mime is not None else []
        if paths:
            self.add_paths(paths)
            return
        if mime is not None and mime.hasImage():
            image = clipboard.image()
            if not image.isNull():
                self._paste_image(image)
                return
        if mime is not None and mime.hasText():
            candidate = Path(mime.text().strip().removeprefix("file://"))
            if mime.text().strip() and candidate.exists():
                self.add_paths([str(candidate)])
                return
        self.statusBar().showMessage(self.tr("The clipboard holds no image or file to open."), 5000)

    def _paste_image(self, image: QImage) -> None:
        if self._temp_dir is None:  # private (0700), removed when the window closes
            self._temp_dir = app_paths.new_paste_dir()  # a crashed run's folder is removed at the next start
        target = self._temp_dir / f"pasted-{self.model.next_key()}.png"
        if not image.save(str(target), "PNG"):
            self.statusBar().showMessage(self.tr("The pasted image could not be read."), 5000)
            return
        self.add_paths([str(target)], temporary=True)

    def capture_region(self) -> None:
        """Read text another program shows: the window steps aside, the screen is captured, and
        the rectangle the user drags over it is read like a pasted image."""
        self.hide()  # not part of the still
        QTimer.singleShot(300, self._show_region_overlay)  # let the compositor take the window away

    def grab_screen(self):
        """A still of the screen this window is on (a null pixmap where the platform refuses)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.grabWindow(0), screen.geometry()

    def _show_region_overlay(self) -> None:
        from desktop_app.ui.region_capture import RegionCapture

        still, geometry = self.grab_screen()
        if still.isNull() or still.width() == 0:
            self.show()
            self.statusBar().showMessage(self.tr("This system does not let applications capture the screen "
                                                 "(e.g. Wayland): use its screenshot tool and paste (Ctrl+V)."), 10000)
            return
        overlay = RegionCapture(still)
        overlay.setGeometry(geometry)
        overlay.captured.connect(lambda image: (self.show(), self._paste_image(image)))
        overlay.cancelled.connect(self.show)
        self.region_overlay = overlay
        overlay.show()
        overlay.activateWindow()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)
