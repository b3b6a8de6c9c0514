"""The document queue: one row per document with its status (waiting/running/done/failed)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle

WAITING = "waiting"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"

_KEY_ROLE = Qt.ItemDataRole.UserRole
_STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
_DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2
_PATH_ROLE = Qt.ItemDataRole.UserRole + 3


class QueueList(QListWidget):
    documentSelected = Signal(int)  # document key

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("queueList")
        self.setMinimumWidth(200)
        # Long file names and reasons are shortened in the middle; the tooltip has them in full.
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(False)
        self.currentItemChanged.connect(self._on_current)

    def add_document(self, key: int, path: str) -> None:
        item = QListWidgetItem()
        item.setData(_KEY_ROLE, key)
        item.setData(_PATH_ROLE, path)
        self.addItem(item)
        self.set_status(key, WAITING)

    def set_status(self, key: int, status: str, detail: str = "") -> None:
        item = self._item(key)
        if item is None:
            return
        item.setData(_STATUS_ROLE, status)
        item.setData(_DETAIL_ROLE, detail)
        self._render(item)

    def status(self, key: int) -> str | None:
        item = self._item(key)
        return None if item is None else item.data(_STATUS_ROLE)

    def item_text(self, key: int) -> str:
        item = self._item(key)
        return "" if item is None else item.text()

    def select(self, key: int) -> None:
        item = self._item(key)
        if item is not None:
            self.setCurrentItem(item)

    def keys(self) -> list[int]:
        return [self.item(row).data(_KEY_ROLE) for row in range(self.count())]

    def _item(self, key: int) -> QListWidgetItem | None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(_KEY_ROLE) == key:
                return item
        return None

    def _status_text(self, status: str) -> str:
        return {
            WAITING: self.tr("waiting"),
            RUNNING: self.tr("running…"),
            DONE: self.tr("done"),
            FAILED: self.tr("failed"),
            CANCELLED: self.tr("cancelled"),
        }.get(status, status)

    def _render(self, item: QListWidgetItem) -> None:
        status = item.data(_STATUS_ROLE)
        detail = item.data(_DETAIL_ROLE) or ""
        path = item.data(_PATH_ROLE)
        text = f"{Path(path).name}\n{self._status_text(status)}"
        if detail:
            text += f": {detail}"
        item.setText(text)
        item.setToolTip(f"{path}\n{detail}" if detail else path)
        icons = {
            WAITING: QStyle.StandardPixmap.SP_FileIcon,
            RUNNING: QStyle.StandardPixmap.SP_BrowserReload,
            DONE: QStyle.StandardPixmap.SP_DialogApplyButton,
            FAILED: QStyle.StandardPixmap.SP_MessageBoxWarning,
            CANCELLED: QStyle.StandardPixmap.SP_DialogCancelButton,
        }
        item.setIcon(self.style().standardIcon(icons.get(status, QStyle.StandardPixmap.SP_FileIcon)))
        item.setForeground(QBrush(QColor("#b3261e")) if status == FAILED else QBrush())

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
