"""One summary field's box (chief complaint, diagnosis or plan), composed by `SummaryPanel`."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
)

from desktop_app.ui.doubt_cues import OCR_DOUBT, FieldDoubt
from desktop_app.ui.layouts import column, row
from desktop_app.ui.text_view import utf16_offset


class FieldBox(QFrame):
    """One field: title, "not documented" badge, "copied" mark, doubt count, Copy, and the editor
    with its doubt underlines. Copy and edits are signalled; the panel owns the clipboard."""

    activated = Signal(str)
    copyRequested = Signal(str)
    edited = Signal(str, str)

    def __init__(self, name: str, number: int, parent=None) -> None:
        super().__init__(parent)
        self.name = name
        self.number = number  # Ctrl+number copies this field
        self.setObjectName(f"field_{name}")
        self._loading = False
        self._not_documented = False
        self._summarized = False
        self._empty_text = "Not documented"  # what an empty field copies (the output language's label)
        self._doubts: list[FieldDoubt] = []
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.badge = QLabel()
        self.badge.setObjectName(f"badge_{name}")
        self.badge.setStyleSheet("color: #6b4f00; background: #f3e7c0; border-radius: 4px; padding: 1px 6px;"
                                 " font-style: italic;")
        self.badge.hide()
        self.copied_mark = QLabel()
        self.copied_mark.setObjectName(f"copied_{name}")
        self.copied_mark.setStyleSheet("color: #1e6b34; font-weight: 600;")
        self.copied_mark.hide()
        self.doubt_label = QLabel()
        self.doubt_label.setObjectName(f"doubts_{name}")
        self.doubt_label.setStyleSheet("color: #8a4b00; background: #ffe9c7; border-radius: 4px; padding: 1px 6px;")
        self.doubt_label.hide()
        self.copy_button = QPushButton()
        self.copy_button.setObjectName(f"copy_{name}")
        self.copy_button.clicked.connect(lambda: self.copyRequested.emit(self.name))
        self.editor = QPlainTextEdit()
        self.editor.setObjectName(f"edit_{name}")
        self.editor.setTabChangesFocus(True)
        self.editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.editor.textChanged.connect(self._on_changed)
        self.editor.viewport().installEventFilter(self)
        self.editor.installEventFilter(self)
        top = row(self.title, self.badge, self.copied_mark, None, self.doubt_label, self.copy_button,
                  margins=(0, 0, 0, 0))
        column(self, top, self.editor, margins=(0, 2, 0, 2), spacing=2)
        self._reset_copy_text = QTimer(self)
        self._reset_copy_text.setSingleShot(True)
        self._reset_copy_text.setInterval(1500)
        self._reset_copy_text.timeout.connect(self.retranslate)
        self.set_editor_height(self.line_height() * 2)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn):
            self.activated.emit(self.name)
        return False

    # --- value --------------------------------------------------------------------------

    def set_value(self, text: str, not_documented: bool, summarized: bool = True) -> None:
        self._loading = True
        try:
            self.editor.setPlainText(text)
        finally:
            self._loading = False
        self._summarized = summarized
        self._not_documented = not_documented and not text
        self.set_doubts([])
        self._update_badge()
        self._update_placeholder()

    def value(self) -> str:
        return self.editor.toPlainText()

    def copy_text(self) -> str:
        """What Copy puts on the clipboard: the text, or the badge's words when it is empty."""
        return self.value().strip() or self._empty_text

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.badge.setText(text)

    def is_not_documented(self) -> bool:
        return not self.value().strip()

    def set_copied(self, copied: bool) -> None:
        self.copied_mark.setVisible(copied)

    def is_copied(self) -> bool:
        return not self.copied_mark.isHidden()

    def flash_copied(self) -> None:
        self.copy_button.setText(self.tr("Copied ✓"))
        self.set_copied(True)
        self._reset_copy_text.start()

    # --- doubts -------------------------------------------------------------------------

    def set_doubts(self, doubts: list[FieldDoubt]) -> None:
        """Underline each placed doubt in the editor and show the count beside Copy."""
        self._doubts = list(doubts)
        text = self.value()
        selections = []
        for doubt in doubts:
            if doubt.start is None or doubt.end is None or doubt.end > len(text):
                continue
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(utf16_offset(text, doubt.start))
            cursor.setPosition(utf16_offset(text, doubt.end), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            colour = QColor("#d97706") if doubt.code == OCR_DOUBT else QColor("#c62828")
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(colour)
            fmt.setBackground(QColor(255, 200, 80, 70))
            fmt.setToolTip(doubt.message)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        self.editor.setExtraSelections(selections)
        self._update_doubt_label()

    def _uncertain_text(self, count: int) -> str:
        # Two source texts, not "%n word(s)": the English UI has no translation file for plurals.
        text = self.tr("⚠ 1 uncertain word — check") if count == 1 else self.tr("⚠ %1 uncertain words — check")
        return text.replace("%1", str(count))

    def doubt_count(self) -> int:
        return len(self._doubts)

    def underlined_texts(self) -> list[str]:
        return [s.cursor.selectedText() for s in self.editor.extraSelections()
                if s.format.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline]

    def _update_doubt_label(self) -> None:
        count = len(self._doubts)
        self.doubt_label.setVisible(count > 0)
        self.doubt_label.setText(self._uncertain_text(count))
        self.doubt_label.setToolTip("\n".join(d.message for d in self._doubts))

    # --- size ---------------------------------------------------------------------------

    def line_height(self) -> int:
        return self.editor.fontMetrics().lineSpacing()

    def content_height(self) -> int:
        """The editor's height that shows all its text at its current width (at least two lines).

        Summed from the laid-out blocks in pixels (a line holding Chinese is taller than the
        Latin font's line spacing), laying every block out at the current width first."""
        document = self.editor.document()
        layout = document.documentLayout()
        height = 0.0
        block = document.firstBlock()
        while block.isValid():
            height += layout.blockBoundingRect(block).height()
            block = block.next()
        margins = self.editor.contentsMargins()
        frame = 2 * document.documentMargin() + margins.top() + margins.bottom()
        return max(int(height + frame) + 2, self.line_height() * 2)

    def set_editor_height(self, height: int) -> None:
        self.editor.setFixedHeight(max(int(height), self.line_height() * 2))

    # --- state --------------------------------------------------------------------------

    def _on_changed(self) -> None:
        self._update_badge()
        if not self._loading:
            self.set_copied(False)  # the clipboard no longer holds what the field says
            self.edited.emit(self.name, self.value())

    def _update_badge(self) -> None:
        self.badge.setVisible(self._summarized and not self.value().strip())

    def _update_placeholder(self) -> None:
        # Only a summarized document can say "not documented"; before that the field is just empty.
        if not self._summarized:
            text = ""
        elif self._not_documented:
            text = self.tr("Not documented in this document")
        else:
            text = self.tr("Empty: Copy gives “%1”").replace("%1", self._empty_text)
        self.editor.setPlaceholderText(text)

    def retranslate(self) -> None:
        titles = {"chief_complaint": self.tr("Chief complaint"), "diagnosis": self.tr("Diagnosis"),
                  "plan": self.tr("Plan")}
        self.title.setText(titles[self.name])
        self.copied_mark.setText(self.tr("✓ copied"))
        self._update_placeholder()
        self._update_doubt_label()
        self.copy_button.setText(self.tr("Copy"))
        tip = self.tr("Copy this field to the clipboard (Ctrl+%1)")
        self.copy_button.setToolTip(tip.replace("%1", str(self.number)))
