"""Screen-region capture (NormCap-style): a still of the screen fills it, the user drags a
rectangle over the text another program shows, and the rectangle's pixels are handed back to be
read like a pasted image. Esc or a click without a drag cancels.

The still is taken before the overlay is shown and never written anywhere by this widget; the
window saves the crop in its private paste folder (removed when it closes), as for Ctrl+V.
Capturing needs a platform that lets an application grab the screen (X11, Windows, macOS with
permission); on Wayland the grab is refused and the window says so.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

MIN_SIDE = 8  # logical pixels: a smaller drag is a slip of the mouse, not a region


class RegionCapture(QWidget):
    captured = Signal(QImage)  # the chosen region, in the screen's device pixels
    cancelled = Signal()

    def __init__(self, still: QPixmap, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
                         | Qt.WindowType.Tool)
        self.setObjectName("regionCapture")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMouseTracking(True)
        self._still = still
        self._origin: QPoint | None = None
        self._selection = QRect()
        self._done = False

    def selection(self) -> QRect:
        return QRect(self._selection)

    # --- drawing ------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.drawPixmap(self.rect(), self._still)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 110))  # dim all but the selection
        if not self._selection.isEmpty():
            ratio = self._still.width() / max(self.width(), 1)
            source = QRect(round(self._selection.x() * ratio), round(self._selection.y() * ratio),
                           round(self._selection.width() * ratio), round(self._selection.height() * ratio))
            painter.drawPixmap(self._selection, self._still, source)
            painter.setPen(QPen(QColor(42, 122, 176), 2))
            painter.drawRect(self._selection)
        painter.setPen(QColor("white"))
        painter.drawText(self.rect().adjusted(0, 16, 0, 0), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         self.tr("Drag over the text to read · Esc cancels"))

    # --- the drag -----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._origin = event.position().toPoint()
            self._selection = QRect(self._origin, self._origin)
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self._selection = _span(self._origin, event.position().toPoint())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._origin is None:
            return
        self._selection = _span(self._origin, event.position().toPoint())
        self._origin = None
        if self._selection.width() < MIN_SIDE or self._selection.height() < MIN_SIDE:
            self._finish(None)
            return
        self._finish(self.crop(self._selection))

    def crop(self, selection: QRect) -> QImage:
        """The still's pixels under `selection` (widget coordinates), at the screen's full resolution."""
        ratio = self._still.width() / max(self.width(), 1)
        source = QRect(round(selection.x() * ratio), round(selection.y() * ratio),
                       round(selection.width() * ratio), round(selection.height() * ratio))
        return self._still.copy(source.intersected(self._still.rect())).toImage()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._finish(None)
        else:
            super().keyPressEvent(event)

    def _finish(self, image: QImage | None) -> None:
        if self._done:
            return
        self._done = True
        self.close()
        if image is None or image.isNull():
            self.cancelled.emit()
        else:
            self.captured.emit(image)


def _span(a: QPoint, b: QPoint) -> QRect:
    """The rectangle between two drag points, `b` excluded (QRect(a, b) would include it)."""
    return QRect(min(a.x(), b.x()), min(a.y(), b.y()), abs(b.x() - a.x()), abs(b.y() - a.y()))
