"""Chief complaint / diagnosis / plan: editable, each with Copy (Ctrl+1/2/3), a "copied" mark and
its doubt cues; Copy all; warnings; the review notice; "Done, next patient"; note navigation for
files that hold several notes.

Copied text uses labels in the *output* language (the note's own, or the one chosen in Settings);
the widget titles follow the UI language. An empty field copies exactly what its badge shows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.models import FIELD_NAMES
from desktop_app.report import labels
from desktop_app.ui.doubt_cues import FieldDoubt
from desktop_app.ui.field_box import FieldBox

LABEL_STYLES = ("colon", "upper", "brackets")  # "Plan: …", "PLAN: …", "【Plan】…"
SEPARATORS = ("line", "blank_line")


def format_all(values: dict[str, str], language: str, label_style: str = "colon",
               separator: str = "line") -> str:
    """The plain text "Copy all" puts on the clipboard; empty fields read "not documented".

    `label_style` and `separator` are the EMR template (Settings → Copy all)."""
    words = labels(language)
    zh = language.startswith("zh")
    colon = "：" if zh else ": "
    lines = []
    for name in FIELD_NAMES:
        value = values.get(name, "").strip() or words["not_documented"]
        label = words[name]
        if label_style == "brackets":
            head = f"【{label}】"
            lines.append(f"{head}\n{value}" if "\n" in value else f"{head}{value}")
            continue
        if label_style == "upper":
            label = label.upper()
        if "\n" in value:
            lines.append(f"{label}{colon.strip()}\n{value}")
        else:
            lines.append(f"{label}{colon}{value}")
    return ("\n\n" if separator == "blank_line" else "\n").join(lines) + "\n"


class SummaryPanel(QWidget):
    fieldActivated = Signal(str)  # the user clicked into a field: show its evidence
    fieldEdited = Signal(str, str)  # name, new text (user edits only)
    copied = Signal(str)  # field name, or "all"
    doneRequested = Signal()  # "Done, next patient"
    noteRequested = Signal(int)  # a file with several notes: show note i (0-based)
    wantedHeightChanged = Signal(int)  # the height that shows every field whole (the window sizes the pane)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryPanel")
        self._output_language = "en"
        self._label_style = "colon"
        self._separator = "line"
        self._note = (0, 0, "")  # index, count, title
        self._wanted_height = 0
        self.review_label = QLabel()
        self.review_label.setObjectName("reviewNotice")
        self.review_label.setWordWrap(True)
        self.review_label.setStyleSheet("background: #e8f0fe; color: #1a3d6d; border: 1px solid #aac4ee;"
                                        " border-radius: 6px; padding: 4px 6px; font-weight: 600;")
        self.warnings_label = QLabel()
        self.warnings_label.setObjectName("warningsBanner")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings_label.hide()
        self.note_bar = QWidget()
        self.note_bar.setObjectName("noteBar")
        self._note_prev = QToolButton()
        self._note_prev.setText("◀")
        self._note_prev.clicked.connect(lambda: self.noteRequested.emit(self._note[0] - 1))
        self._note_next = QToolButton()
        self._note_next.setText("▶")
        self._note_next.clicked.connect(lambda: self.noteRequested.emit(self._note[0] + 1))
        self.note_label = QLabel()
        self.note_label.setObjectName("noteLabel")
        self.note_label.setStyleSheet("font-weight: 600;")
        note_layout = QHBoxLayout(self.note_bar)
        note_layout.setContentsMargins(0, 0, 0, 0)
        note_layout.addWidget(self._note_prev)
        note_layout.addWidget(self.note_label, 1)
        note_layout.addWidget(self._note_next)
        self.note_bar.hide()
        self.fields = {name: FieldBox(name, number) for number, name in enumerate(FIELD_NAMES, start=1)}
        self.copy_all_button = QPushButton()
        self.copy_all_button.setObjectName("copyAll")
        self.copy_all_button.clicked.connect(self.copy_all)
        self.doubt_total = QLabel()
        self.doubt_total.setObjectName("doubtTotal")
        self.doubt_total.setStyleSheet("color: #8a4b00; font-weight: 600;")
        self.doubt_total.hide()
        self.done_button = QPushButton()
        self.done_button.setObjectName("doneNext")
        self.done_button.clicked.connect(self.doneRequested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.review_label)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.note_bar)
        for box in self.fields.values():
            box.activated.connect(self.fieldActivated)
            box.copyRequested.connect(self.copy_field)
            box.edited.connect(self.fieldEdited)
            box.editor.textChanged.connect(self._schedule_fit)
            layout.addWidget(box)
        layout.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.done_button)
        bottom.addStretch(1)
        bottom.addWidget(self.doubt_total)
        bottom.addWidget(self.copy_all_button)
        layout.addLayout(bottom)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_fields)
        self.retranslate()
        self.set_enabled_fields(False)
        self.set_done_enabled(False)  # nothing to mark done before a document is read

    # --- API ----------------------------------------------------------------------------

    def set_values(self, values: dict[str, tuple[str, bool]]) -> None:
        """name -> (text, not_documented)."""
        for name, box in self.fields.items():
            text, not_documented = values.get(name, ("", True))
            box.set_value(text, not_documented)
        self.set_enabled_fields(True)
        self._update_doubt_total()
        self.fit_fields()

    def clear(self) -> None:
        for box in self.fields.values():
            box.set_value("", False, summarized=False)
            box.set_copied(False)
        self.set_warnings([], error=False)
        self.set_note(0, 0)
        self.set_enabled_fields(False)
        self.set_done_enabled(False)  # the window enables it again for a document that was read
        self._update_doubt_total()
        self.fit_fields()

    def set_enabled_fields(self, enabled: bool) -> None:
        for box in self.fields.values():
            box.editor.setEnabled(enabled)
            box.copy_button.setEnabled(enabled)
        self.copy_all_button.setEnabled(enabled)

    def set_done_enabled(self, enabled: bool) -> None:
        self.done_button.setEnabled(enabled)

    def value(self, name: str) -> str:
        return self.fields[name].value()

    def values(self) -> dict[str, str]:
        return {name: box.value() for name, box in self.fields.items()}

    def set_output_language(self, language: str) -> None:
        self._output_language = language
        for box in self.fields.values():
            box.set_empty_text(labels(language)["not_documented"])
            box._update_placeholder()

    def output_language(self) -> str:
        return self._output_language

    def set_copy_template(self, label_style: str, separator: str) -> None:
        self._label_style = label_style if label_style in LABEL_STYLES else "colon"
        self._separator = separator if separator in SEPARATORS else "line"

    def set_doubts(self, doubts: dict[str, list[FieldDoubt]]) -> None:
        for name, box in self.fields.items():
            box.set_doubts(doubts.get(name, []))
        self._update_doubt_total()

    def set_copied(self, names: set[str]) -> None:
        for name, box in self.fields.items():
            box.set_copied(name in names)

    def set_note(self, index: int, count: int, title: str = "") -> None:
        """A file with several notes: which one the fields show ("note 2 of 3"); count < 2 hides the bar."""
        self._note = (index, count, title)
        self.note_bar.setVisible(count > 1)
        self._note_prev.setEnabled(index > 0)
        self._note_next.setEnabled(index < count - 1)
        self._update_note_label()

    def set_editor_font(self, font: QFont) -> None:
        for box in self.fields.values():
            box.editor.setFont(font)
        self.fit_fields()

    def set_warnings(self, lines: list[str], error: bool = False) -> None:
        if not lines:
            self.warnings_label.hide()
            self.warnings_label.clear()
            self._schedule_fit()
            return
        colours = ("#fde8e7", "#8c1d18", "#f2b8b5") if error else ("#fff4ce", "#5c4300", "#f0d48a")
        self.warnings_label.setStyleSheet(
            f"background: {colours[0]}; color: {colours[1]}; border: 1px solid {colours[2]};"
            " border-radius: 6px; padding: 4px 6px;")
        self.warnings_label.setText("\n".join(f"⚠ {line}" for line in lines))
        self.warnings_label.show()
        self._schedule_fit()

    def warnings_text(self) -> str:
        return self.warnings_label.text() if self.warnings_label.isVisible() else ""

    def copy_field(self, name: str) -> None:
        if not self.copy_all_button.isEnabled():
            return
        box = self.fields[name]
        QGuiApplication.clipboard().setText(box.copy_text())
        box.flash_copied()
        self.copied.emit(name)

    def copy_all(self) -> None:
        if not self.copy_all_button.isEnabled():
            return
        QGuiApplication.clipboard().setText(format_all(self.values(), self._output_language,
                                                       self._label_style, self._separator))
        self.copy_all_button.setText(self.tr("Copied ✓"))
        for box in self.fields.values():
            box.set_copied(True)
        QTimer.singleShot(1500, self.retranslate)
        self.copied.emit("all")

    # --- sizing: each field as tall as its text, within the panel -----------------------

    def _schedule_fit(self) -> None:
        self._fit_timer.start()

    def fit_fields(self) -> None:
        """Share the panel's free height among the fields by need: a short field takes only its
        lines, a long one the rest (and scrolls only when the panel cannot hold it)."""
        boxes = list(self.fields.values())
        layout = self.layout()
        layout.invalidate()  # the hint must count the banner or note bar just shown or hidden
        # Everything but the editors: the layout's own height hint less the editors' current heights.
        # (For the panel's real width: the wrapped review notice and banner are shorter when wide.)
        hint = layout.heightForWidth(self.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
        fixed = hint - sum(box.editor.height() for box in boxes)
        available = max(self.height() - fixed, 0)
        wanted = {box.name: box.content_height() for box in boxes}
        heights = _share(wanted, available, minimum=boxes[0].line_height() * 2)
        for box in boxes:
            box.set_editor_height(heights[box.name])
        wanted_height = fixed + sum(wanted.values())
        if wanted_height != self._wanted_height:
            self._wanted_height = wanted_height
            self.wantedHeightChanged.emit(wanted_height)

    def wanted_height(self) -> int:
        return self._wanted_height

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._schedule_fit()

    # --- texts --------------------------------------------------------------------------

    def _update_doubt_total(self) -> None:
        total = sum(box.doubt_count() for box in self.fields.values())
        self.doubt_total.setVisible(total > 0)
        text = self.tr("⚠ 1 uncertain word — check") if total == 1 else self.tr("⚠ %1 uncertain words — check")
        self.doubt_total.setText(text.replace("%1", str(total)))

    def _update_note_label(self) -> None:
        index, count, title = self._note
        text = self.tr("Note %1 of %2").replace("%1", str(index + 1)).replace("%2", str(count))
        self.note_label.setText(f"{text} — {title}" if title else text)

    def retranslate(self) -> None:
        self.review_label.setText(self.tr("Review before use: every field is copied from the document. "
                                          "Check it against the source before entering it in the EMR."))
        self.copy_all_button.setText(self.tr("Copy all"))
        self.copy_all_button.setToolTip(self.tr("Copy all three fields with their labels (Ctrl+Shift+C)"))
        self.done_button.setText(self.tr("Done ✓ Next patient"))
        self.done_button.setToolTip(self.tr("Mark this document done and show the next one (Ctrl+Down)"))
        self._note_prev.setToolTip(self.tr("Previous note"))
        self._note_next.setToolTip(self.tr("Next note"))
        self._update_note_label()
        self._update_doubt_total()
        for box in self.fields.values():
            box.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _share(wanted: dict[str, int], available: int, minimum: int) -> dict[str, int]:
    """Water-filling: fields that need less than an equal share get what they need; the others
    split what is left equally. Every field gets at least `minimum`."""
    heights: dict[str, int] = {}
    left = dict(wanted)
    budget = available
    while left:
        share = budget // len(left)
        small = {name: need for name, need in left.items() if need <= share}
        if not small:
            for name in left:
                heights[name] = max(share, minimum)
            break
        for name, need in small.items():
            heights[name] = max(need, minimum)
            budget -= need
            del left[name]
    return heights
