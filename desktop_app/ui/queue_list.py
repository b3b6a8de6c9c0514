"""The document queue: one row per document with its status, a short reason when it failed,
and a context menu (Retry, Cancel, Remove, Clear finished). Delete removes the selected row.

The rules (what comes next, what a row says) are in `review_queue`; this widget draws and asks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QStyle

from desktop_app.ui.review_queue import (  # noqa: F401  (the states are re-exported for callers)
    CANCELLED,
    DONE,
    FAILED,
    READING,
    RETRYABLE,
    RUNNING,
    WAITING,
    short_reason,
)

_KEY_ROLE = Qt.ItemDataRole.UserRole
_STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
_DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2
_PATH_ROLE = Qt.ItemDataRole.UserRole + 3
_REVIEWED_ROLE = Qt.ItemDataRole.UserRole + 4


class QueueList(QListWidget):
    documentSelected = Signal(int)  # document key
    retryRequested = Signal(int)
    removeRequested = Signal(int)
    cancelRequested = Signal(int)  # this document's job only
    cancelAllRequested = Signal()  # the window asks first
    clearFinishedRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("queueList")
        self.setMinimumWidth(180)
        # A row is the file name and a short status; the tooltip has the path and the whole reason.
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(False)
        self.currentItemChanged.connect(self._on_current)
        self.last_menu: QMenu | None = None  # the context menu last shown (tests read its actions)

    def add_document(self, key: int, path: str) -> None:
        item = QListWidgetItem()
        item.setData(_KEY_ROLE, key)
        item.setData(_PATH_ROLE, path)
        item.setData(_REVIEWED_ROLE, False)
        self.addItem(item)
        self.set_status(key, WAITING)

    def remove_document(self, key: int) -> None:
        item = self._item(key)
        if item is not None:
            self.takeItem(self.row(item))

    def set_status(self, key: int, status: str, detail: str = "") -> None:
        item = self._item(key)
        if item is None:
            return
        item.setData(_STATUS_ROLE, status)
        item.setData(_DETAIL_ROLE, detail)
        self._render(item)

    def set_reviewed(self, key: int, reviewed: bool) -> None:
        item = self._item(key)
        if item is not None:
            item.setData(_REVIEWED_ROLE, reviewed)
            self._render(item)

    def status(self, key: int) -> str | None:
        item = self._item(key)
        return None if item is None else item.data(_STATUS_ROLE)

    def item_text(self, key: int) -> str:
        item = self._item(key)
        return "" if item is None else item.text()

    def item_tooltip(self, key: int) -> str:
        item = self._item(key)
        return "" if item is None else item.toolTip()

    def select(self, key: int) -> None:
        item = self._item(key)
        if item is not None:
            self.setCurrentItem(item)

    def current_key(self) -> int | None:
        item = self.currentItem()
        return None if item is None else item.data(_KEY_ROLE)

    def keys(self) -> list[int]:
        return [self.item(row).data(_KEY_ROLE) for row in range(self.count())]

    def _item(self, key: int) -> QListWidgetItem | None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(_KEY_ROLE) == key:
                return item
        return None

    # --- the menu and the keys ----------------------------------------------------------

    def menu_for(self, key: int | None) -> QMenu:
        """The context menu for row `key` (None: the empty area below the rows)."""
        if self.last_menu is not None:
            self.last_menu.deleteLater()  # one menu at a time, not one more child per right-click
        menu = QMenu(self)
        status = self.status(key) if key is not None else None
        if key is not None:
            retry = menu.addAction(self.tr("Retry"), lambda: self.retryRequested.emit(key))
            retry.setEnabled(status in RETRYABLE)
            cancel = menu.addAction(self.tr("Cancel this document"), lambda: self.cancelRequested.emit(key))
            cancel.setEnabled(status in READING)
            menu.addAction(self.tr("Remove from the list") + "\tDel", lambda: self.removeRequested.emit(key))
            menu.addSeparator()
        cancel_all = menu.addAction(self.tr("Cancel all…"), self.cancelAllRequested.emit)
        cancel_all.setEnabled(any(self.status(k) in READING for k in self.keys()))
        clear = menu.addAction(self.tr("Clear finished"), self.clearFinishedRequested.emit)
        clear.setToolTip(self.tr("Remove the documents marked done from the list"))
        clear.setEnabled(any(self._item(k).data(_REVIEWED_ROLE) for k in self.keys()))
        self.last_menu = menu
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        item = self.itemAt(event.pos())
        if item is not None:
            self.setCurrentItem(item)
        menu = self.menu_for(item.data(_KEY_ROLE) if item is not None else None)
        menu.popup(event.globalPos() if not event.globalPos().isNull() else self.mapToGlobal(QPoint(0, 0)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = self.current_key()
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and key is not None:
            self.removeRequested.emit(key)
            event.accept()
            return
        super().keyPressEvent(event)

    # --- drawing ------------------------------------------------------------------------

    def _status_text(self, status: str, reviewed: bool) -> str:
        if reviewed:
            return self.tr("done ✓ reviewed")
        return {
            WAITING: self.tr("waiting"),
            RUNNING: self.tr("reading…"),
            DONE: self.tr("ready to review"),
            FAILED: self.tr("failed"),
            CANCELLED: self.tr("cancelled"),
        }.get(status, status)

    def _render(self, item: QListWidgetItem) -> None:
        status = item.data(_STATUS_ROLE)
        detail = item.data(_DETAIL_ROLE) or ""
        path = item.data(_PATH_ROLE)
        reviewed = bool(item.data(_REVIEWED_ROLE))
        state = self._status_text(status, reviewed)
        if detail:
            state = self.tr("%1: %2").replace("%1", state).replace("%2", short_reason(detail, path))
        text = f"{Path(path).name}\n{state}"
        item.setText(text)
        item.setToolTip(f"{path}\n{detail}" if detail else path)
        icons = {
            WAITING: QStyle.StandardPixmap.SP_FileIcon,
            RUNNING: QStyle.StandardPixmap.SP_BrowserReload,
            DONE: QStyle.StandardPixmap.SP_FileDialogContentsView,
            FAILED: QStyle.StandardPixmap.SP_MessageBoxWarning,
            CANCELLED: QStyle.StandardPixmap.SP_DialogCancelButton,
        }
        icon = QStyle.StandardPixmap.SP_DialogApplyButton if reviewed else \
            icons.get(status, QStyle.StandardPixmap.SP_FileIcon)
        item.setIcon(self.style().standardIcon(icon))
        if status == FAILED:
            item.setForeground(QBrush(QColor("#b3261e")))
        elif reviewed:
            item.setForeground(QBrush(QColor("#5f6b76")))  # reviewed rows step back
        else:
            item.setForeground(QBrush())

    def retranslate(self) -> None:
        for row in range(self.count()):
            self._render(self.item(row))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_current(self, current: QListWidgetItem | None, _previous) -> None:
        if current is not None:
            self.documentSelected.emit(current.data(_KEY_ROLE))
