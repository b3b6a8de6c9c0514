"""The main window: composes the widgets and routes what the user does to the document model.

The session's documents, their jobs, results, audit calls and the text said about them live in
`DocumentQueue` (the model); a handler here tells the model what happened and redraws the row or
the document it names. The window's other sides are mixins, one module each: the menus
(`window_menus`), getting documents in (`document_intake`), the patient queue's commands
(`window_queue_actions`), the page side (`window_pages`) and the settings side (`window_preferences`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.jobs.folder_scan import FolderScanner
from desktop_app.jobs.page_images import PageImageLoader
from desktop_app.jobs.runner import JobRunner
from desktop_app.models import FIELD_NAMES, FOUND
from desktop_app.qt_settings import Preferences
from desktop_app.ui.document_intake import DocumentIntake
from desktop_app.ui.document_queue import DocumentQueue
from desktop_app.ui.doubt_cues import field_doubts
from desktop_app.ui.drop_zone import DropZone, expand_paths
from desktop_app.ui.page_thumbnails import PageThumbnails
from desktop_app.ui.page_view import PageView
from desktop_app.ui.queue_list import CANCELLED, FAILED, RUNNING, WAITING, QueueList
from desktop_app.ui.results_panel import ResultsPanel
from desktop_app.ui.review_queue import (
    READING,
    DocumentSession,
    shown_fields,
)
from desktop_app.ui.summary_panel import SummaryPanel
from desktop_app.ui.text_view import TextView
from desktop_app.ui.window_menus import WindowMenus
from desktop_app.ui.window_pages import WindowPages
from desktop_app.ui.window_preferences import WindowPreferences
from desktop_app.ui.window_queue_actions import WindowQueueActions


class MainWindow(WindowMenus, DocumentIntake, WindowQueueActions, WindowPages, WindowPreferences, QMainWindow):
    preferencesChanged = Signal(object)  # Preferences, after the user saved the settings dialog

    def __init__(self, prefs: Preferences, store: QSettings, runner: JobRunner, loader: PageImageLoader,
                 ui_language: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.prefs = prefs
        self.store = store
        self.runner = runner
        self.loader = loader
        self.model = DocumentQueue(runner, ui_language, self)
        self._current: int | None = None
        self._shut_down = False
        self.settings_dialog = None  # SettingsDialog while it is open
        self.welcome_dialog = None  # WelcomeDialog, built on first use (first run, or Help)
        self.region_overlay = None  # the screen-region capture overlay while it is open
        self.inbox = None  # the scan-inbox watcher, set by the app factory
        self.history_path: Path | None = None  # the encrypted history's database, set by the app factory

        self._build_widgets()
        self._build_actions()
        self._connect()
        self.setAcceptDrops(True)
        self.resize(1340, 720)  # fits a 1366×768 screen with its task bar
        self._apply_view_preferences()
        self.retranslate()
        self._update_progress_idle()

    # The model owns these; the app factory and tests reach them through the window.
    sessions = property(lambda self: self.model.sessions)
    audit = property(lambda self: self.model.audit, lambda self, writer: setattr(self.model, "audit", writer))

    @property
    def ui_language(self) -> str:
        return self.model.ui_language

    @ui_language.setter
    def ui_language(self, language: str) -> None:
        self.model.set_language(language)

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
        for widget in (self.stage_label, self.progress_bar, self.cancel_button, self.cancel_all_button):
            bar.addPermanentWidget(widget)
        self.folder_scanner = FolderScanner(self.prefs.engine_settings(), expand_paths, self)

    def _connect(self) -> None:
        connections = (
            (self.drop_zone.pathsDropped, self.add_paths), (self.drop_zone.openRequested, self.open_files),
            (self.queue.documentSelected, self.show_document), (self.queue.retryRequested, self.retry),
            (self.queue.removeRequested, self.remove), (self.queue.cancelRequested, self.cancel_document),
            (self.queue.cancelAllRequested, lambda: self.cancel_all()),
            (self.queue.clearFinishedRequested, self.clear_finished),
            (self.folder_scanner.scanned, self._on_folders_scanned),
            (self.summary_panel.doneRequested, self.done_and_next), (self.summary_panel.noteRequested, self.show_note),
            (self.summary_panel.wantedHeightChanged, self._fit_summary_pane),
            (self.summary_panel.fieldActivated, self.highlight_field),
            (self.summary_panel.fieldEdited, self._on_field_edited), (self.summary_panel.copied, self._on_copied),
            (self.page_view.pageRequested, self._request_page), (self.page_view.detailWanted, self._request_detail),
            (self.page_view.boxesToggled, self._on_boxes_toggled),
            (self.text_view.summarizeRequested, lambda _text: self.summarize_again()),
            (self.text_view.textEdited, self._on_text_edited),
            (self.text_view.hideRequested, lambda: self.text_action.setChecked(False)),
            (self.results_panel.rowActivated, self.highlight_result),
            (self.results_panel.copied, self._on_results_copied),
            (self.cancel_button.clicked, self.cancel_running),
            (self.cancel_all_button.clicked, lambda: self.cancel_all()),
            (self.model.rowChanged, self._redraw_row), (self.model.documentChanged, self._redraw_document),
            (self.model.jobStarted, self._on_job_started), (self.model.progressed, self._on_job_progress),
            (self.model.jobAnswered, self._update_progress),
            (self.model.summaryUpdated, lambda key: self.statusBar().showMessage(
                self.tr("Summary updated from the corrected text."), 5000) if key == self._current else None),
            (self.model.summaryFailed, lambda message: self.statusBar().showMessage(message, 10000)),
            (self.loader.loaded, self._on_page_loaded), (self.loader.failed, self._on_page_failed),
            (self.thumbnails.pageClicked, self._request_page),
            (self.thumbnails.thumbnailsWanted, self._request_thumbnails),
            (self.loader.thumbnailLoaded, self.thumbnails.set_thumbnail),
        )
        for signal, slot in connections:
            signal.connect(slot)

    # --- what the model reports ---------------------------------------------------------

    def _redraw_row(self, key: int) -> None:
        session = self.sessions.get(key)
        if session is not None:
            self.queue.set_status(key, session.status, session.error if session.status == FAILED else "")
            self.queue.set_reviewed(key, session.reviewed)

    def _redraw_document(self, key: int) -> None:
        if key == self._current:
            self.show_document(key)

    def _on_job_started(self, key: int) -> None:
        session = self.sessions[key]
        current = self._current_session()
        if session.status == RUNNING and (current is None or current.reviewed
                                          or current.status in (WAITING, RUNNING, CANCELLED)):
            self.queue.select(key)  # nothing finished on screen: follow the work
        self._update_progress_running(stage_text=self.tr("Starting…"), name=Path(session.path).name)

    def _on_job_progress(self, key: int, stage: str, done: int, total: int) -> None:
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
        self._update_progress_running(stage_text=text, name=Path(self.sessions[key].path).name)

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
        fields, warnings = self._shown_fields(session)
        self._show_page(session, changed, warnings)

        result = session.result
        self.text_view.set_text(session.text if session.text is not None else (result.text if result else ""))
        self.text_view.editor.setReadOnly(result is None)
        self.text_view.set_summarize_enabled(result is not None and session.summary_job is None)
        self.text_view.set_hint(self.model.text_hint(session))

        if session.summary is not None:
            values = {}
            for name, summary_field in fields.items():
                if session.edit_key(name) in session.field_edits:
                    values[name] = (session.field_edits[session.edit_key(name)], True)
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
                                           if session.edit_key(name) not in session.field_edits})
            self.summary_panel.set_copied({name for name in FIELD_NAMES if session.edit_key(name) in session.copied})
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

    def show_note(self, index: int) -> None:
        session = self._current_session()
        if session is None or session.summary is None or not 0 <= index < len(session.summary.notes):
            return
        session.note_index = index
        self.show_document(session.key)
        note = session.summary.notes[index]
        if note.pages and self.page_view.current_index() not in note.pages:
            self._request_page(note.pages[0])

    def _output_language(self, session: DocumentSession) -> str:
        if self.prefs.output_language in ("zh", "en"):
            return self.prefs.output_language
        return session.summary.language if session.summary else self.ui_language

    def _show_warnings(self, session: DocumentSession) -> None:
        lines, error = self.model.warning_lines(session)
        self.summary_panel.set_warnings(lines, error=error)

    # --- user edits and copies ----------------------------------------------------------

    def _on_text_edited(self, text: str) -> None:
        session = self._current_session()
        if session is not None and session.result is not None:
            session.text = text
            self.text_view.set_hint(self.model.text_hint(session))

    def _on_field_edited(self, name: str, text: str) -> None:
        session = self._current_session()
        if session is not None and session.summary is not None:
            session.field_edits[session.edit_key(name)] = text
            session.copied.discard(session.edit_key(name))

    def _on_copied(self, what: str) -> None:
        self.model.record_copy(self._current, what)
        message = self.tr("All three fields copied.") if what == "all" else \
            self.tr("%1 copied.").replace("%1", self.model.field_title(what))
        self.statusBar().showMessage(message, 3000)

    def _on_results_copied(self, what: str) -> None:
        self.model.record_copy(self._current, what)
        self.statusBar().showMessage(self.tr("Lab results copied."), 3000)

    # --- progress -----------------------------------------------------------------------

    def _update_progress(self) -> None:
        self._update_progress_running() if self.model.busy() else self._update_progress_idle()

    def _update_progress_running(self, stage_text: str | None = None, name: str = "") -> None:
        waiting = self.model.waiting()
        label = f"{name}: {stage_text or self.tr('Waiting…')}" if name else (stage_text or self.tr("Waiting…"))
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

    # --- texts and lifetime -------------------------------------------------------------

    def _app_title(self) -> str:
        return self.tr("EMR Summary Assistant")

    def retranslate(self) -> None:
        self.model.set_language(self.ui_language)  # errors known in both languages, in the new one
        session = self._current_session()
        title = self._app_title()
        self.setWindowTitle(f"{Path(session.path).name} — {title}" if session else title)
        self._queue_title.setText(self.tr("Documents"))
        self._retranslate_menus()
        self.cancel_all_button.setText(self.tr("Cancel all…"))
        self.cancel_button.setText(self.tr("Cancel (Esc)"))
        self._update_progress()
        if session is not None:
            self._show_warnings(session)
            self.text_view.set_hint(self.model.text_hint(session))
            # The failures shown on the page and in the page strip, in the new language.
            self._show_failed_pages(session)
            if session.status == FAILED and (session.result is None or not session.result.pages):
                self.page_view.show_message(session.error)

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

    def shutdown(self) -> None:
        """Cancel jobs, stop the worker thread and wait for it; remove pasted images."""
        if self._shut_down:
            return
        self._shut_down = True
        if self.model.busy():
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
