"""The first-run welcome: what works out of the box, optional model folders, and the health check.

Shown once (a QSettings flag, see `qt_settings.welcome_pending`) and again from Help. Copying a model
folder (gigabytes, from a USB drive) and the health check (imports torch) run in a `QThread`, never
on the GUI thread; the dialog only shows progress and results. The copying itself is
`desktop_app.model_store`, the checks `desktop_app.doctor`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QThread, Signal, Slot
from PySide6.QtGui import QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import engines
from desktop_app.cancel import CancelToken
from desktop_app.qt_settings import Preferences

log = logging.getLogger(__name__)

# The Preferences fields of each model kind: (the engine choice, the model folder).
PREFERENCE_FIELDS = {"ocr": ("ocr_engine", "ocr_model"), "summary": ("summarizer", "summarizer_model")}


def model_kinds() -> tuple[str, ...]:
    """The kinds some in-process engine runs a model folder for (the rows of the models box)."""
    return tuple(kind for kind in engines.KINDS if engines.model_engine(kind) is not None)


def model_engine_name(kind: str) -> str:
    """The engine a model folder of this kind runs (the registry's first in-process model engine)."""
    spec = engines.model_engine(kind)
    assert spec is not None, kind
    return spec.name


class _Progress(QObject):
    """model_store's progress protocol, as a signal (emitted from the worker thread, queued to the GUI)."""

    changed = Signal(int, int)

    def update(self, stage: str, done: int, total: int) -> None:
        self.changed.emit(done, total)


class BackgroundTask(QThread):
    """Runs `function()` once in its own thread; `succeeded(result)` or `failed(exception)` follow."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, function: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._function = function

    def run(self) -> None:
        try:
            result = self._function()
        except BaseException as exc:  # reported to the GUI thread; KeyboardInterrupt included
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)


def default_doctor() -> list:
    from desktop_app import doctor

    return doctor.run_checks()


def default_importer(source: Path, kind: str, progress, cancel: CancelToken):
    from desktop_app import model_store

    return model_store.import_model(source, kind, progress=progress, cancel=cancel)


class WelcomeDialog(QDialog):
    """`preferences()` holds the model folders chosen here; the caller saves them on accept."""

    importFinished = Signal(str, str)  # kind, imported folder ("" when it failed or was cancelled)
    doctorFinished = Signal(list)

    def __init__(self, prefs: Preferences, parent: QWidget | None = None, *,
                 run_doctor: Callable[[], list] | None = None, importer: Callable | None = None,
                 ui_language: str = "en") -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.prefs = prefs
        self.ui_language = ui_language
        self._run_doctor = run_doctor or default_doctor
        self._importer = importer or default_importer
        self._tasks: list[BackgroundTask] = []
        self._import_cancel: CancelToken | None = None
        self._importing: str | None = None
        self._import_task: BackgroundTask | None = None
        self.doctor_results: list | None = None

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setObjectName("welcomeIntro")

        self.models_box = QGroupBox()
        grid = QGridLayout(self.models_box)
        self.models_hint = QLabel()
        self.models_hint.setWordWrap(True)
        grid.addWidget(self.models_hint, 0, 0, 1, 4)
        self.folder_labels: dict[str, QLabel] = {}
        self.folder_edits: dict[str, QLineEdit] = {}
        self.browse_buttons: dict[str, QPushButton] = {}
        self.import_buttons: dict[str, QPushButton] = {}
        self.use_checks: dict[str, QCheckBox] = {}
        self.kinds = model_kinds()
        for row, kind in enumerate(self.kinds, start=1):
            engine_field, folder_field = PREFERENCE_FIELDS[kind]
            label, edit = QLabel(), QLineEdit(getattr(prefs, folder_field))
            browse, importer_button, use = QPushButton(), QPushButton(), QCheckBox()
            use.setChecked(getattr(prefs, engine_field) == model_engine_name(kind))
            browse.clicked.connect(lambda _=False, k=kind: self._browse(k))
            importer_button.clicked.connect(lambda _=False, k=kind: self._choose_import(k))
            grid.addWidget(label, 2 * row - 1, 0)
            grid.addWidget(edit, 2 * row - 1, 1)
            grid.addWidget(browse, 2 * row - 1, 2)
            grid.addWidget(importer_button, 2 * row - 1, 3)
            grid.addWidget(use, 2 * row, 1, 1, 3)
            self.folder_labels[kind], self.folder_edits[kind] = label, edit
            self.browse_buttons[kind], self.import_buttons[kind] = browse, importer_button
            self.use_checks[kind] = use
        self.import_progress = QProgressBar()
        self.import_progress.hide()
        self.import_status = QLabel()
        self.import_status.setWordWrap(True)
        self.cancel_import_button = QPushButton()
        self.cancel_import_button.hide()
        self.cancel_import_button.clicked.connect(self.cancel_import)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.import_progress, 1)
        progress_row.addWidget(self.cancel_import_button)
        grid.addLayout(progress_row, 2 * len(self.kinds) + 1, 0, 1, 4)
        grid.addWidget(self.import_status, 2 * len(self.kinds) + 2, 0, 1, 4)
        grid.setColumnStretch(1, 1)

        self.doctor_box = QGroupBox()
        doctor_layout = QVBoxLayout(self.doctor_box)
        self.doctor_view = QPlainTextEdit()
        self.doctor_view.setReadOnly(True)
        self.doctor_view.setObjectName("doctorView")
        self.doctor_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.doctor_view.setMinimumHeight(150)
        self.doctor_summary = QLabel()
        self.rerun_button = QPushButton()
        self.rerun_button.clicked.connect(self.run_doctor)
        row = QHBoxLayout()
        row.addWidget(self.doctor_summary, 1)
        row.addWidget(self.rerun_button)
        doctor_layout.addWidget(self.doctor_view)
        doctor_layout.addLayout(row)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.models_box)
        layout.addWidget(self.doctor_box, 1)
        layout.addWidget(self.buttons)
        self.resize(760, 640)
        self.retranslate()

    # --- texts ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Welcome to EMR Summary Assistant"))
        self.intro.setText(self.tr(
            "<p><b>It works as installed.</b> Drop a scan, a photo of a note or a PDF on the window: the "
            "embedded engines read it (RapidOCR, PP-OCRv4 for Chinese and English, on the CPU) and copy "
            "the chief complaint, diagnosis and plan out of the note, each linked to its source lines. "
            "Nothing is downloaded, nothing leaves this computer, and no note text is stored.</p>"))
        self.models_box.setTitle(self.tr("Optional: local models (GPU recommended)"))
        self.models_hint.setText(self.tr(
            "DeepSeek-OCR-2 and Youtu-LLM-2B read harder scans and write fuller summaries. Point at a model "
            "folder where it is, or import it (e.g. from a USB drive): the folder is checked, copied into "
            "the app's models folder and fingerprinted. They need a full install with PyTorch."))
        titles = {"ocr": self.tr("OCR model:"), "summary": self.tr("Summary model:")}
        uses = {"ocr": self.tr("Read scans with this model (%1) instead of the embedded OCR"),
                "summary": self.tr("Summarize with this model (%1) instead of the embedded extractor")}
        for kind in self.kinds:
            self.folder_labels[kind].setText(titles[kind])
            self.folder_edits[kind].setPlaceholderText(self.tr("none (embedded engine)"))
            self.browse_buttons[kind].setText(self.tr("Folder…"))
            self.import_buttons[kind].setText(self.tr("Import…"))
            self.use_checks[kind].setText(uses[kind].replace("%1", model_engine_name(kind)))
        self.cancel_import_button.setText(self.tr("Cancel import"))
        self.doctor_box.setTitle(self.tr("Health check of this computer"))
        self.rerun_button.setText(self.tr("Check again"))
        if self.doctor_results is None:
            self.doctor_summary.setText(self.tr("Checking…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- preferences ---------------------------------------------------------------------------

    def preferences(self) -> Preferences:
        """The preferences with the model folders (and engines) chosen here. Unticking a model engine
        goes back to the engine choice's default."""
        prefs = self.prefs
        defaults = Preferences()
        for kind in self.kinds:
            engine_field, folder_field = PREFERENCE_FIELDS[kind]
            folder = self.folder_edits[kind].text().strip()
            prefs = replace(prefs, **{folder_field: folder})
            engine = model_engine_name(kind)
            if self.use_checks[kind].isChecked() and folder:
                prefs = replace(prefs, **{engine_field: engine})
            elif getattr(prefs, engine_field) == engine:
                prefs = replace(prefs, **{engine_field: getattr(defaults, engine_field)})
        return prefs

    def _browse(self, kind: str) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the model folder"),
                                                  self.folder_edits[kind].text())
        if folder:
            self.folder_edits[kind].setText(folder)

    # --- import --------------------------------------------------------------------------------

    def _choose_import(self, kind: str) -> None:
        source = QFileDialog.getExistingDirectory(self, self.tr("Choose the model folder to import"))
        if source:
            self.start_import(Path(source), kind)

    def start_import(self, source: Path, kind: str) -> BackgroundTask | None:
        """Copy `source` into the models folder in a background thread; one import at a time."""
        if self._importing is not None:
            return None
        self._importing = kind
        self._import_cancel = CancelToken()
        progress = _Progress()
        progress.changed.connect(self._on_import_progress)
        cancel = self._import_cancel
        # Emitted from the task's thread; the dialog lives in the GUI thread, so the slot runs queued there.
        task = BackgroundTask(lambda: self._importer(source, kind, progress, cancel), self)
        self._import_task = task
        task.succeeded.connect(self._on_import_done)
        task.failed.connect(self._on_import_failed)
        self._set_importing(True)
        self.import_status.setText(self.tr("Checking and copying %1…").replace("%1", str(source)))
        self._start(task)
        return task

    def cancel_import(self) -> None:
        if self._import_cancel is not None:
            self._import_cancel.cancel()
            self.import_status.setText(self.tr("Cancelling…"))

    def is_importing(self) -> bool:
        return self._importing is not None

    @Slot(int, int)
    def _on_import_progress(self, done: int, total: int) -> None:
        scale = max(1, total // 1_000_000)  # QProgressBar holds an int: count in MB-ish steps
        self.import_progress.setRange(0, max(1, total // scale))
        self.import_progress.setValue(done // scale)

    def _on_import_done(self, result) -> None:
        kind = self._importing or ""
        self._set_importing(False)
        self.folder_edits[kind].setText(str(result.path))
        self.import_status.setText(self.tr("Imported to %1").replace("%1", str(result.path)))
        self.importFinished.emit(kind, str(result.path))

    def _on_import_failed(self, exc: BaseException) -> None:
        from desktop_app.errors import Cancelled, EmrError

        kind = self._importing or ""
        self._set_importing(False)
        if isinstance(exc, Cancelled):
            text = self.tr("Import cancelled; nothing was copied.")
        elif isinstance(exc, EmrError):
            text = exc.message(self.ui_language)
        else:
            log.warning("model import failed: %s", type(exc).__name__)
            text = self.tr("Import failed: %1").replace("%1", type(exc).__name__)
        self.import_status.setText(text)
        self.importFinished.emit(kind, "")

    def _set_importing(self, running: bool) -> None:
        if not running:
            self._importing = None
            self._import_cancel = None
        self.import_progress.setVisible(running)
        self.import_progress.setRange(0, 0)
        self.cancel_import_button.setVisible(running)
        for button in (*self.import_buttons.values(), *self.browse_buttons.values()):
            button.setEnabled(not running)
        self.buttons.setEnabled(not running)

    # --- doctor --------------------------------------------------------------------------------

    def run_doctor(self) -> BackgroundTask:
        self.rerun_button.setEnabled(False)
        self.doctor_summary.setText(self.tr("Checking…"))
        task = BackgroundTask(self._run_doctor, self)
        task.succeeded.connect(self._on_doctor_done)
        task.failed.connect(lambda exc: self._on_doctor_done([]))
        self._start(task)
        return task

    def _on_doctor_done(self, results: list) -> None:
        from desktop_app.doctor import FAIL, WARN, format_checks

        self.doctor_results = results
        self.doctor_view.setPlainText(format_checks(results) if self.ui_language.startswith("en")
                                      else self._checks_text(results))
        warnings = sum(r.status == WARN for r in results)
        failures = sum(r.status == FAIL for r in results)
        if failures:
            text = self.tr("%1 problem(s) need attention: see the lines marked FAIL.")
            text = text.replace("%1", str(failures))
        elif warnings:
            text = self.tr("Ready. %1 warning(s): see the lines marked WARN.").replace("%1", str(warnings))
        else:
            text = self.tr("Everything looks fine.")
        self.doctor_summary.setText(text)
        self.rerun_button.setEnabled(True)
        self.doctorFinished.emit(results)

    def _checks_text(self, results: list) -> str:
        """The health check in the UI language: status and check names translated here (by the check's
        name, a fixed code), each detail rendered by the check itself (doctor_texts.py)."""
        from desktop_app.doctor import FAIL, OK, WARN

        marks = {OK: self.tr("OK"), WARN: self.tr("WARN"), FAIL: self.tr("FAIL")}
        names = {"python": "Python", "qt": "Qt", "torch": "PyTorch", "gpu": self.tr("GPU"),
                 "quantize": self.tr("quantization"), "models": self.tr("models"), "model": self.tr("model"),
                 "keyring": self.tr("keyring"), "fonts": self.tr("fonts"), "network": self.tr("network"),
                 "offline": self.tr("offline mode"), "telemetry": self.tr("telemetry"),
                 "audit log": self.tr("audit log"), "history": self.tr("history")}
        lines = [f"[{marks.get(r.status, r.status)}] {names.get(r.name, r.name)}：{r.text(self.ui_language)}"
                 for r in results]
        counts = [sum(r.status == status for r in results) for status in (OK, WARN, FAIL)]
        lines.append(self.tr("%1 OK, %2 warning(s), %3 error(s)").replace("%1", str(counts[0]))
                     .replace("%2", str(counts[1])).replace("%3", str(counts[2])))
        return "\n".join(lines)

    # --- lifetime ------------------------------------------------------------------------------

    def _start(self, task: BackgroundTask) -> None:
        self._tasks.append(task)
        task.finished.connect(lambda: self._tasks.remove(task) if task in self._tasks else None)
        task.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.doctor_results is None and not any(t.isRunning() for t in self._tasks):
            self.run_doctor()

    def stop_import(self, timeout_ms: int = 60_000) -> None:
        """Cancel an import and wait for its thread (the import removes its partial copy)."""
        self.cancel_import()
        if self._import_task is not None:
            self._import_task.wait(timeout_ms)

    def stop(self, timeout_ms: int = 60_000) -> None:
        """Stop an import and wait for every background thread (before the app quits)."""
        self.stop_import(timeout_ms)
        for task in list(self._tasks):
            task.wait(timeout_ms)

    def reject(self) -> None:
        if self.is_importing():  # Esc during a copy cancels the copy first
            self.cancel_import()
            return
        super().reject()

    def done(self, result: int) -> None:
        # The health check may still be importing torch: it finishes in the background (the owner
        # keeps this dialog and calls `stop()` before quitting); an import is stopped now.
        self.stop_import()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_import()
        super().closeEvent(event)
