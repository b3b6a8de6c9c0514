"""The document's text, editable, with evidence highlights and "Summarize again".

Evidence spans are Python character offsets into the text the summary was made from; Qt counts
UTF-16 code units, so offsets are converted (they differ after any character outside the BMP).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QToolButton,
    QWidget,
)

from desktop_app.ui.layouts import column, row


def utf16_offset(text: str, index: int) -> int:
    prefix = text[:index]
    return index + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


class TextView(QWidget):
    summarizeRequested = Signal(str)
    textEdited = Signal(str)  # the user changed the text (not emitted for set_text)
    hideRequested = Signal()  # the pane's own "Hide" button (View → Show document text brings it back)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("textView")
        self._loading = False
        self._title = QLabel()
        self._title.setStyleSheet("font-weight: 600;")
        self._hint = QLabel()
        self._hint.setStyleSheet("color: #5f6b76;")
        self._hint.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("ocrText")
        self.editor.textChanged.connect(self._on_changed)
        self.summarize_button = QPushButton()
        self.summarize_button.clicked.connect(lambda: self.summarizeRequested.emit(self.text()))
        self.summarize_button.setEnabled(False)
        self.hide_button = QToolButton()
        self.hide_button.setObjectName("hideText")
        self.hide_button.clicked.connect(self.hideRequested)
        column(self, row(self._title, None, self.summarize_button, self.hide_button), self._hint, (self.editor, 1))
        self.retranslate()

    def set_text(self, text: str) -> None:
        self._loading = True
        try:
            self.editor.setPlainText(text)
        finally:
            self._loading = False
        self.editor.setExtraSelections([])

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_summarize_enabled(self, enabled: bool) -> None:
        self.summarize_button.setEnabled(enabled)

    def highlight(self, spans: list[tuple[int, int]]) -> None:
        """Mark spans (Python offsets into the current text) and scroll to the first."""
        text = self.text()
        selections = []
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(255, 214, 102))
        for start, end in spans:
            start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
            if end <= start:
                continue
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(utf16_offset(text, start))
            cursor.setPosition(utf16_offset(text, end), QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        self.editor.setExtraSelections(selections)
        if selections:
            # Show the span without moving the user's own cursor or selection for long.
            cursor = QTextCursor(selections[0].cursor)
            cursor.setPosition(cursor.selectionStart())
            self.editor.setTextCursor(cursor)
            self.editor.centerCursor()

    def highlighted_texts(self) -> list[str]:
        return [selection.cursor.selectedText() for selection in self.editor.extraSelections()]

    def clear_highlight(self) -> None:
        self.editor.setExtraSelections([])

    def set_hint(self, text: str) -> None:
        self._hint.setText(text)
        self._hint.setVisible(bool(text))

    def _on_changed(self) -> None:
        if not self._loading:
            self.editor.setExtraSelections([])  # old spans no longer match edited text
            self.textEdited.emit(self.text())

    def retranslate(self) -> None:
        self._title.setText(self.tr("Document text (editable)"))
        self.summarize_button.setText(self.tr("Summarize again"))
        self.summarize_button.setToolTip(self.tr("Summarize the corrected text"))
        self.hide_button.setText(self.tr("Hide"))
        self.hide_button.setToolTip(self.tr("Hide the document text (View → Show document text)"))
        self.editor.setPlaceholderText(self.tr("The text read from the document appears here."))
        self.set_hint(self._hint.text())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
