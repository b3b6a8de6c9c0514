"""Chief complaint / diagnosis / plan: editable, each with Copy; Copy all; warnings; review notice.

Copied text uses labels in the *output* language (the note's own, or the one chosen in Settings);
the widget titles follow the UI language.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.models import FIELD_NAMES
from desktop_app.report import labels


def format_all(values: dict[str, str], language: str) -> str:
    """The plain text "Copy all" puts on the clipboard; empty fields read "not documented"."""
    words = labels(language)
    colon = "：" if language.startswith("zh") else ": "
    lines = []
    for name in FIELD_NAMES:
        value = values.get(name, "").strip() or words["not_documented"]
        if "\n" in value:
            lines.append(f"{words[name]}{colon.strip()}\n{value}")
        else:
            lines.append(f"{words[name]}{colon}{value}")
    return "\n".join(lines) + "\n"


class _FieldBox(QFrame):
    activated = Signal(str)
    copyRequested = Signal(str)
    edited = Signal(str, str)

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName(f"field_{name}")
        self._loading = False
        self._not_documented = False
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600; font-size: 11pt;")
        self.badge = QLabel()
        self.badge.setStyleSheet("color: #6b4f00; background: #f3e7c0; border-radius: 4px; padding: 1px 6px;"
                                 " font-style: italic;")
        self.badge.hide()
        self.copy_button = QPushButton()
        self.copy_button.setObjectName(f"copy_{name}")
        self.copy_button.clicked.connect(lambda: self.copyRequested.emit(self.name))
        self.editor = QPlainTextEdit()
        self.editor.setObjectName(f"edit_{name}")
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(56)
        self.editor.setMaximumHeight(150)  # the document text below gets the rest of the height
        self.editor.textChanged.connect(self._on_changed)
        self.editor.viewport().installEventFilter(self)
        self.editor.installEventFilter(self)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title)
        top.addWidget(self.badge)
        top.addStretch(1)
        top.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        self._reset_copy_text = QTimer(self)
        self._reset_copy_text.setSingleShot(True)
        self._reset_copy_text.setInterval(1500)
        self._reset_copy_text.timeout.connect(self.retranslate)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn):
            self.activated.emit(self.name)
        return False

    def set_value(self, text: str, not_documented: bool) -> None:
        self._loading = True
        try:
            self.editor.setPlainText(text)
        finally:
            self._loading = False
        self._not_documented = not_documented and not text
        self._update_badge()
        self._update_placeholder()

    def value(self) -> str:
        return self.editor.toPlainText()

    def is_not_documented(self) -> bool:
        return not self.value().strip()

    def flash_copied(self) -> None:
        self.copy_button.setText(self.tr("Copied ✓"))
        self._reset_copy_text.start()

    def _on_changed(self) -> None:
        self._update_badge()
        if not self._loading:
            self.edited.emit(self.name, self.value())

    def _update_badge(self) -> None:
        self.badge.setVisible(self._not_documented and not self.value().strip())

    def _update_placeholder(self) -> None:
        # Only a summarized document can say "not documented"; before that the field is just empty.
        text = self.tr("Not documented in this document") if self._not_documented else ""
        self.editor.setPlaceholderText(text)

    def retranslate(self) -> None:
        titles = {"chief_complaint": self.tr("Chief complaint"), "diagnosis": self.tr("Diagnosis"),
                  "plan": self.tr("Plan")}
        self.title.setText(titles[self.name])
        self.badge.setText(self.tr("Not documented"))
        self._update_placeholder()
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy this field to the clipboard"))


class SummaryPanel(QWidget):
    fieldActivated = Signal(str)  # the user clicked into a field: show its evidence
    fieldEdited = Signal(str, str)  # name, new text (user edits only)
    copied = Signal(str)  # field name, or "all"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryPanel")
        self._output_language = "en"
        self.review_label = QLabel()
        self.review_label.setObjectName("reviewNotice")
        self.review_label.setWordWrap(True)
        self.review_label.setStyleSheet("background: #e8f0fe; color: #1a3d6d; border: 1px solid #aac4ee;"
                                        " border-radius: 6px; padding: 6px; font-weight: 600;")
        self.warnings_label = QLabel()
        self.warnings_label.setObjectName("warningsBanner")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings_label.hide()
        self.fields = {name: _FieldBox(name) for name in FIELD_NAMES}
        self.copy_all_button = QPushButton()
        self.copy_all_button.setObjectName("copyAll")
        self.copy_all_button.clicked.connect(self.copy_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.review_label)
        layout.addWidget(self.warnings_label)
        for box in self.fields.values():
            box.activated.connect(self.fieldActivated)
            box.copyRequested.connect(self.copy_field)
            box.edited.connect(self.fieldEdited)
            layout.addWidget(box)
        layout.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.copy_all_button)
        layout.addLayout(bottom)
        self.retranslate()
        self.set_enabled_fields(False)

    # --- API ----------------------------------------------------------------------------

    def set_values(self, values: dict[str, tuple[str, bool]]) -> None:
        """name -> (text, not_documented)."""
        for name, box in self.fields.items():
            text, not_documented = values.get(name, ("", True))
            box.set_value(text, not_documented)
        self.set_enabled_fields(True)

    def clear(self) -> None:
        for box in self.fields.values():
            box.set_value("", False)
        self.set_warnings([], error=False)
        self.set_enabled_fields(False)

    def set_enabled_fields(self, enabled: bool) -> None:
        for box in self.fields.values():
            box.editor.setEnabled(enabled)
            box.copy_button.setEnabled(enabled)
        self.copy_all_button.setEnabled(enabled)

    def value(self, name: str) -> str:
        return self.fields[name].value()

    def values(self) -> dict[str, str]:
        return {name: box.value() for name, box in self.fields.items()}

    def set_output_language(self, language: str) -> None:
        self._output_language = language

    def output_language(self) -> str:
        return self._output_language

    def set_warnings(self, lines: list[str], error: bool = False) -> None:
        if not lines:
            self.warnings_label.hide()
            self.warnings_label.clear()
            return
        colours = ("#fde8e7", "#8c1d18", "#f2b8b5") if error else ("#fff4ce", "#5c4300", "#f0d48a")
        self.warnings_label.setStyleSheet(
            f"background: {colours[0]}; color: {colours[1]}; border: 1px solid {colours[2]};"
            " border-radius: 6px; padding: 6px;")
        self.warnings_label.setText("\n".join(f"⚠ {line}" for line in lines))
        self.warnings_label.show()

    def warnings_text(self) -> str:
        return self.warnings_label.text() if self.warnings_label.isVisible() else ""

    def copy_field(self, name: str) -> None:
        if not self.copy_all_button.isEnabled():
            return
        box = self.fields[name]
        text = box.value().strip() or labels(self._output_language)["not_documented"]
        QGuiApplication.clipboard().setText(text)
        box.flash_copied()
        self.copied.emit(name)

    def copy_all(self) -> None:
        if not self.copy_all_button.isEnabled():
            return
        QGuiApplication.clipboard().setText(format_all(self.values(), self._output_language))
        self.copy_all_button.setText(self.tr("Copied ✓"))
        QTimer.singleShot(1500, self.retranslate)
        self.copied.emit("all")

    def retranslate(self) -> None:
        self.review_label.setText(self.tr("Review before use: every field is copied from the document. "
                                          "Check it against the source before entering it in the EMR."))
        self.copy_all_button.setText(self.tr("Copy all"))
        self.copy_all_button.setToolTip(self.tr("Copy all three fields with their labels (Ctrl+Shift+C)"))
        for box in self.fields.values():
            box.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
