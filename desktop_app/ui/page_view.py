"""The page image with zoom / fit, page navigation, OCR boxes (toggle), evidence highlights and
tinted doubtful words.

A page opens at fit-width (readable; the whole page at once is too small to read on a laptop);
clicking a field zooms to its first evidence box. Per-line OCR boxes are off unless asked for.

Boxes are in page pixels, the same pixels as the image the loader renders, so they are drawn as
scene rectangles on top of the pixmap with no conversion.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QStackedLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

BBox = tuple[float, float, float, float]


class _ZoomView(QGraphicsView):
    zoomed = Signal()

    def __init__(self, scene: QGraphicsScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QBrush(QColor("#5f6b76")))
        self.fit_mode: str | None = "width"  # "width", "page", or None (the user's own zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
        else:
            super().wheelEvent(event)

    def zoom_by(self, factor: float) -> None:
        scale = self.transform().m11() * factor
        if 0.05 <= scale <= 8.0:
            self.fit_mode = None
            self.scale(factor, factor)
            self.zoomed.emit()

    def set_zoom(self, scale: float) -> None:
        self.fit_mode = None
        self.resetTransform()
        self.scale(scale, scale)
        self.zoomed.emit()

    def fit(self) -> None:
        """The whole page in the window."""
        self.fit_mode = "page"
        if not self.scene().sceneRect().isEmpty():
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomed.emit()

    def fit_width_scale(self) -> float:
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return 1.0
        # Leave room for the vertical scroll bar a page taller than the window will need.
        width = self.viewport().width() - (0 if self.verticalScrollBar().isVisible()
                                           else self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent))
        return max(width - 4, 50) / rect.width()

    def fit_width(self) -> None:
        """The page's width fills the window; the top of the page is shown."""
        self.fit_mode = "width"
        if not self.scene().sceneRect().isEmpty():
            self.resetTransform()
            scale = self.fit_width_scale()
            self.scale(scale, scale)
            self.verticalScrollBar().setValue(self.verticalScrollBar().minimum())
        self.zoomed.emit()

    def refit(self) -> None:
        if self.fit_mode == "width":
            self.fit_width()
        elif self.fit_mode == "page":
            self.fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.refit()


class PageView(QWidget):
    pageRequested = Signal(int)  # the user wants page i (0-based)
    detailWanted = Signal(int)  # zoomed in past the image's resolution: a sharper render of page i
    boxesToggled = Signal(bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("pageView")
        self._index = -1
        self._count = 0
        self._image_scale = 1.0  # page pixels per image pixel
        self._detail_asked = False
        self._blocks: dict[int, list[BBox]] = {}
        self._highlights: dict[int, list[BBox]] = {}
        self._doubts: dict[int, list[BBox]] = {}
        self._focus: tuple[int, BBox] | None = None  # the evidence box to zoom to, once its page is shown
        self._box_items: list[QGraphicsRectItem] = []
        self._highlight_items: list[QGraphicsRectItem] = []
        self._doubt_items: list[QGraphicsRectItem] = []

        self._scene = QGraphicsScene(self)
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        # Keep the scaled page between repaints (highlights, scrolling) instead of rescaling it.
        self._pixmap.setCacheMode(QGraphicsPixmapItem.CacheMode.DeviceCoordinateCache)
        self._scene.addItem(self._pixmap)
        self.view = _ZoomView(self._scene)
        self._zoom_label = QLabel()
        self.view.zoomed.connect(self._update_zoom_label)
        self.view.zoomed.connect(self._maybe_want_detail)

        self._message = QLabel()
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._stack = QStackedLayout()
        self._stack.addWidget(self.view)
        self._stack.addWidget(self._message)

        self._prev = QToolButton()
        self._prev.setText("◀")
        self._prev.clicked.connect(lambda: self.pageRequested.emit(self._index - 1))
        self._next = QToolButton()
        self._next.setText("▶")
        self._next.clicked.connect(lambda: self.pageRequested.emit(self._index + 1))
        self._page_label = QLabel()
        self._zoom_out = QToolButton()
        self._zoom_out.setText("−")
        self._zoom_out.clicked.connect(lambda: self.view.zoom_by(1 / 1.25))
        self._zoom_in = QToolButton()
        self._zoom_in.setText("+")
        self._zoom_in.clicked.connect(lambda: self.view.zoom_by(1.25))
        self._fit_width = QToolButton()
        self._fit_width.clicked.connect(self.view.fit_width)
        self._fit = QToolButton()
        self._fit.clicked.connect(self.view.fit)
        self.boxes_check = QCheckBox()
        self.boxes_check.setChecked(False)
        self.boxes_check.toggled.connect(self._on_boxes_toggled)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (self._prev, self._page_label, self._next):
            bar.addWidget(widget)
        bar.addSpacing(12)
        for widget in (self._zoom_out, self._zoom_label, self._zoom_in, self._fit_width, self._fit):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.boxes_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(self._stack, 1)
        self.retranslate()
        self.clear()

    # --- API ----------------------------------------------------------------------------

    def clear(self) -> None:
        self._index, self._count = -1, 0
        self._blocks, self._highlights, self._doubts = {}, {}, {}
        self._focus = None
        self._pixmap.setPixmap(QPixmap())
        self._clear_items()
        self.show_message("")
        self._update_nav()

    def show_message(self, text: str) -> None:
        self._message.setText(text)
        self._stack.setCurrentWidget(self._message)

    def set_image(self, index: int, count: int, image: QImage, scale: float = 1.0) -> None:
        """Show page `index`; `scale` = page pixels per image pixel (boxes are in page pixels)."""
        if index != self._index or scale >= self._image_scale:
            self._detail_asked = scale <= 1.0
        self._index, self._count = index, count
        self._image_scale = scale
        self._pixmap.setPixmap(QPixmap.fromImage(image))
        self._pixmap.setScale(scale)
        self._scene.setSceneRect(QRectF(0, 0, image.width() * scale, image.height() * scale))
        self._stack.setCurrentWidget(self.view)
        self._redraw()
        self.view.refit()
        self._update_nav()
        self._zoom_to_focus()

    def set_blocks(self, blocks: dict[int, list[BBox]]) -> None:
        """OCR boxes per page index."""
        self._blocks = blocks
        self._redraw()

    def set_highlights(self, highlights: dict[int, list[BBox]], focus: tuple[int, BBox] | None = None) -> None:
        """Evidence boxes per page index (drawn over the OCR boxes). `focus` = (page, box): zoom
        to that box as soon as its page is on screen (now, or when it has loaded)."""
        self._highlights = highlights
        self._focus = focus
        self._redraw()
        self._zoom_to_focus()

    def set_doubts(self, doubts: dict[int, list[BBox]]) -> None:
        """Boxes of doubtful words per page index, tinted."""
        self._doubts = doubts
        self._redraw()

    def reset_zoom(self) -> None:
        """The next page shown opens at fit-width (a new document does not inherit the last zoom)."""
        self.view.fit_mode = "width"
        self._focus = None

    def zoom(self) -> float:
        return self.view.transform().m11()

    def visible_scene_rect(self) -> QRectF:
        return self.view.mapToScene(self.view.viewport().rect()).boundingRect()

    def doubt_rects(self) -> list[QRectF]:
        return [item.rect() for item in self._doubt_items]

    def current_index(self) -> int:
        return self._index

    def page_count(self) -> int:
        return self._count

    def has_image(self) -> bool:
        return not self._pixmap.pixmap().isNull()

    def visible_box_count(self) -> int:
        return sum(item.isVisible() for item in self._box_items)

    def highlight_rects(self) -> list[QRectF]:
        return [item.rect() for item in self._highlight_items]

    def set_boxes_visible(self, visible: bool) -> None:
        self.boxes_check.setChecked(visible)

    def zoom_in(self) -> None:
        self.view.zoom_by(1.25)

    def zoom_out(self) -> None:
        self.view.zoom_by(1 / 1.25)

    def fit(self) -> None:
        self.view.fit()

    def fit_width(self) -> None:
        self.view.fit_width()

    # --- drawing ------------------------------------------------------------------------

    def _clear_items(self) -> None:
        for item in self._box_items + self._highlight_items + self._doubt_items:
            self._scene.removeItem(item)
        self._box_items, self._highlight_items, self._doubt_items = [], [], []

    def _redraw(self) -> None:
        self._clear_items()
        if self._index < 0:
            return
        box_pen = QPen(QColor(30, 110, 200, 170))
        box_pen.setCosmetic(True)
        box_pen.setWidthF(1.0)
        for bbox in self._blocks.get(self._index, []):
            item = self._scene.addRect(_rect(bbox), box_pen, QBrush(QColor(30, 110, 200, 22)))
            item.setVisible(self.boxes_check.isChecked())
            self._box_items.append(item)
        mark_pen = QPen(QColor(230, 140, 0))
        mark_pen.setCosmetic(True)
        mark_pen.setWidthF(2.5)
        for bbox in self._highlights.get(self._index, []):
            rect = _rect(bbox).adjusted(-4, -3, 4, 3)  # a margin, so the mark does not hide the text
            item = self._scene.addRect(rect, mark_pen, QBrush(QColor(255, 200, 0, 90)))
            item.setZValue(2)
            self._highlight_items.append(item)
        doubt_pen = QPen(QColor(217, 119, 6), 1.5, Qt.PenStyle.DashLine)
        doubt_pen.setCosmetic(True)
        for bbox in self._doubts.get(self._index, []):
            item = self._scene.addRect(_rect(bbox).adjusted(-2, -2, 2, 2), doubt_pen, QBrush(QColor(240, 120, 0, 80)))
            item.setZValue(3)
            item.setToolTip(self.tr("The OCR is unsure of this word"))
            self._doubt_items.append(item)

    def _maybe_want_detail(self) -> None:
        # Image pixels magnified more than 1.25× on screen: ask once for the full-resolution page.
        magnification = self.view.transform().m11() * self._image_scale
        if self._index >= 0 and not self._detail_asked and magnification > 1.25:
            self._detail_asked = True
            self.detailWanted.emit(self._index)

    def image_scale(self) -> float:
        return self._image_scale

    def _zoom_to_focus(self) -> None:
        """Zoom so the focused evidence line fills most of the width (never below fit-width, never
        past one screen pixel per page pixel), centred on it."""
        if self._focus is None or self._focus[0] != self._index or not self.has_image():
            return
        rect = _rect(self._focus[1])
        width = self.view.viewport().width()
        lowest = self.view.fit_width_scale()
        scale = min(max(width * 0.9 / max(rect.width(), 1.0), lowest), max(lowest, 1.0))
        self.view.set_zoom(scale)
        self.view.centerOn(rect.center())
        self._focus = None

    def _on_boxes_toggled(self, visible: bool) -> None:
        for item in self._box_items:
            item.setVisible(visible)
        self.boxesToggled.emit(visible)

    def _update_nav(self) -> None:
        has_page = self._index >= 0
        self._prev.setEnabled(has_page and self._index > 0)
        self._next.setEnabled(has_page and self._index < self._count - 1)
        for widget in (self._zoom_in, self._zoom_out, self._fit, self._fit_width):
            widget.setEnabled(has_page)
        self._page_label.setText(self.tr("Page %1 of %2").replace("%1", str(self._index + 1))
                                 .replace("%2", str(self._count)) if has_page else "")
        self._update_zoom_label()

    def _update_zoom_label(self) -> None:
        self._zoom_label.setText(f"{round(self.view.transform().m11() * 100)}%" if self._index >= 0 else "")

    def retranslate(self) -> None:
        self._fit.setText(self.tr("Fit"))
        self._fit.setToolTip(self.tr("Fit the page to the window"))
        self._fit_width.setText(self.tr("Width"))
        self._fit_width.setToolTip(self.tr("Fit the page's width to the window"))
        self._zoom_in.setToolTip(self.tr("Zoom in (Ctrl+wheel)"))
        self._zoom_out.setToolTip(self.tr("Zoom out (Ctrl+wheel)"))
        self._prev.setToolTip(self.tr("Previous page"))
        self._next.setToolTip(self.tr("Next page"))
        self.boxes_check.setText(self.tr("Show OCR boxes"))
        self._update_nav()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _rect(bbox: BBox) -> QRectF:
    x0, y0, x1, y1 = bbox
    return QRectF(x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0))
