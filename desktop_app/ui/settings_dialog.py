"""Preferences: everyday options first (languages, text size, the "Copy all" template, the scan
inbox, history); engines, model folders, device, quantization and servers under "Advanced".

Edits a `Preferences` value; the main window persists it and applies it (no restart needed).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.qt_settings import (
    COPY_LABEL_STYLES,
    COPY_SEPARATORS,
    DEVICES,
    FONT_SIZES,
    OUTPUT_LANGUAGES,
    QUANTIZATIONS,
    UI_LANGUAGES,
    Preferences,
)

_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def folder_problem(text: str) -> tuple[str, str] | None:
    """Why a model folder (or .gguf file) is unusable: (code, detail), or None.

    Codes: "missing", "empty", "check" (the model check's problems are in `detail`).
    """
    if not text.strip():
        return None
    path = Path(text.strip()).expanduser()
    if not path.exists():
        return "missing", ""
    if path.is_dir() and not any(path.iterdir()):
        return "empty", ""
    try:
        from desktop_app.model_check import check_model  # reads small files only, never weights
    except ImportError:
        return None
    try:
        problems = list(check_model(path).problems)
    except Exception as exc:  # the check must never take the dialog down
        problems = [type(exc).__name__]
    return ("check", "; ".join(problems)) if problems else None


def endpoint_problem(endpoint: str, allowed: list[str]) -> str | None:
    """"bad_url", "not_allowed" or None. Only loopback and allow-listed hosts are used."""
    if not endpoint.strip():
        return None
    parsed = urlparse(endpoint.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "bad_url"
    if parsed.hostname not in _LOOPBACK and parsed.hostname not in allowed:
        return "not_allowed"
    return None


class _FolderEdit(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.browse = QPushButton()
        self.browse.clicked.connect(self._pick)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line, 1)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.problem)

    def _pick(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.browse.text(), self.line.text())
        if folder:
            self.line.setText(folder)


_ASK = object()


class SettingsDialog(QDialog):
    deleteHistoryRequested = Signal()  # the user confirmed "Delete all history"

    def __init__(self, prefs: Preferences, ocr_engines: list[str], summarizers: list[str],
                 parent=None, history_reason: str | None | object = _ASK) -> None:
        """`history_reason`: why history cannot be on here (None = it can); asked of
        `privacy.history` when not given."""
        super().__init__(parent)
        if history_reason is _ASK:
            from desktop_app.privacy import history

            history_reason = history.unavailable_reason()
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
        self.ocr_model = _FolderEdit()
        self.summarizer_model = _FolderEdit()
        self.device_combo = QComboBox()
        self.quantization_combo = QComboBox()
        self.ui_language_combo = QComboBox()
        self.output_language_combo = QComboBox()
        self.font_size_combo = QComboBox()
        self.label_style_combo = QComboBox()
        self.separator_combo = QComboBox()
        for combo, values in ((self.device_combo, DEVICES), (self.quantization_combo, QUANTIZATIONS),
                              (self.ui_language_combo, UI_LANGUAGES),
                              (self.output_language_combo, OUTPUT_LANGUAGES), (self.font_size_combo, FONT_SIZES),
                              (self.label_style_combo, COPY_LABEL_STYLES),
                              (self.separator_combo, COPY_SEPARATORS)):
            for value in values:
                combo.addItem(value, value)
        self.endpoint_edit = QLineEdit()
        self.endpoint_edit.setPlaceholderText("http://127.0.0.1:8000/v1")
        self.served_model_edit = QLineEdit()
        self.allowed_hosts_edit = QPlainTextEdit()
        self.allowed_hosts_edit.setMaximumHeight(70)
        self.endpoint_problem = QLabel()
        self.endpoint_problem.setStyleSheet("color: #b3261e;")
        self.endpoint_problem.setWordWrap(True)
        self.endpoint_problem.hide()

        self._engines_box = QGroupBox()
        engines = QFormLayout(self._engines_box)
        self._labels: dict[str, QLabel] = {key: QLabel() for key in (
            "ocr", "summarizer", "ocr_model", "summarizer_model", "device", "quantization", "ui_language",
            "output_language", "endpoint", "served_model", "allowed_hosts", "font_size", "copy_template")}
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
        network.addRow(self._labels["allowed_hosts"], self.allowed_hosts_edit)
        network.addRow(self.endpoint_problem)
        self.inbox_folder = _FolderEdit()
        self._inbox_box = QGroupBox()
        inbox = QFormLayout(self._inbox_box)
        self._labels["inbox_folder"] = QLabel()
        inbox.addRow(self._labels["inbox_folder"], self.inbox_folder)
        self.keep_history_check = QCheckBox()
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
        layout = QVBoxLayout(self)
        layout.addWidget(self._language_box)
        layout.addWidget(self._inbox_box)
        layout.addWidget(self._history_box)
        layout.addWidget(self.advanced_button)
        layout.addWidget(self.advanced)
        layout.addWidget(self._privacy)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.set_advanced_visible(False)

        lines = (self.ocr_model.line, self.summarizer_model.line, self.endpoint_edit, self.inbox_folder.line)
        for line in lines:
            line.textChanged.connect(self._validate)
        self.allowed_hosts_edit.textChanged.connect(self._validate)
        self._load(prefs)
        self.retranslate()

    # --- values -------------------------------------------------------------------------

    def _load(self, prefs: Preferences) -> None:
        for combo, value in ((self.ocr_combo, prefs.ocr_engine), (self.summarizer_combo, prefs.summarizer),
                             (self.device_combo, prefs.device), (self.quantization_combo, prefs.quantization),
                             (self.ui_language_combo, prefs.ui_language),
                             (self.output_language_combo, prefs.output_language),
                             (self.font_size_combo, prefs.font_size), (self.label_style_combo, prefs.copy_label_style),
                             (self.separator_combo, prefs.copy_separator)):
            index = combo.findData(value)
            if index < 0:  # a saved engine that is not registered any more: keep showing it
                combo.addItem(value, value)
                index = combo.count() - 1
            combo.setCurrentIndex(index)
        self.ocr_model.line.setText(prefs.ocr_model)
        self.summarizer_model.line.setText(prefs.summarizer_model)
        self.endpoint_edit.setText(prefs.endpoint)
        self.served_model_edit.setText(prefs.served_model)
        self.allowed_hosts_edit.setPlainText("\n".join(prefs.allowed_hosts))
        self.inbox_folder.line.setText(prefs.inbox_folder)
        self.keep_history_check.setChecked(prefs.keep_history and self.history_reason is None)

    def _allowed_hosts(self) -> list[str]:
        return [line.strip() for line in self.allowed_hosts_edit.toPlainText().splitlines() if line.strip()]

    def preferences(self) -> Preferences:
        return replace(
            self._prefs,
            ocr_engine=self.ocr_combo.currentData(),
            summarizer=self.summarizer_combo.currentData(),
            ocr_model=self.ocr_model.line.text().strip(),
            summarizer_model=self.summarizer_model.line.text().strip(),
            device=self.device_combo.currentData(),
            quantization=self.quantization_combo.currentData(),
            ui_language=self.ui_language_combo.currentData(),
            output_language=self.output_language_combo.currentData(),
            endpoint=self.endpoint_edit.text().strip(),
            served_model=self.served_model_edit.text().strip(),
            allowed_hosts=tuple(self._allowed_hosts()),
            inbox_folder=self.inbox_folder.line.text().strip(),
            keep_history=self.keep_history_check.isChecked() and self.history_reason is None,
            font_size=self.font_size_combo.currentData(),
            copy_label_style=self.label_style_combo.currentData(),
            copy_separator=self.separator_combo.currentData(),
        )

    def set_advanced_visible(self, visible: bool) -> None:
        self.advanced.setVisible(visible)
        if self.advanced_button.isChecked() != visible:
            self.advanced_button.setChecked(visible)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if visible else Qt.ArrowType.RightArrow)
        self.adjustSize()

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
        problem = endpoint_problem(self.endpoint_edit.text(), self._allowed_hosts())
        endpoint_messages = {
            "bad_url": self.tr("Enter a URL such as http://127.0.0.1:8000/v1."),
            "not_allowed": self.tr("This host is neither this computer nor in the allowed list below; "
                                   "documents are never sent to it."),
        }
        self.endpoint_problem.setText(endpoint_messages.get(problem, ""))
        self.endpoint_problem.setVisible(problem is not None)
        ok = ok and problem is None
        if any(w.text() for w in (self.ocr_model.problem, self.summarizer_model.problem, self.endpoint_problem)):
            self.set_advanced_visible(True)  # OK is disabled because of an advanced option: show why
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
        self._history_box.setTitle(self.tr("History"))
        self.keep_history_check.setText(self.tr("Keep history (encrypted, kept 30 days)"))
        if self.history_reason is not None:
            # The technical reason (which keyring was found) stays in the tooltip, as reported.
            self.history_reason_label.setText(self.tr("History is unavailable on this computer: there is no "
                                                      "secure OS keyring (or encryption support) to protect its key."))
            self.history_reason_label.setToolTip(self.history_reason)
        self.delete_history_button.setText(self.tr("Delete all history…"))
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
                                   **{size: self.tr("%1 pt").replace("%1", size) for size in FONT_SIZES[1:]}},
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
