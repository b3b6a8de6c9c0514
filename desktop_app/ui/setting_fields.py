"""The Settings dialog's field widgets and checks: a folder chooser with its problem line, the checks of
a model folder and a server URL, and reading/writing a preference's value from/to its widget."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
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


def runs_on_server(kind: str, engine: str | None) -> bool:
    """Whether the engine of that name sends its work to a server (and so needs a URL and a model name)."""
    from desktop_app import engines, errors

    try:
        return engines.find(kind, engine or "").runs == "server"
    except errors.UnknownEngine:  # "auto", or a saved engine that is not registered any more
        return False


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


def problem_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b3261e;")
    label.setWordWrap(True)
    label.hide()
    return label


class FolderEdit(QWidget):
    """A folder path, a "Choose…" button and, below them, what is wrong with the folder."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.browse = QPushButton()
        self.browse.clicked.connect(self._pick)
        self.problem = problem_label()
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



def show_value(widget: QWidget, value: object) -> None:
    """Put a preference's value in its widget (a saved choice the combo lacks is added, not lost)."""
    if isinstance(widget, QComboBox):
        index = widget.findData(value)
        if index < 0:  # e.g. a saved engine that is not registered any more: keep showing it
            widget.addItem(str(value), value)
            index = widget.count() - 1
        widget.setCurrentIndex(index)
    elif isinstance(widget, FolderEdit):
        widget.line.setText(str(value))
    elif isinstance(widget, QLineEdit):
        widget.setText(str(value))
    elif isinstance(widget, QSpinBox):
        widget.setValue(int(value))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QPlainTextEdit):  # a list, one item per line
        widget.setPlainText("\n".join(value))


def widget_value(widget: QWidget) -> object:
    """A widget's value in the preference's type."""
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, FolderEdit):
        return widget.line.text().strip()
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    lines = widget.toPlainText().splitlines()
    return tuple(line.strip() for line in lines if line.strip())
