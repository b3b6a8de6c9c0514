"""The main window: composes the widgets and routes jobs, results and user actions between them.

All pipeline work goes through the `JobRunner` (worker thread) and page images through the
`PageImageLoader` (pool thread); this module only keeps per-document view state, so switching
documents never loses what the physician typed.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app import paths, qt_settings
from desktop_app.jobs.runner import FolderScanner, JobRunner, PageImageLoader
from desktop_app.models import FIELD_NAMES, FOUND, DocumentResult, Summary
from desktop_app.qt_settings import Preferences
from desktop_app.ui.doubt_cues import OCR_DOUBT, field_doubts, page_doubt_boxes
from desktop_app.ui.drop_zone import DropZone, expand_paths, local_paths
from desktop_app.ui.page_thumbnails import PageThumbnails
from desktop_app.ui.page_view import PageView
from desktop_app.ui.queue_list import CANCELLED, DONE, FAILED, RUNNING, WAITING, QueueList
from desktop_app.ui.results_panel import ResultsPanel
from desktop_app.ui.review_queue import (
    READING,
    RETRYABLE,
    DocumentSession,
    finished,
    neighbour,
    next_to_review,
    shown_fields,
)
from desktop_app.ui.settings_dialog import SettingsDialog
from desktop_app.ui.summary_panel import SummaryPanel
from desktop_app.ui.text_view import TextView

log = logging.getLogger(__name__)

OPEN_FILTER = "*.pdf *.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff"


class MainWindow(QMainWindow):
    preferencesChanged = Signal(object)  # Preferences, after the user saved the settings dialog

    def __init__(self, prefs: Preferences, store: QSettings, runner: JobRunner, loader: PageImageLoader,
                 ui_language: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.prefs = prefs
        self.store = store
        self.runner = runner
        self.loader = loader
        self.ui_language = ui_language
        self.sessions: dict[int, DocumentSession] = {}
        self._jobs: dict[int, tuple[int, str, str]] = {}  # job id -> (document key, kind, text sent)
        self._next_key = 1
        self._current: int | None = None
        self._running_job: int | None = None
        self._page_requested: int | None = None  # the document whose first page was asked for
        self._temp_dir: Path | None = None
        self._shut_down = False
        self.settings_dialog: SettingsDialog | None = None
        self.welcome_dialog = None  # WelcomeDialog, built on first use (first run, or Help)
        self.region_overlay = None  # the screen-region capture overlay while it is open
        self.inbox = None  # the scan-inbox watcher, set by the app factory
        self.audit = None  # jobs.audit_writer.AuditWriter, set by the app factory (None = not audited)
        self.history_path: Path | None = None  # the encrypted history's database, set by the app factory

        self._build_widgets()
        self._build_actions()
        self._connect()
        self.setAcceptDrops(True)
        self.resize(1340, 720)  # fits a 1366×768 screen with its task bar
        self._apply_view_preferences()
        self.retranslate()
        self._update_progress_idle()

    # --- construction -------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.queue = QueueList()
        self._queue_title = QLabel()
        self._queue_title.setStyleSheet("font-weight: 600;")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addWidget(self._queue_title)
        left_layout.addWidget(self.queue, 1)

        self.drop_zone = DropZone()
        self.page_view = PageView()
        self.page_view.set_boxes_visible(self.prefs.show_boxes)
        self.center = QStackedWidget()
        self.center.addWidget(self.drop_zone)
        self.thumbnails = PageThumbnails()  # hidden for one-page documents
        self.page_area = QWidget()
        page_layout = QHBoxLayout(self.page_area)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(4)
        page_layout.addWidget(self.thumbnails)
        page_layout.addWidget(self.page_view, 1)
        self.center.addWidget(self.page_area)

        self.summary_panel = SummaryPanel()
        self.results_panel = ResultsPanel()  # lab results; hidden while the document has none
        fields_pane = QWidget()
        fields_layout = QVBoxLayout(fields_pane)
        fields_layout.setContentsMargins(0, 0, 0, 0)
        fields_layout.setSpacing(4)
        fields_layout.addWidget(self.summary_panel)
        fields_layout.addWidget(self.results_panel)
        self.text_view = TextView()
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(fields_pane)
        right.addWidget(self.text_view)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([470, 180])
        right.setContentsMargins(0, 6, 6, 6)
        right.setCollapsible(0, False)  # the fields never vanish; the text pane may
        self.right_splitter = right

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.center)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)  # a wider screen gives the list a little more room too
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 4)
        self.splitter.setCollapsible(1, False)
        self.splitter.setCollapsible(2, False)
        self.splitter.setSizes([200, 590, 550])
        self.setCentralWidget(self.splitter)

        self.stage_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(260)
        self.progress_bar.setTextVisible(True)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_all_button = QPushButton()
        self.cancel_all_button.setObjectName("cancelAllButton")
        bar = self.statusBar()
        bar.addPermanentWidget(self.stage_label)
        bar.addPermanentWidget(self.progress_bar)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.cancel_all_button)
        self.folder_scanner = FolderScanner(self.prefs.engine_settings(), expand_paths, self)

    def _action(self, shortcut, slot, checkable: bool = False) -> QAction:
        action = QAction(self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action(QKeySequence.StandardKey.Open, self.open_files)
        self.paste_action = self._action(QKeySequence.StandardKey.Paste, self.paste)
        self.capture_action = self._action("Ctrl+Shift+R", self.capture_region)
        self.settings_action = self._action("Ctrl+,", self.open_settings)
        self.quit_action = self._action(QKeySequence.StandardKey.Quit, self.close)
        self.copy_all_action = self._action("Ctrl+Shift+C", self.summary_panel.copy_all)
        self.copy_field_actions = {
            name: self._action(f"Ctrl+{number}", lambda _=False, n=name: self.summary_panel.copy_field(n))
            for number, name in enumerate(FIELD_NAMES, start=1)}
        self.cancel_action = self._action("Esc", self._on_escape)
        self.cancel_all_action = self._action(None, lambda: self.cancel_all())
        self.done_next_action = self._action("Ctrl+Down", self.done_and_next)
        self.previous_action = self._action("Ctrl+Up", self.previous_document)
        self.retry_action = self._action(None, lambda: self.retry(self._current))
        self.remove_action = self._action(None, lambda: self.remove(self._current))
        self.clear_finished_action = self._action(None, self.clear_finished)
        self.summarize_action = self._action("Ctrl+Return", self.summarize_again)
        self.boxes_action = self._action(None, self.page_view.set_boxes_visible, checkable=True)
        self.boxes_action.setChecked(self.prefs.show_boxes)
        self.zoom_in_action = self._action(QKeySequence.StandardKey.ZoomIn, self.page_view.zoom_in)
        self.zoom_out_action = self._action(QKeySequence.StandardKey.ZoomOut, self.page_view.zoom_out)
        self.fit_action = self._action("Ctrl+0", self.page_view.fit)
        self.fit_width_action = self._action("Ctrl+9", self.page_view.fit_width)
        self.text_action = self._action("Ctrl+T", self.set_text_pane_visible, checkable=True)
        self.text_action.setChecked(True)
        self.about_action = self._action(None, self._about)
        self.welcome_action = self._action(None, self.show_welcome)

        menu_bar = self.menuBar()
        self.file_menu = menu_bar.addMenu("")
        file_actions = (self.open_action, self.paste_action, self.capture_action, None, self.settings_action, None,
                        self.quit_action)
        for action in file_actions:
            self.file_menu.addSeparator() if action is None else self.file_menu.addAction(action)
        self.edit_menu = menu_bar.addMenu("")
        for action in (self.copy_all_action, *self.copy_field_actions.values(), None, self.summarize_action):
            self.edit_menu.addSeparator() if action is None else self.edit_menu.addAction(action)
        self.documents_menu = menu_bar.addMenu("")
        for action in (self.done_next_action, self.previous_action, None, self.retry_action, self.remove_action,
                       self.clear_finished_action, None, self.cancel_action, self.cancel_all_action):
            self.documents_menu.addSeparator() if action is None else self.documents_menu.addAction(action)
        self.view_menu = menu_bar.addMenu("")
        for action in (self.boxes_action, self.text_action, None, self.zoom_in_action, self.zoom_out_action,
                       self.fit_width_action, self.fit_action):
            self.view_menu.addSeparator() if action is None else self.view_menu.addAction(action)
        self.help_menu = menu_bar.addMenu("")
        self.help_menu.addAction(self.welcome_action)
        self.help_menu.addAction(self.about_action)

    def _connect(self) -> None:
        self.drop_zone.pathsDropped.connect(self.add_paths)
        self.drop_zone.openRequested.connect(self.open_files)
        self.queue.documentSelected.connect(self.show_document)
        self.queue.retryRequested.connect(self.retry)
        self.queue.removeRequested.connect(self.remove)
        self.queue.cancelRequested.connect(self.cancel_document)
        self.queue.cancelAllRequested.connect(lambda: self.cancel_all())
        self.queue.clearFinishedRequested.connect(self.clear_finished)
        self.folder_scanner.scanned.connect(self._on_folders_scanned)
        self.summary_panel.doneRequested.connect(self.done_and_next)
        self.summary_panel.noteRequested.connect(self.show_note)
        self.summary_panel.wantedHeightChanged.connect(self._fit_summary_pane)
        self.page_view.pageRequested.connect(self._request_page)
        self.page_view.detailWanted.connect(self._request_detail)
        self.page_view.boxesToggled.connect(self._on_boxes_toggled)
        self.text_view.summarizeRequested.connect(lambda _text: self.summarize_again())
        self.text_view.textEdited.connect(self._on_text_edited)
        self.text_view.hideRequested.connect(lambda: self.text_action.setChecked(False))
        self.summary_panel.fieldActivated.connect(self.highlight_field)
        self.summary_panel.fieldEdited.connect(self._on_field_edited)
        self.summary_panel.copied.connect(self._on_copied)
        self.results_panel.rowActivated.connect(self.highlight_result)
        self.results_panel.copied.connect(self._on_results_copied)
        self.cancel_button.clicked.connect(self.cancel_running)
        self.cancel_all_button.clicked.connect(lambda: self.cancel_all())
        self.runner.started.connect(self._on_job_started)
        self.runner.progress.connect(self._on_job_progress)
        self.runner.finished.connect(self._on_document_finished)
        self.runner.summarized.connect(self._on_summarized)
        self.runner.failed.connect(self._on_job_failed)
        self.runner.cancelled.connect(self._on_job_cancelled)
        self.loader.loaded.connect(self._on_page_loaded)
        self.loader.failed.connect(self._on_page_failed)
        self.thumbnails.pageClicked.connect(self._request_page)
        self.thumbnails.thumbnailsWanted.connect(self._request_thumbnails)
        self.loader.thumbnailLoaded.connect(self.thumbnails.set_thumbnail)

    # --- getting documents in -----------------------------------------------------------

    def add_paths(self, paths: list[str], temporary: bool = False) -> list[int]:
        """Queue documents; returns the keys queued now. Files named directly are queued at once
        (each gets an answer, even "not a document"). A drop holding a folder is expanded in the
        background, its non-documents skipped and counted, and queued (in drop order) when done."""
        paths = [str(p) for p in paths]
        if any(Path(p).is_dir() for p in paths):
            self.folder_scanner.scan(paths)
            self.statusBar().showMessage(self.tr("Looking for documents…"), 3000)
            return []
        if not paths:
            self.statusBar().showMessage(self.tr("No files found in what was dropped."), 5000)
            return []
        return self._queue_files(paths, temporary)

    def _on_folders_scanned(self, documents: list, skipped: int) -> None:
        if skipped:
            self.statusBar().showMessage(
                self.tr("Skipped %n file(s) that are not documents (PDF or image).", "", skipped), 10000)
        elif not documents:
            self.statusBar().showMessage(self.tr("No files found in what was dropped."), 5000)
        if documents:
            self._queue_files(documents)

    def _queue_files(self, files: list[str], temporary: bool = False) -> list[int]:
        keys = []
        for path in files:
            key = self._next_key
            self._next_key += 1
            session = DocumentSession(key, path, temporary=temporary)
            self.sessions[key] = session
            if self.audit is not None:
                self.audit.record_file("open", path)  # its hash only, computed in the background
            self.queue.add_document(key, path)
            self._submit(session)
            keys.append(key)
        log.info("queued %d document(s)", len(keys))
        current = self._current_session()
        if current is None or current.reviewed:
            self.queue.select(keys[0])  # nothing left to review on screen: the new document comes forward
        self._update_progress_running()
        return keys

    def _submit(self, session: DocumentSession) -> None:
        job_id = self.runner.submit(session.path)
        self._jobs[job_id] = (session.key, "document", "")
        session.job = job_id

    def open_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Open documents"), "",
            self.tr("Documents (%1);;All files (*)").replace("%1", OPEN_FILTER))
        if files:
            self.add_paths(files)

    def paste(self) -> None:
        """Ctrl+V outside a text field: files or an image from the clipboard join the queue."""
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        paths = local_paths(mime) if mime is not None else []
        if paths:
            self.add_paths(paths)
            return
        if mime is not None and mime.hasImage():
            image = clipboard.image()
            if not image.isNull():
                self._paste_image(image)
                return
        if mime is not None and mime.hasText():
            candidate = Path(mime.text().strip().removeprefix("file://"))
            if mime.text().strip() and candidate.exists():
                self.add_paths([str(candidate)])
                return
        self.statusBar().showMessage(self.tr("The clipboard holds no image or file to open."), 5000)

    def _paste_image(self, image: QImage) -> None:
        if self._temp_dir is None:  # private (0700), removed when the window closes
            self._temp_dir = paths.new_paste_dir()  # a crashed run's folder is removed at the next start
        target = self._temp_dir / f"pasted-{self._next_key}.png"
        if not image.save(str(target), "PNG"):
            self.statusBar().showMessage(self.tr("The pasted image could not be read."), 5000)
            return
        self.add_paths([str(target)], temporary=True)

    def capture_region(self) -> None:
        """Read text another program shows: the window steps aside, the screen is captured, and
        the rectangle the user drags over it is read like a pasted image."""
        from PySide6.QtCore import QTimer

        self.hide()  # not part of the still
        QTimer.singleShot(300, self._show_region_overlay)  # let the compositor take the window away

    def grab_screen(self):
        """A still of the screen this window is on (a null pixmap where the platform refuses)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.grabWindow(0), screen.geometry()

    def _show_region_overlay(self) -> None:
        from desktop_app.ui.region_capture import RegionCapture

        still, geometry = self.grab_screen()
        if still.isNull() or still.width() == 0:
            self.show()
            self.statusBar().showMessage(self.tr("This system does not let applications capture the screen "
                                                 "(e.g. Wayland): use its screenshot tool and paste (Ctrl+V)."), 10000)
            return
        overlay = RegionCapture(still)
        overlay.setGeometry(geometry)
        overlay.captured.connect(lambda image: (self.show(), self._paste_image(image)))
        overlay.cancelled.connect(self.show)
        self.region_overlay = overlay
        overlay.show()
        overlay.activateWindow()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    # --- jobs ---------------------------------------------------------------------------

    def _job(self, job_id: int) -> tuple[DocumentSession | None, str, str]:
        """The session a job's answer is for; None when the document was removed, or cancelled
        or retried since (a newer job, or none, now stands for it)."""
        key, kind, text = self._jobs.get(job_id, (None, "", ""))
        session = self.sessions.get(key) if key is not None else None
        if session is not None and job_id != (session.job if kind == "document" else session.summary_job):
            session = None
        return session, kind, text

    def _on_job_started(self, job_id: int) -> None:
        self._running_job = job_id
        session, kind, _ = self._job(job_id)
        if session is None:
            return
        if kind == "document":
            session.status = RUNNING
            self.queue.set_status(session.key, RUNNING)
            current = self.sessions.get(self._current) if self._current is not None else None
            if current is None or current.reviewed or current.status in (WAITING, RUNNING, CANCELLED):
                self.queue.select(session.key)  # nothing finished on screen: follow the work
        self._update_progress_running(stage_text=self.tr("Starting…"), name=Path(session.path).name)

    def _on_job_progress(self, job_id: int, stage: str, done: int, total: int) -> None:
        session, _, _ = self._job(job_id)
        if session is None or job_id != self._running_job:
            return
        if stage == "ocr" and total:
            page = min(done + 1, total)
            text = self.tr("Reading page %1 of %2").replace("%1", str(page)).replace("%2", str(total))
            self.progress_bar.setRange(0, total if total > 1 else 0)  # one page: a busy bar, not "0%"
            self.progress_bar.setValue(done)
        elif stage == "generate":
            text = self.tr("Writing the summary (%1 tokens)").replace("%1", str(done))
            self.progress_bar.setRange(0, total or 0)
            if total:
                self.progress_bar.setValue(done)
        elif stage == "summarize":
            text = self.tr("Summarizing")
            self.progress_bar.setRange(0, 0)
        else:
            text = self.tr("Opening")
            self.progress_bar.setRange(0, 0)
        self._update_progress_running(stage_text=text, name=Path(session.path).name)

    def _on_document_finished(self, job_id: int, result: DocumentResult) -> None:
        session, _, _ = self._job(job_id)
        self._jobs.pop(job_id, None)
        self._job_done(job_id)
        if session is None:
            return
        session.job = None
        session.result = result
        session.summary = result.summary
        session.summary_text = result.text
        if self.audit is not None:
            self.audit.record_document("summarize", result)
        if result.error:
            session.status, session.error = FAILED, result.error
            self.queue.set_status(session.key, FAILED, result.error)
        else:
            session.status = DONE
            self.queue.set_status(session.key, DONE)
        if session.key == self._current:
            self.show_document(session.key)

    def _on_summarized(self, job_id: int, summary: Summary) -> None:
        session, _, text = self._job(job_id)
        self._jobs.pop(job_id, None)
        self._job_done(job_id)
        if session is None:
            return
        session.summary_job = None
        session.summary = summary
        session.summary_text = text
        if self.audit is not None:  # "Summarize again" on the (possibly corrected) text
            sha256 = session.result.sha256 if session.result is not None else None
            self.audit.record("summarize", sha256=sha256, engines={"summarizer": summary.engine or "unknown"})
        # Fields the physician typed by hand stay as typed; the rest take the new summary.
        session.kept_edits = list(dict.fromkeys(name.split("@")[0] for name in session.field_edits))
        if session.key == self._current:
            self.show_document(session.key)
            self.statusBar().showMessage(self.tr("Summary updated from the corrected text."), 5000)

    def _on_job_failed(self, job_id: int, code: str, messages: dict) -> None:
        session, kind, _ = self._job(job_id)
        message = self._in_ui_language(messages)
        self._jobs.pop(job_id, None)
        self._job_done(job_id)
        if session is None:
            return
        if self.audit is not None:
            sha256 = session.result.sha256 if session.result is not None else None  # None: never read
            self.audit.record("summarize", sha256=sha256, outcome=code)
        if kind == "document":
            session.job = None
            session.status, session.error, session.error_messages = FAILED, message, dict(messages)
            self.queue.set_status(session.key, FAILED, message)
        else:
            session.summary_job = None
            self.statusBar().showMessage(message, 10000)
            session.kept_edits = []
            session.error, session.error_messages = message, dict(messages)
        if session.key == self._current:
            self.show_document(session.key)

    def _in_ui_language(self, messages: dict) -> str:
        return messages.get("zh" if self.ui_language.startswith("zh") else "en") or next(iter(messages.values()), "")

    def _rerender_errors(self) -> None:
        """A language switch: errors known in both languages are shown again in the new one."""
        for session in self.sessions.values():
            if session.error_messages:
                session.error = self._in_ui_language(session.error_messages)
                if session.status == FAILED:
                    self.queue.set_status(session.key, FAILED, session.error)

    def _on_job_cancelled(self, job_id: int) -> None:
        session, kind, _ = self._job(job_id)
        self._jobs.pop(job_id, None)
        self._job_done(job_id)
        if session is None:
            return
        if kind == "document":
            session.job = None
            session.status = CANCELLED
            self.queue.set_status(session.key, CANCELLED)
        else:
            session.summary_job = None
        if session.key == self._current:
            self.show_document(session.key)

    def _job_done(self, job_id: int) -> None:
        if job_id == self._running_job:
            self._running_job = None
        if not self._jobs:
            self._update_progress_idle()
        else:
            self._update_progress_running()

    # --- cancelling -----------------------------------------------------------------------

    def _on_escape(self) -> None:
        """Esc cancels the running job only, and never while the physician types in a text field
        (there Esc belongs to the field; an accidental press must not cost a document)."""
        focus = QApplication.focusWidget()
        if isinstance(focus, (QPlainTextEdit, QTextEdit, QLineEdit, QAbstractSpinBox)):
            return
        self.cancel_running()

    def cancel_running(self) -> None:
        """Stop the job being worked on now; the waiting documents go on."""
        if self._running_job is None:
            return
        self.runner.cancel(self._running_job)
        self.stage_label.setText(self.tr("Cancelling…"))
        self.cancel_button.setEnabled(False)

    def cancel_document(self, key: int) -> None:
        """Cancel one document: the running one stops at its next page, a waiting one at once."""
        session = self.sessions.get(key)
        if session is None:
            return
        for job_id in (session.job, session.summary_job):
            if job_id is not None:
                self.runner.cancel(job_id)
        if session.status == WAITING:  # its job will answer only when the worker reaches it
            session.job = None
            session.status = CANCELLED
            self.queue.set_status(key, CANCELLED)
            if key == self._current:
                self.show_document(key)
            self._update_progress_running() if self._jobs else self._update_progress_idle()

    def cancel_all(self, *, ask: bool = True) -> None:
        """Cancel the running job and every waiting one, after asking."""
        if not self._jobs:
            return
        waiting = sum(1 for s in self.sessions.values() if s.status in READING)
        question = self.tr("Cancel all %n document(s) still being read or waiting?", "", waiting)
        if ask and not self.confirm(question):
            return
        self.runner.cancel_all()
        for session in list(self.sessions.values()):
            if session.status == WAITING:
                self.cancel_document(session.key)
        self.stage_label.setText(self.tr("Cancelling…"))
        self.cancel_button.setEnabled(False)
        self.cancel_all_button.setEnabled(False)

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question (No is the default). Tests replace this method."""
        answer = QMessageBox.question(self, self._app_title(), question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    # --- the review queue -----------------------------------------------------------------

    def done_and_next(self) -> None:
        """Ctrl+Down: mark the document on screen done (once it is read), show the next one to review."""
        session = self._current_session()
        if session is None:
            return
        if session.status not in READING and not session.reviewed:
            session.reviewed = True
            self.queue.set_reviewed(session.key, True)
        statuses = {key: s.status for key, s in self.sessions.items()}
        reviewed = {key for key, s in self.sessions.items() if s.reviewed}
        following = next_to_review(self.queue.keys(), session.key, reviewed, statuses)
        if following is None:
            self.statusBar().showMessage(self.tr("Every document in the list is marked done."), 5000)
            return
        self.queue.select(following)

    def previous_document(self) -> None:
        """Ctrl+Up: the document above in the list."""
        key = neighbour(self.queue.keys(), self._current, -1)
        if key is not None:
            self.queue.select(key)

    def retry(self, key: int | None) -> None:
        """Read a document again (after a failure, a cancel, or a poor result)."""
        session = self.sessions.get(key) if key is not None else None
        if session is None or session.status not in RETRYABLE:
            return
        if (session.field_edits or session.text is not None) and not self.confirm(
                self.tr("Read %1 again? Your corrections to it will be lost.").replace("%1", Path(session.path).name)):
            return
        if session.summary_job is not None:
            self.runner.cancel(session.summary_job)
        fresh = DocumentSession(session.key, session.path, temporary=session.temporary)
        self.sessions[session.key] = fresh
        self.queue.set_reviewed(session.key, False)
        self.queue.set_status(session.key, WAITING)
        self._submit(fresh)
        if session.key == self._current:
            self._current = None  # shown afresh: the page, the zoom, the fields
            self.show_document(session.key)
        self._update_progress_running()

    def remove(self, key: int | None) -> None:
        """Take a document off the list (Delete, or the list's menu); its job is cancelled."""
        session = self.sessions.pop(key, None) if key is not None else None
        if session is None:
            return
        for job_id in (session.job, session.summary_job):
            if job_id is not None:
                self.runner.cancel(job_id)
        if key == self._current:
            following = neighbour(self.queue.keys(), key, +1) or neighbour(self.queue.keys(), key, -1)
            self._current = None
            if following is not None:
                self.queue.select(following)
        self.queue.remove_document(key)
        if session.temporary:
            Path(session.path).unlink(missing_ok=True)  # a pasted image: nobody will open it again
        if not self.sessions:
            self._show_empty()
        if not any(s.status in READING for s in self.sessions.values()) and not any(
                s.summary_job for s in self.sessions.values()):
            self._update_progress_idle()
        else:
            self._update_progress_running()

    def clear_finished(self) -> None:
        """Remove every document marked done."""
        reviewed = {key for key, s in self.sessions.items() if s.reviewed}
        for key in finished(self.queue.keys(), reviewed):
            self.remove(key)

    def _show_empty(self) -> None:
        self._current = None
        self.center.setCurrentWidget(self.drop_zone)
        self.page_view.clear()
        self.thumbnails.set_document(None, 0)
        self.text_view.set_text("")
        self.text_view.set_hint("")
        self.summary_panel.clear()
        self.results_panel.clear()
        self.setWindowTitle(self._app_title())

    def summarize_again(self) -> None:
        session = self._current_session()
        if session is None or session.result is None or session.summary_job is not None:
            return
        text = self.text_view.text()
        session.error, session.error_messages = "", {}
        job_id = self.runner.summarize(text)
        session.summary_job = job_id
        self._jobs[job_id] = (session.key, "summary", text)
        self.text_view.set_summarize_enabled(False)
        self._update_progress_running(stage_text=self.tr("Summarizing"), name=Path(session.path).name)

    # --- showing a document -------------------------------------------------------------

    def _current_session(self) -> DocumentSession | None:
        return self.sessions.get(self._current) if self._current is not None else None

    def show_document(self, key: int) -> None:
        session = self.sessions.get(key)
        if session is None:
            return
        changed = key != self._current
        self._current = key
        self.center.setCurrentWidget(self.page_area)
        self.setWindowTitle(f"{Path(session.path).name} — {self._app_title()}")
        result = session.result

        if session.status == FAILED and (result is None or not result.pages):
            self.page_view.clear()
            self.page_view.show_message(session.error)
        elif changed or (not self.page_view.has_image() and self._page_requested != key):
            self.page_view.clear()
            self.page_view.reset_zoom()  # each document opens at fit-width, at its top
            self.page_view.show_message(self.tr("Loading page…"))
            self._page_requested = key
            self.loader.request(session.path, 0)
        if not changed:
            self.page_view.set_highlights({})
        self._show_thumbnails(session, changed)
        # The page on screen stays (no second render); only its boxes change.
        blocks = {p.index: [tuple(b.bbox) for b in p.blocks] for p in result.pages} if result else {}
        self.page_view.set_blocks(blocks)
        fields, warnings = self._shown_fields(session)
        doubts_apply = result is not None and session.summary_text == result.text  # offsets into what the page shows
        self.page_view.set_doubts(page_doubt_boxes(result.pages, warnings) if doubts_apply else {})

        text = session.text if session.text is not None else (result.text if result else "")
        self.text_view.set_text(text)
        self.text_view.editor.setReadOnly(result is None)
        self.text_view.set_summarize_enabled(result is not None and session.summary_job is None)
        self.text_view.set_hint(self._text_hint(session))

        if session.summary is not None:
            values = {}
            for name, summary_field in fields.items():
                edit_key = self._edit_key(session, name)
                if edit_key in session.field_edits:
                    values[name] = (session.field_edits[edit_key], True)
                else:
                    found = summary_field.status == FOUND
                    values[name] = (summary_field.text if found else "", not found)
            self.summary_panel.set_output_language(self._output_language(session))
            self.summary_panel.set_values(values)
            notes = session.summary.notes
            note = notes[session.note_index] if notes else None
            self.summary_panel.set_note(session.note_index, len(notes), note.title if note else "")
            # Underlines only where the field still shows the summary's own text (offsets match).
            doubts = field_doubts(fields, warnings, session.summary_text)
            self.summary_panel.set_doubts({name: found for name, found in doubts.items()
                                           if self._edit_key(session, name) not in session.field_edits})
            self.summary_panel.set_copied({name for name in FIELD_NAMES
                                           if self._edit_key(session, name) in session.copied})
        else:
            self.summary_panel.clear()
        self.results_panel.set_results(session.summary.results if session.summary is not None else [],
                                       self._output_language(session))
        self.summary_panel.set_done_enabled(session.status not in READING)
        self._show_warnings(session)

    def _shown_fields(self, session: DocumentSession) -> tuple[dict, list]:
        if session.summary is not None and session.summary.notes:
            session.note_index = min(max(session.note_index, 0), len(session.summary.notes) - 1)
        return shown_fields(session.summary, session.note_index)

    @staticmethod
    def _edit_key(session: DocumentSession, name: str) -> str:
        """Edits and copies are kept per note in a file with several notes."""
        return name if session.note_index == 0 else f"{name}@{session.note_index}"

    def show_note(self, index: int) -> None:
        session = self._current_session()
        if session is None or session.summary is None or not 0 <= index < len(session.summary.notes):
            return
        session.note_index = index
        self.show_document(session.key)
        note = session.summary.notes[index]
        if note.pages and self.page_view.current_index() not in note.pages:
            self._request_page(note.pages[0])

    def _text_hint(self, session: DocumentSession) -> str:
        if session.status in (WAITING, RUNNING):
            return self.tr("Reading the document…")
        if session.result is None:
            return ""
        if session.text is not None and session.text != session.summary_text:
            return self.tr("Text corrected. Press “Summarize again” to update the summary.")
        return ""

    def _output_language(self, session: DocumentSession) -> str:
        if self.prefs.output_language in ("zh", "en"):
            return self.prefs.output_language
        return session.summary.language if session.summary else self.ui_language

    def _field_title(self, name: str) -> str:
        return {"chief_complaint": self.tr("Chief complaint"), "diagnosis": self.tr("Diagnosis"),
                "plan": self.tr("Plan")}.get(name, name)

    def warning_lines(self, session: DocumentSession) -> tuple[list[str], bool]:
        """The banner's lines in the UI language, and whether they describe an error."""
        lines: list[str] = []
        error = False
        if session.status == FAILED and session.error:
            lines.append(session.error)
            error = True
        elif session.error:  # "Summarize again" failed: the previous summary is still shown
            lines.append(session.error)
            error = True
        if session.result is not None:
            for page in session.result.pages:
                if page.status == "failed" and not (session.status == FAILED and session.error == page.error):
                    # page.error is already the whole sentence ("Page 2 could not be read: …")
                    lines.append(page.error or self.tr("Page %1 could not be read: %2")
                                 .replace("%1", str(page.index + 1)).replace("%2", ""))
        if session.summary is not None:
            for warning in session.summary.warnings:
                if warning.code == "page_failed":
                    continue  # listed above from the pages themselves, in the UI language
                if warning.code == OCR_DOUBT:
                    continue  # shown where it is: underlined in its field, counted beside Copy, tinted on the page
                if warning.code == "no_text":
                    lines.append(self.tr("No text was found in the document."))
                elif warning.code == "combined_section":
                    lines.append(self.tr("The note has one “Assessment and Plan” section: it is shown as the "
                                         "plan; the diagnosis is not split out."))
                elif warning.code == "empty_section":
                    lines.append(self.tr("The heading for %1 is present but has no text.")
                                 .replace("%1", self._field_title(warning.field or "")))
                else:
                    lines.append(warning.message)
        if session.kept_edits:
            names = "、".join if self.ui_language.startswith("zh") else ", ".join
            lines.append(self.tr("Your own edits were kept for: %1")
                         .replace("%1", names(self._field_title(n) for n in session.kept_edits)))
        return lines, error

    def _show_warnings(self, session: DocumentSession) -> None:
        lines, error = self.warning_lines(session)
        self.summary_panel.set_warnings(lines, error=error)

    def highlight_result(self, row: int) -> None:
        """Show where a lab result came from: its cells' boxes on the page."""
        results = self.results_panel.results()
        if 0 <= row < len(results):
            self._highlight_evidence(results[row].evidence)

    def highlight_field(self, name: str) -> None:
        """Show where a field came from: its spans in the text and its boxes on the page."""
        session = self._current_session()
        if session is None or session.summary is None:
            return
        summary_field = self._shown_fields(session)[0][name]
        self._highlight_evidence(summary_field.evidence if summary_field.status == FOUND else [])

    def _highlight_evidence(self, evidence: list) -> None:
        session = self._current_session()
        if session is None:
            return
        if self.text_view.text() == session.summary_text:
            self.text_view.highlight([(ev.start, ev.end) for ev in evidence])
        else:
            self.text_view.clear_highlight()
        highlights: dict[int, list] = {}
        for ev in evidence:
            if ev.page is not None and ev.boxes:
                highlights.setdefault(ev.page, []).extend(tuple(box) for box in ev.boxes)
        first = next((ev for ev in evidence if ev.page is not None and ev.boxes), None)
        focus = (first.page, tuple(first.boxes[0])) if first is not None else None
        self.page_view.set_highlights(highlights, focus=focus)
        self.thumbnails.set_highlighted_pages(set(highlights))
        if focus is not None and self.page_view.current_index() != focus[0]:
            self._request_page(focus[0])

    def _request_page(self, index: int) -> None:
        session = self._current_session()
        if session is None:
            return
        count = self.page_view.page_count() or (session.result.page_count if session.result else 1)
        if 0 <= index < max(count, 1):
            self.loader.request(session.path, index)

    def _request_detail(self, index: int) -> None:
        session = self._current_session()
        if session is not None:
            self.loader.request(session.path, index, full=True)

    def _on_page_loaded(self, index: int, count: int, image: QImage, scale: float) -> None:
        if self._current_session() is not None:
            # The strip first, laid out at once: the page is then fitted and painted once, at its final width.
            self.thumbnails.set_document(self._current, count)
            self.page_area.layout().activate()
            self.page_view.set_image(index, count, image, scale)
            self.thumbnails.set_current(index)

    def _show_thumbnails(self, session: DocumentSession, changed: bool) -> None:
        """The strip for `session`; before its first page is shown the page count may be unknown."""
        result = session.result
        if changed:
            self.loader.cancel_thumbnails()  # the previous document's thumbnails are not wanted any more
        if session.status == FAILED and (result is None or not result.pages):
            self.thumbnails.set_document(None, 0)
        elif result is not None:
            self.thumbnails.set_document(session.key, result.page_count)
        elif changed:
            self.thumbnails.set_document(None, 0)  # until the first page tells the count
        self.thumbnails.set_failed_pages({p.index: p.error or "" for p in result.pages if p.status == "failed"}
                                         if result is not None else {})
        self.thumbnails.set_highlighted_pages(set())
        if self.page_view.current_index() >= 0:
            self.thumbnails.set_current(self.page_view.current_index())

    def _request_thumbnails(self, key: int, indices: list) -> None:
        session = self.sessions.get(key)
        if session is not None and key == self._current:
            self.loader.request_thumbnails(key, session.path, indices, width=self.thumbnails.pixel_width())

    def _on_page_failed(self, index: int, message: str) -> None:
        session = self._current_session()
        if session is not None:
            self.page_view.show_message(message)

    # --- user edits ---------------------------------------------------------------------

    def _on_text_edited(self, text: str) -> None:
        session = self._current_session()
        if session is not None and session.result is not None:
            session.text = text
            self.text_view.set_hint(self._text_hint(session))

    def _on_field_edited(self, name: str, text: str) -> None:
        session = self._current_session()
        if session is not None and session.summary is not None:
            session.field_edits[self._edit_key(session, name)] = text
            session.copied.discard(self._edit_key(session, name))

    def _on_copied(self, what: str) -> None:
        session = self._current_session()
        if session is not None:
            session.copied.update(self._edit_key(session, name) for name in (FIELD_NAMES if what == "all" else (what,)))
        if self.audit is not None:  # copying is how data leaves the app
            sha256 = session.result.sha256 if session is not None and session.result is not None else None
            self.audit.record("copy", sha256=sha256, engines={"field": what})
        message = self.tr("All three fields copied.") if what == "all" else \
            self.tr("%1 copied.").replace("%1", self._field_title(what))
        self.statusBar().showMessage(message, 3000)

    def _on_results_copied(self, what: str) -> None:
        session = self._current_session()
        if self.audit is not None:  # copying is how data leaves the app
            sha256 = session.result.sha256 if session is not None and session.result is not None else None
            self.audit.record("copy", sha256=sha256, engines={"field": what})
        self.statusBar().showMessage(self.tr("Lab results copied."), 3000)

    def _on_boxes_toggled(self, visible: bool) -> None:
        self.boxes_action.setChecked(visible)
        if visible != self.prefs.show_boxes:
            from dataclasses import replace

            self.prefs = replace(self.prefs, show_boxes=visible)
            qt_settings.save(self.store, self.prefs)

    # --- settings -----------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        from desktop_app.ocr import registry as ocr_registry
        from desktop_app.summarize import registry as summary_registry

        dialog = SettingsDialog(self.prefs, ocr_registry.names(), summary_registry.names(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_preferences(dialog.preferences()))
        dialog.deleteHistoryRequested.connect(self.delete_history)
        self.settings_dialog = dialog
        dialog.open()  # window-modal without a nested event loop
        return dialog

    def show_welcome(self, **options):
        """The welcome dialog (window-modal, no nested loop); marks the first run as done.
        `options` go to `WelcomeDialog` (tests inject a fake doctor and importer)."""
        from desktop_app.ui.welcome_dialog import WelcomeDialog

        if self.welcome_dialog is not None and self.welcome_dialog.isVisible():
            return self.welcome_dialog
        if self.welcome_dialog is not None:
            self.welcome_dialog.stop()
            self.welcome_dialog.deleteLater()
        dialog = WelcomeDialog(self.prefs, self, ui_language=self.ui_language[:2], **options)

        def accepted() -> None:
            if dialog.preferences() != self.prefs:
                self.apply_preferences(dialog.preferences())

        dialog.accepted.connect(accepted)
        self.welcome_dialog = dialog
        qt_settings.mark_welcome_shown(self.store)
        dialog.open()
        return dialog

    def _fit_summary_pane(self, wanted: int) -> None:
        """The fields' pane as tall as its content needs (the document text below takes the rest,
        keeping at least a few lines), so short fields leave no empty band."""
        if wanted <= 0 or not self.text_action.isChecked():
            return
        total = sum(self.right_splitter.sizes())
        if total <= 0:
            return
        text_min = max(self.text_view.minimumSizeHint().height(), 140)
        if not self.results_panel.isHidden():
            wanted += self.results_panel.sizeHint().height() + 4
        top = max(min(wanted + 8, total - text_min), 160)
        self.right_splitter.setSizes([top, total - top])

    def set_text_pane_visible(self, visible: bool) -> None:
        """The document text pane: hidden, the fields get the whole column."""
        self.text_view.setVisible(visible)
        if self.text_action.isChecked() != visible:
            self.text_action.setChecked(visible)
        if visible:
            self._fit_summary_pane(self.summary_panel.wanted_height())

    def _apply_view_preferences(self) -> None:
        """The text size of the fields and the document text, and the "Copy all" template."""
        font = QApplication.font()
        if int(self.prefs.font_size or 0) > 0:
            font.setPointSize(int(self.prefs.font_size))
        self.summary_panel.set_editor_font(font)
        self.text_view.editor.setFont(font)
        self.summary_panel.set_copy_template(self.prefs.copy_label_style, self.prefs.copy_separator)

    def apply_preferences(self, prefs: Preferences) -> None:
        self._audit_settings_change(self.prefs, prefs)
        self.prefs = prefs
        qt_settings.save(self.store, prefs)
        self._apply_view_preferences()
        self.folder_scanner.configure(prefs.engine_settings())
        self.preferencesChanged.emit(prefs)
        session = self._current_session()
        if session is not None:
            self.show_document(session.key)

    def _audit_settings_change(self, old: Preferences, new: Preferences) -> None:
        """Which preferences changed (their names, never their values: paths and hosts stay out)."""
        if self.audit is None:
            return
        from dataclasses import fields

        changed = [f.name for f in fields(Preferences) if getattr(old, f.name) != getattr(new, f.name)]
        if not changed:
            return
        self.audit.record("settings_change", engines={"changed": "+".join(changed)[:80]})
        if old.keep_history != new.keep_history:
            self.audit.record("history_on" if new.keep_history else "history_off")

    def delete_history(self) -> None:
        """"Delete all history" (confirmed in Settings): entries, database and key, in the worker."""
        if self.history_path is None:
            return
        self.runner.delete_history(self.history_path)
        if self.audit is not None:
            self.audit.record("history_delete_all")
        self.statusBar().showMessage(self.tr("All history was deleted."), 5000)

    def on_history_changed(self, is_open: bool, reason: str) -> None:
        """The worker opened or closed the history; a reason means it could not be kept."""
        if not is_open and reason:
            self.statusBar().showMessage(reason, 10000)

    def on_audit_failed(self, action: str, reason: str) -> None:
        """An audit entry could not be written: say so, keep working."""
        self.statusBar().showMessage(self.tr("Warning: the audit log could not be written (%1).")
                                     .replace("%1", reason), 10000)

    # --- progress -----------------------------------------------------------------------

    def _update_progress_running(self, stage_text: str | None = None, name: str = "") -> None:
        waiting = sum(1 for s in self.sessions.values() if s.status == WAITING)
        if stage_text is None:
            stage_text = self.tr("Waiting…")
        label = f"{name}: {stage_text}" if name else stage_text
        if waiting > 0:
            label += " " + self.tr("(%1 waiting)").replace("%1", str(waiting))
        self.stage_label.setText(label)
        self.progress_bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.cancel_all_button.setVisible(waiting > 0)
        self.cancel_all_button.setEnabled(True)

    def _update_progress_idle(self) -> None:
        self.stage_label.setText(self.tr("Ready"))
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.hide()
        self.cancel_button.hide()
        self.cancel_all_button.hide()
        session = self._current_session()
        if session is not None:
            self.text_view.set_summarize_enabled(session.result is not None and session.summary_job is None)

    def is_busy(self) -> bool:
        return bool(self._jobs)

    # --- texts and lifetime -------------------------------------------------------------

    def _app_title(self) -> str:
        return self.tr("EMR Summary Assistant")

    def retranslate(self) -> None:
        self._rerender_errors()
        session = self._current_session()
        title = self._app_title()
        self.setWindowTitle(f"{Path(session.path).name} — {title}" if session else title)
        self._queue_title.setText(self.tr("Documents"))
        self.file_menu.setTitle(self.tr("&File"))
        self.edit_menu.setTitle(self.tr("&Edit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.open_action.setText(self.tr("&Open…"))
        self.paste_action.setText(self.tr("&Paste image or file"))
        self.capture_action.setText(self.tr("&Capture a screen region…"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.copy_all_action.setText(self.tr("&Copy all fields"))
        for name, action in self.copy_field_actions.items():
            action.setText(self.tr("Copy %1").replace("%1", self._field_title(name)))
        self.documents_menu.setTitle(self.tr("&Documents"))
        self.done_next_action.setText(self.tr("&Done, next patient"))
        self.previous_action.setText(self.tr("&Previous document"))
        self.retry_action.setText(self.tr("&Retry"))
        self.remove_action.setText(self.tr("Re&move from the list"))
        self.clear_finished_action.setText(self.tr("C&lear finished"))
        self.cancel_all_action.setText(self.tr("Cancel &all…"))
        self.cancel_all_button.setText(self.tr("Cancel all…"))
        self.summarize_action.setText(self.tr("Summarize &again"))
        self.cancel_action.setText(self.tr("Cancel the running document"))
        self.boxes_action.setText(self.tr("Show OCR &boxes"))
        self.zoom_in_action.setText(self.tr("Zoom &in"))
        self.zoom_out_action.setText(self.tr("Zoom &out"))
        self.fit_action.setText(self.tr("&Fit page"))
        self.fit_width_action.setText(self.tr("Fit &width"))
        self.text_action.setText(self.tr("Show document &text"))
        self.about_action.setText(self.tr("&About"))
        self.welcome_action.setText(self.tr("&Welcome and health check…"))
        self.cancel_button.setText(self.tr("Cancel (Esc)"))
        if self._jobs:
            self._update_progress_running()
        else:
            self._update_progress_idle()
        if session is not None:
            self._show_warnings(session)
            self.text_view.set_hint(self._text_hint(session))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_summary_pane(self.summary_panel.wanted_height())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_summary_pane(self.summary_panel.wanted_height())

    def _about(self) -> None:
        from desktop_app import __version__

        text = self.tr("EMR Summary Assistant %1. Reads clinical documents on this computer and shows the "
                       "chief complaint, diagnosis and plan as written in them. Nothing is sent off this computer, "
                       "and no note text is kept unless encrypted history is turned on in Settings.")
        QMessageBox.about(self, self._app_title(), text.replace("%1", __version__))

    def shutdown(self) -> None:
        """Cancel jobs, stop the worker thread and wait for it; remove pasted images."""
        if self._shut_down:
            return
        self._shut_down = True
        if self._jobs:
            self.stage_label.setText(self.tr("Stopping…"))
        if self.welcome_dialog is not None:
            self.welcome_dialog.stop()  # an import removes its partial copy; the health check ends
        self.runner.shutdown()
        self.loader.shutdown()
        if self.audit is not None:
            self.audit.close()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

