"""The main window's patient queue: Esc / cancel one / cancel all (after asking), Done and next
patient, previous, Retry, Remove, Clear finished, and "Summarize again".

A mixin of `MainWindow` (its `tr()` context stays "MainWindow"): each handler tells the document
model (`self.model`) and redraws what changed; the rules of what comes next are in `review_queue`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
)

from desktop_app.ui.review_queue import RETRYABLE, finished, neighbour, next_to_review


class WindowQueueActions:

    def _on_escape(self) -> None:
        """Esc cancels the running job only, and never while the physician types in a text field
        (there Esc belongs to the field; an accidental press must not cost a document)."""
        focus = QApplication.focusWidget()
        if isinstance(focus, (QPlainTextEdit, QTextEdit, QLineEdit, QAbstractSpinBox)):
            return
        self.cancel_running()

    def cancel_running(self) -> None:
        """Stop the jobs being worked on now (each document in flight); the waiting documents go on."""
        if self.model.cancel_running():
            self.stage_label.setText(self.tr("Cancelling…"))
            self.cancel_button.setEnabled(False)

    def cancel_document(self, key: int) -> None:
        """Cancel one document: the running one stops at its next page, a waiting one at once."""
        if self.model.cancel(key):
            self._update_progress()

    def cancel_all(self, *, ask: bool = True) -> None:
        """Cancel the running job and every waiting one, after asking."""
        if not self.model.busy():
            return
        question = self.tr("Cancel all %n document(s) still being read or waiting?", "", self.model.reading())
        if ask and not self.confirm(question):
            return
        self.model.cancel_all()
        self.stage_label.setText(self.tr("Cancelling…"))
        self.cancel_button.setEnabled(False)
        self.cancel_all_button.setEnabled(False)

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question (No is the default). Tests replace this method."""
        answer = QMessageBox.question(self, self._app_title(), question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def done_and_next(self) -> None:
        """Ctrl+Down: mark the document on screen done (once it is read), show the next one to review."""
        session = self._current_session()
        if session is None:
            return
        self.model.mark_reviewed(session.key)
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
        self.model.retry(key)
        if key == self._current:
            self._current = None  # shown afresh: the page, the zoom, the fields
            self.show_document(key)
        self._update_progress_running()

    def remove(self, key: int | None) -> None:
        """Take a document off the list (Delete, or the list's menu); its job is cancelled."""
        if key is None or self.model.remove(key) is None:
            return
        if key == self._current:
            following = neighbour(self.queue.keys(), key, +1) or neighbour(self.queue.keys(), key, -1)
            self._current = None
            if following is not None:
                self.queue.select(following)
        self.queue.remove_document(key)
        if not self.sessions:
            self._show_empty()
        self._update_progress_running() if self.model.active() else self._update_progress_idle()

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
        if session is not None and self.model.summarize_again(session.key, self.text_view.text()):
            self.text_view.set_summarize_enabled(False)
            self._update_progress_running(stage_text=self.tr("Summarizing"), name=Path(session.path).name)
