"""Preferences: everyday options first (languages, text size, the "Copy all" template, the scan
inbox, history); engines, model folders, device, quantization, the OCR and summary servers and how many
documents run at once against them under "Advanced".

Edits a `Preferences` value; the main window persists it and applies it (no restart needed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.settings import Preferences, preference_choices
from desktop_app.ui.setting_fields import (
    FolderEdit,
    endpoint_problem,
    folder_problem,
    problem_label,
    runs_on_server,
    show_value,
    widget_value,
)

_ASK = object()


class SettingsDialog(QDialog):
    deleteHistoryRequested = Signal()  # the user confirmed "Delete all history"

    def __init__(self, prefs: Preferences, ocr_engines: list[str], summarizers: list[str],
                 parent=None, history_reason: str | None | object = _ASK, ui_language: str = "en") -> None:
        """`history_reason`: why history cannot be on here (None = it can); asked of
        `privacy.history`, in `ui_language`, when not given."""
        super().__init__(parent)
        if history_reason is _ASK:
            from desktop_app.privacy import history

            history_reason = history.unavailable_reason(ui_language)
        self.history_reason: str | None = history_reason
        self.setObjectName("settingsDialog")
        self.setMinimumWidth(560)
        self._prefs = prefs

        self.ocr_combo = QComboBox()
        for name in ["auto", *ocr_engines]:
            self.ocr_combo.addItem(name, name)
        self.summarizer_combo = QComboBox()
        for name in summarizers:
            self.summarizer_combo.addItem(name, name)
        self.ocr_model = FolderEdit()
        self.summarizer_model = FolderEdit()
        self.device_combo = QComboBox()
        self.quantization_combo = QComboBox()
        self.ui_language_combo = QComboBox()
        self.output_language_combo = QComboBox()
        self.font_size_combo = QComboBox()
        self.label_style_combo = QComboBox()
        self.separator_combo = QComboBox()
        self.endpoint_edit = QLineEdit()
        self.served_model_edit = QLineEdit()
        self.summary_endpoint_edit = QLineEdit()
        self.summary_served_model_edit = QLineEdit()
        for edit in (self.endpoint_edit, self.summary_endpoint_edit):
            edit.setPlaceholderText("http://127.0.0.1:8000/v1")
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(1, 64)  # 1 = one document at a time, as in-process engines always run
        self.allowed_hosts_edit = QPlainTextEdit()
        self.allowed_hosts_edit.setMaximumHeight(70)
        self.endpoint_problem = problem_label()
        self.summary_endpoint_problem = problem_label()
        self.inbox_folder = FolderEdit()
        self.keep_history_check = QCheckBox()
        # Preferences field -> its widget: loading and reading the values go through this one map.
        self._fields: dict[str, QWidget] = {
            "ocr_engine": self.ocr_combo, "summarizer": self.summarizer_combo, "ocr_model": self.ocr_model,
            "summarizer_model": self.summarizer_model, "device": self.device_combo,
            "quantization": self.quantization_combo, "ui_language": self.ui_language_combo,
            "output_language": self.output_language_combo, "endpoint": self.endpoint_edit,
            "served_model": self.served_model_edit, "summary_endpoint": self.summary_endpoint_edit,
            "summary_served_model": self.summary_served_model_edit, "concurrency": self.concurrency_spin,
            "allowed_hosts": self.allowed_hosts_edit, "inbox_folder": self.inbox_folder,
            "keep_history": self.keep_history_check, "font_size": self.font_size_combo,
            "copy_label_style": self.label_style_combo, "copy_separator": self.separator_combo,
        }
        for name, widget in self._fields.items():
            if isinstance(widget, QComboBox) and widget.count() == 0:
                for value in preference_choices(name) or ():
                    widget.addItem(value, value)

        self._engines_box = QGroupBox()
        engines = QFormLayout(self._engines_box)
        self._labels: dict[str, QLabel] = defaultdict(QLabel)  # a row's label, made when first used
        engines.addRow(self._labels["ocr"], self.ocr_combo)
        engines.addRow(self._labels["summarizer"], self.summarizer_combo)
        engines.addRow(self._labels["ocr_model"], self.ocr_model)
        engines.addRow(self._labels["summarizer_model"], self.summarizer_model)
        engines.addRow(self._labels["device"], self.device_combo)
        engines.addRow(self._labels["quantization"], self.quantization_combo)
        self._language_box = QGroupBox()
        languages = QFormLayout(self._language_box)
        languages.addRow(self._labels["ui_language"], self.ui_language_combo)
        languages.addRow(self._labels["output_language"], self.output_language_combo)
        languages.addRow(self._labels["font_size"], self.font_size_combo)
        template = QHBoxLayout()
        template.addWidget(self.label_style_combo, 1)
        template.addWidget(self.separator_combo, 1)
        languages.addRow(self._labels["copy_template"], template)
        self._network_box = QGroupBox()
        network = QFormLayout(self._network_box)
        network.addRow(self._labels["endpoint"], self.endpoint_edit)
        network.addRow(self._labels["served_model"], self.served_model_edit)
        network.addRow(self.endpoint_problem)
        network.addRow(self._labels["summary_endpoint"], self.summary_endpoint_edit)
        network.addRow(self._labels["summary_served_model"], self.summary_served_model_edit)
        network.addRow(self.summary_endpoint_problem)
        network.addRow(self._labels["allowed_hosts"], self.allowed_hosts_edit)  # below both URLs: see the messages
        network.addRow(self._labels["concurrency"], self.concurrency_spin)
        self._inbox_box = QGroupBox()
        inbox = QFormLayout(self._inbox_box)
        inbox.addRow(self._labels["inbox_folder"], self.inbox_folder)
        self.history_reason_label = QLabel()
        self.history_reason_label.setWordWrap(True)
        self.history_reason_label.setStyleSheet("color: #b3261e;")
        self.history_reason_label.setVisible(self.history_reason is not None)
        self.keep_history_check.setEnabled(self.history_reason is None)
        self.delete_history_button = QPushButton()
        self.delete_history_button.clicked.connect(self.confirm_delete_history)
        self._history_box = QGroupBox()
        history_layout = QVBoxLayout(self._history_box)
        history_layout.addWidget(self.keep_history_check)
        history_layout.addWidget(self.history_reason_label)
        history_layout.addWidget(self.delete_history_button)
        self._privacy = QLabel()
        self._privacy.setWordWrap(True)
        self._privacy.setStyleSheet("color: #5f6b76;")

        buttons = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(buttons.Ok | buttons.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Clinicians see the everyday options; engines, servers and quantization are for IT.
        self.advanced_button = QToolButton()
        self.advanced_button.setObjectName("advancedToggle")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setAutoRaise(True)
        self.advanced_button.toggled.connect(self.set_advanced_visible)
        self.advanced = QWidget()
        self.advanced.setObjectName("advancedSection")
        advanced_layout = QVBoxLayout(self.advanced)
        advanced_layout.setContentsMargins(0, 0, 0, 0)
        advanced_layout.addWidget(self._engines_box)
        advanced_layout.addWidget(self._network_box)
        self._content = QWidget()
        layout = QVBoxLayout(self._content)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self._language_box, self._inbox_box, self._history_box, self.advanced_button, self.advanced,
                       self._privacy):
            layout.addWidget(widget)
        layout.addStretch(1)
        # With Advanced open the options are taller than a 1366×768 screen: they scroll, the buttons stay.
        self._scroll = QScrollArea()
        self._scroll.setWidget(self._content)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.addWidget(self._scroll, 1)
        outer.addWidget(self.buttons)
        self.set_advanced_visible(False)

        lines = (self.ocr_model.line, self.summarizer_model.line, self.endpoint_edit, self.summary_endpoint_edit,
                 self.inbox_folder.line)
        for line in lines:
            line.textChanged.connect(self._validate)
        self.allowed_hosts_edit.textChanged.connect(self._validate)
        for edit in (self.served_model_edit, self.summary_served_model_edit):
            edit.textChanged.connect(self._validate)
        for combo in (self.ocr_combo, self.summarizer_combo):
            combo.currentIndexChanged.connect(self._validate)
        self._load(prefs)
        self.retranslate()

    # --- values -------------------------------------------------------------------------

    def _load(self, prefs: Preferences) -> None:
        for name, widget in self._fields.items():
            show_value(widget, getattr(prefs, name))
        self.keep_history_check.setChecked(prefs.keep_history and self.history_reason is None)

    def _allowed_hosts(self) -> list[str]:
        return list(widget_value(self.allowed_hosts_edit))

    def preferences(self) -> Preferences:
        values = {name: widget_value(widget) for name, widget in self._fields.items()}
        values["keep_history"] = values["keep_history"] and self.history_reason is None
        return replace(self._prefs, **values)

    def set_advanced_visible(self, visible: bool) -> None:
        self.advanced.setVisible(visible)
        if self.advanced_button.isChecked() != visible:
            self.advanced_button.setChecked(visible)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if visible else Qt.ArrowType.RightArrow)
        self._fit_to_screen()

    def _fit_to_screen(self) -> None:
        """As tall as the options need, but no taller than the screen's free area."""
        self._content.adjustSize()
        margins = self.layout().contentsMargins()
        wanted = (self._content.sizeHint().height() + self.buttons.sizeHint().height()
                  + self.layout().spacing() + margins.top() + margins.bottom())
        screen = (self.parentWidget() or self).screen()
        room = screen.availableGeometry().height() - 60 if screen is not None else wanted  # 60: the title bar
        width = max(self.minimumWidth(), self._content.sizeHint().width() + margins.left() + margins.right())
        self.resize(width, min(wanted, room))

    def confirm_delete_history(self) -> bool:
        """Ask, then request deletion of every history entry and its key."""
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, self.tr("Delete all history"),
            self.tr("Delete every stored document and summary, and the history's key? This cannot be undone."),
            buttons.Yes | buttons.No, buttons.No)
        if answer != buttons.Yes:
            return False
        self.deleteHistoryRequested.emit()
        return True

    # --- validation ---------------------------------------------------------------------

    def _validate(self) -> bool:
        ok = True
        for edit in (self.ocr_model, self.summarizer_model):
            problem = folder_problem(edit.line.text())
            code, detail = problem or ("", "")
            message = {
                "missing": self.tr("This folder does not exist."),
                "empty": self.tr("This folder is empty: the model files are missing."),
                "check": self.tr("The model check found problems: %1").replace("%1", detail),
            }.get(code, "")
            edit.problem.setText(message)
            edit.problem.setVisible(problem is not None)
            ok = ok and problem is None
        inbox = self.inbox_folder.line.text().strip()
        inbox_missing = bool(inbox) and not Path(inbox).expanduser().is_dir()
        self.inbox_folder.problem.setText(self.tr("This folder does not exist.") if inbox_missing else "")
        self.inbox_folder.problem.setVisible(inbox_missing)
        ok = ok and not inbox_missing
        endpoint_messages = {
            "bad_url": self.tr("Enter a URL such as http://127.0.0.1:8000/v1."),
            "not_allowed": self.tr("This host is neither this computer nor in the allowed list below; "
                                   "documents are never sent to it."),
            "unset": self.tr("The chosen engine runs on a server: enter its URL and the model name on it."),
        }
        for kind, combo, edit, model, label in (
                ("ocr", self.ocr_combo, self.endpoint_edit, self.served_model_edit, self.endpoint_problem),
                ("summary", self.summarizer_combo, self.summary_endpoint_edit, self.summary_served_model_edit,
                 self.summary_endpoint_problem)):
            problem = endpoint_problem(edit.text(), self._allowed_hosts())
            if problem is None and runs_on_server(kind, combo.currentData()) and not (
                    edit.text().strip() and model.text().strip()):
                problem = "unset"
            label.setText(endpoint_messages.get(problem, ""))
            label.setVisible(problem is not None)
            ok = ok and problem is None
        advanced_problems = (self.ocr_model.problem, self.summarizer_model.problem, self.endpoint_problem,
                             self.summary_endpoint_problem)
        shown = [label for label in advanced_problems if label.text()]
        if shown:  # OK is disabled because of an advanced option: show why
            if self.advanced.isHidden():
                self.set_advanced_visible(True)
            self._scroll.ensureWidgetVisible(shown[0])
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def accept(self) -> None:
        if self._validate():
            super().accept()

    # --- texts --------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        self._engines_box.setTitle(self.tr("Engines"))
        self._language_box.setTitle(self.tr("Reading and copying"))
        self.advanced_button.setText(self.tr("Advanced: engines, model folders, servers"))
        self._network_box.setTitle(self.tr("Local servers"))
        self._inbox_box.setTitle(self.tr("Scan inbox"))
        texts = {
            "ocr": self.tr("OCR engine"), "summarizer": self.tr("Summarizer"),
            "ocr_model": self.tr("OCR model folder"), "summarizer_model": self.tr("Summary model folder"),
            "device": self.tr("Device"), "quantization": self.tr("Quantization"),
            "ui_language": self.tr("Interface language"), "output_language": self.tr("Summary labels"),
            "endpoint": self.tr("OCR server URL"), "served_model": self.tr("Model name on the server"),
            "summary_endpoint": self.tr("Summary server URL"),
            "summary_served_model": self.tr("Model name on the summary server"),
            "concurrency": self.tr("Documents at once (servers only)"),
            "allowed_hosts": self.tr("Allowed hosts (one per line)"),
            "inbox_folder": self.tr("New files in this folder are opened"),
            "font_size": self.tr("Text size"), "copy_template": self.tr("“Copy all” labels"),
        }
        for key, text in texts.items():
            self._labels[key].setText(text)
        for edit in (self.ocr_model, self.summarizer_model):
            edit.line.setPlaceholderText(self.tr("(not used by the embedded engines)"))
        for edit in (self.ocr_model, self.summarizer_model, self.inbox_folder):
            edit.browse.setText(self.tr("Choose…"))
        self.inbox_folder.line.setPlaceholderText(self.tr("(none)"))
        self.concurrency_spin.setToolTip(self.tr(
            "How many documents are sent at once when the OCR and the summary run on servers; "
            "engines that run on this computer always take one document at a time."))
        self._history_box.setTitle(self.tr("History"))
        self.keep_history_check.setText(self.tr("Keep history (encrypted, kept 30 days)"))
        if self.history_reason is not None:
            # The technical reason (which keyring was found) stays in the tooltip, as reported.
            self.history_reason_label.setText(self.tr("History is unavailable on this computer: there is no "
                                                      "secure OS keyring (or encryption support) to protect its key."))
            self.history_reason_label.setToolTip(self.history_reason)
        self.delete_history_button.setText(self.tr("Delete all history…"))
        sizes = preference_choices("font_size")[1:]  # "0" = the system's
        names = {
            self.ocr_combo: {"auto": self.tr("Automatic (best installed)")},
            self.device_combo: {"auto": self.tr("Automatic"), "cpu": "CPU", "cuda": "CUDA (GPU)"},
            self.quantization_combo: {"none": self.tr("None"), "8bit": "8-bit", "4bit": "4-bit"},
            self.ui_language_combo: {"system": self.tr("System language"), "zh_CN": "简体中文",
                                     "en": "English"},
            self.output_language_combo: {"note": self.tr("Same as the note"),
                                         "zh": "中文（主诉 / 诊断 / 处理）",
                                         "en": "English (Chief complaint / Diagnosis / Plan)"},
            self.font_size_combo: {"0": self.tr("System default"),
                                   **{size: self.tr("%1 pt").replace("%1", size) for size in sizes}},
            self.label_style_combo: {"colon": self.tr("Plan: …"), "upper": self.tr("PLAN: …"),
                                     "brackets": self.tr("【Plan】…")},
            self.separator_combo: {"line": self.tr("One field per line"),
                                   "blank_line": self.tr("A blank line between fields")},
        }
        for combo, mapping in names.items():
            for index in range(combo.count()):
                value = combo.itemData(index)
                combo.setItemText(index, mapping.get(value, value))
        self._privacy.setText(self.tr("Settings are stored on this computer. Note text and summaries are "
                                      "never stored, unless you keep the encrypted history."))
        self._validate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
