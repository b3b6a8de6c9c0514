"""A vertical strip of page thumbnails for the document on screen.

The strip renders nothing itself: it asks for the images of the rows on screen (plus a few below)
through `thumbnailsWanted`, lazily, so a 300-page PDF is not rendered all at once, and keeps what
it is given per document key, so coming back to a document shows its thumbnails at once. It hides
itself for documents of one page (the page view alone says it all).
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem

THUMB_WIDTH = 96  # the page image's box; A4 pages fill it, landscape pages are shorter
THUMB_HEIGHT = 136
FRAME = 4  # room around the page for the markers
PREFETCH_ROWS = 3  # rows below the visible ones that are asked for too
CACHED_DOCUMENTS = 20  # documents whose thumbnails are kept (about 40 KB a page)

FAILED_ROLE = Qt.ItemDataRole.UserRole + 1  # the reason a page could not be read, or None
HIGHLIGHT_ROLE = Qt.ItemDataRole.UserRole + 2  # True on pages that hold the selected field's evidence

_FAILED_COLOR = QColor(205, 45, 35)
_HIGHLIGHT_COLOR = QColor(235, 150, 0)


class PageThumbnails(QListWidget):
    pageClicked = Signal(int)  # the user picked page i (0-based)
    thumbnailsWanted = Signal(int, list)  # document key, page indices not rendered yet

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("pageThumbnails")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.TopToBottom)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setSpacing(2)
        self.setIconSize(QSize(THUMB_WIDTH + 2 * FRAME, THUMB_HEIGHT + 2 * FRAME))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setFixedWidth(THUMB_WIDTH + 2 * FRAME + 14 + self.verticalScrollBar().sizeHint().width())
        # The page on screen: its whole tile (page and number) in the selection colour, so it is not
        # mistaken for the amber evidence frame.
        self.setStyleSheet("QListWidget#pageThumbnails::item { border-radius: 4px; padding: 1px; }"
                           "QListWidget#pageThumbnails::item:selected { background: palette(highlight);"
                           " color: palette(highlighted-text); }")

        self._key: int | None = None
        self._count = 0
        self._cache: OrderedDict[int, dict[int, QImage]] = OrderedDict()  # key -> page -> image
        self._requested: set[int] = set()
        self._failed: dict[int, str] = {}
        self._highlighted: set[int] = set()
        self._placeholder = self._blank_page()
        self._syncing = False

        self._timer = QTimer(self)  # coalesces scrolling and resizing into one request
        self._timer.setSingleShot(True)
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._request_visible)
        self.verticalScrollBar().valueChanged.connect(self._timer.start)
        self.currentRowChanged.connect(self._on_current_row_changed)
        self.hide()

    # --- API ----------------------------------------------------------------------------

    def set_document(self, key: int | None, count: int) -> None:
        """Show the pages of document `key` (`None`, or a single page: hide the strip)."""
        if key is None or count <= 1:
            self._key, self._count = key, count
            self.clear()
            self.hide()
            return
        if key == self._key and count == self._count and self.count() == count:
            return
        self._key, self._count = key, count
        self._requested = set()
        self._failed, self._highlighted = {}, set()
        cached = self._cache.setdefault(key, {})
        self._cache.move_to_end(key)
        while len(self._cache) > CACHED_DOCUMENTS:
            self._cache.popitem(last=False)
        self._syncing = True
        self.clear()
        for index in range(count):
            item = QListWidgetItem(str(index + 1))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.addItem(item)
            self._update_item(index, cached.get(index))
        self._syncing = False
        self.show()
        self._timer.start()

    def current_key(self) -> int | None:
        return self._key

    def pixel_width(self) -> int:
        """The width to render thumbnails at: sharp on high-DPI screens too."""
        return round(THUMB_WIDTH * max(self.devicePixelRatioF(), 1.0))

    def set_current(self, index: int) -> None:
        """Select the page on screen (without asking for it again)."""
        if 0 <= index < self.count():
            self._syncing = True
            self.setCurrentRow(index)
            self._syncing = False
            self.scrollToItem(self.item(index), QAbstractItemView.ScrollHint.EnsureVisible)

    def set_thumbnail(self, key: int, index: int, image: QImage) -> None:
        """A rendered thumbnail (null: the page could not be rendered). Kept for its document;
        shown only if that document is on screen."""
        if key not in self._cache:
            return  # a document the cache has already let go of
        self._cache[key][index] = image
        if key == self._key and 0 <= index < self.count():
            self._update_item(index, image)

    def set_failed_pages(self, failed: dict[int, str]) -> None:
        """Pages that could not be read, with the reason (shown in the tooltip)."""
        changed = set(failed) ^ set(self._failed)
        self._failed = dict(failed)
        self._refresh(changed | set(failed))

    def set_highlighted_pages(self, pages: set[int]) -> None:
        """Pages holding the selected field's evidence."""
        changed = set(pages) ^ self._highlighted
        self._highlighted = set(pages)
        self._refresh(changed)

    def has_thumbnail(self, index: int) -> bool:
        image = self._cache.get(self._key, {}).get(index) if self._key is not None else None
        return image is not None and not image.isNull()

    # --- drawing ------------------------------------------------------------------------

    def _refresh(self, rows: set[int]) -> None:
        cached = self._cache.get(self._key, {}) if self._key is not None else {}
        for index in rows:
            if 0 <= index < self.count():
                self._update_item(index, cached.get(index))

    def _update_item(self, index: int, image: QImage | None) -> None:
        item = self.item(index)
        failed = self._failed.get(index)
        highlighted = index in self._highlighted
        item.setData(FAILED_ROLE, failed)
        item.setData(HIGHLIGHT_ROLE, highlighted)
        pixmap = self._decorated(image, failed is not None, highlighted)
        icon = QIcon(pixmap)
        icon.addPixmap(pixmap, QIcon.Mode.Selected)  # no tint: the selection shows behind the page
        item.setIcon(icon)
        tip = self.tr("Page %1").replace("%1", str(index + 1))
        if failed is not None:
            tip += "\n" + (failed or self.tr("This page could not be read."))  # the reason, as a sentence
        if highlighted:
            tip += "\n" + self.tr("Holds the selected field’s evidence")
        item.setToolTip(tip)

    def _decorated(self, image: QImage | None, failed: bool, highlighted: bool) -> QPixmap:
        ratio = self.devicePixelRatioF()
        size = self.iconSize()
        pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        page = self._placeholder if image is None or image.isNull() else QPixmap.fromImage(image)
        shown = page.size().scaled(QSize(THUMB_WIDTH, THUMB_HEIGHT), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(FRAME + (THUMB_WIDTH - shown.width()) // 2, FRAME + (THUMB_HEIGHT - shown.height()) // 2,
                       shown.width(), shown.height())
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawPixmap(target, page)
        painter.setPen(QPen(QColor(0, 0, 0, 70), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(target).adjusted(0.5, 0.5, -0.5, -0.5))
        if highlighted:
            painter.setPen(QPen(_HIGHLIGHT_COLOR, 3))
            painter.drawRect(QRectF(target).adjusted(-1.5, -1.5, 1.5, 1.5))
        if failed:
            painter.setPen(QPen(_FAILED_COLOR, 3))
            painter.drawRect(QRectF(target).adjusted(-1.5, -1.5, 1.5, 1.5) if not highlighted
                             else QRectF(target).adjusted(1.5, 1.5, -1.5, -1.5))
            badge = QRectF(target.right() - 21, target.top() + 3, 18, 18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(_FAILED_COLOR))
            painter.drawEllipse(badge)
            painter.setPen(QPen(Qt.GlobalColor.white))
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "!")
        painter.end()
        return pixmap

    @staticmethod
    def _blank_page() -> QPixmap:
        pixmap = QPixmap(THUMB_WIDTH, THUMB_HEIGHT)
        pixmap.fill(QColor(236, 238, 240))
        return pixmap

    # --- lazy loading -------------------------------------------------------------------

    def _visible_rows(self) -> list[int]:
        area = self.viewport().rect()
        rows: list[int] = []
        below = 0
        for index in range(self.count()):
            rect = self.visualItemRect(self.item(index))
            if rect.bottom() < area.top():
                continue
            if rect.top() > area.bottom():
                below += 1
                if below > PREFETCH_ROWS:
                    break
            rows.append(index)
        return rows

    def _request_visible(self) -> None:
        if self._key is None or not self.isVisible():
            return
        cached = self._cache.get(self._key, {})
        wanted = [i for i in self._visible_rows() if i not in cached and i not in self._requested]
        if wanted:
            self._requested.update(wanted)
            self.thumbnailsWanted.emit(self._key, wanted)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._timer.start()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._timer.start()

    def _on_current_row_changed(self, row: int) -> None:
        if not self._syncing and row >= 0:
            self.pageClicked.emit(row)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._refresh(set(range(self.count())))
        super().changeEvent(event)
