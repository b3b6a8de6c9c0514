"""The session's documents: what was queued, which job stands for each, what came back, what the
audit log hears, and the user-facing text about each document (status reason, banner lines).

A thin QObject (QtCore only, no widgets) between the `JobRunner` and the window: the window tells
it what the user did and redraws the rows it names (Buzz's main window and its task model). The
queue rules it applies are in `review_queue` (Qt-free).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.jobs.runner import JobRunner
from desktop_app.models import FIELD_NAMES, DocumentResult, Summary
from desktop_app.ui.doubt_cues import OCR_DOUBT
from desktop_app.ui.review_queue import CANCELLED, DONE, RUNNING, WAITING, DocumentSession, in_language

DOCUMENT, SUMMARY = "document", "summary"  # the two kinds of job a document has


class DocumentQueue(QObject):
    rowChanged = Signal(int)  # key: its status, reason or review mark changed (redraw its row)
    documentChanged = Signal(int)  # key: what it shows changed (result, summary, error): redraw it if on screen
    jobStarted = Signal(int)  # key: the worker started one of its jobs
    progressed = Signal(int, str, int, int)  # key, stage, done, total of the job being worked on now
    jobAnswered = Signal()  # a job answered (done, failed or cancelled): the progress bar may go idle
    summaryUpdated = Signal(int)  # key: "Summarize again" answered
    summaryFailed = Signal(str)  # "Summarize again" failed: the message, in the UI language

    def __init__(self, runner: JobRunner, ui_language: str = "en", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.ui_language = ui_language
        self.audit = None  # jobs.audit_writer.AuditWriter, or None (not audited)
        self.sessions: dict[int, DocumentSession] = {}
        self._jobs: dict[int, tuple[int, str, str]] = {}  # job id -> (document key, kind, text sent)
        self._next_key = 1
        # Jobs being worked on now, in the order they started: one, or up to N when the engines are servers
        # and several documents are read at once (jobs/in_flight.py). Progress shows the latest of them.
        self.running_jobs: list[int] = []
        runner.started.connect(self._on_started)
        runner.progress.connect(self._on_progress)
        runner.finished.connect(self._on_document_finished)
        runner.summarized.connect(self._on_summarized)
        runner.failed.connect(self._on_failed)
        runner.cancelled.connect(self._on_cancelled)

    # --- what the user did ------------------------------------------------------------------

    def add(self, path: str, temporary: bool = False) -> int:
        """Queue one file (its answer may be "not a document"); returns its key."""
        key = self._next_key
        self._next_key += 1
        session = DocumentSession(key, path, temporary=temporary)
        self.sessions[key] = session
        self._record_file("open", path)
        self._submit(session)
        return key

    def next_key(self) -> int:
        """The key the next document will get (names a pasted image's file)."""
        return self._next_key

    def retry(self, key: int) -> bool:
        """Read a document again from scratch (its edits go); False when it cannot be retried now."""
        session = self.sessions.get(key)
        if session is None or not session.retryable():
            return False
        if session.summary_job is not None:
            self.runner.cancel(session.summary_job)
        fresh = DocumentSession(key, session.path, temporary=session.temporary)
        self.sessions[key] = fresh
        self._submit(fresh)
        self.rowChanged.emit(key)
        return True

    def remove(self, key: int) -> DocumentSession | None:
        """Take a document out of the session; its jobs are cancelled, a pasted image deleted."""
        session = self.sessions.pop(key, None)
        if session is None:
            return None
        self._cancel_jobs(session)
        if session.temporary:
            Path(session.path).unlink(missing_ok=True)  # a pasted image: nobody will open it again
        return session

    def cancel(self, key: int) -> bool:
        """Cancel one document: the running one stops at its next page, a waiting one at once
        (then True: its job will answer only when the worker reaches it)."""
        session = self.sessions.get(key)
        if session is None:
            return False
        self._cancel_jobs(session)
        if session.status != WAITING:
            return False
        session.job = None
        session.status = CANCELLED
        self.rowChanged.emit(key)
        self.documentChanged.emit(key)
        return True

    def cancel_running(self) -> bool:
        """Stop the jobs being worked on now (with several documents in flight, each of them); the waiting
        ones go on. False when none runs."""
        for job_id in self.running_jobs:
            self.runner.cancel(job_id)
        return bool(self.running_jobs)

    def cancel_all(self) -> None:
        self.runner.cancel_all()
        for session in list(self.sessions.values()):
            if session.status == WAITING:
                self.cancel(session.key)

    def mark_reviewed(self, key: int) -> None:
        """The physician is done with a document (once it is read)."""
        session = self.sessions.get(key)
        if session is not None and not session.reading() and not session.reviewed:
            session.reviewed = True
            self.rowChanged.emit(key)

    def summarize_again(self, key: int, text: str) -> bool:
        """Summarize the (possibly corrected) text of a document that was read."""
        session = self.sessions.get(key)
        if session is None or session.result is None or session.summary_job is not None:
            return False
        session.error, session.error_messages = "", {}
        job_id = self.runner.summarize(text)
        session.summary_job = job_id
        self._jobs[job_id] = (key, SUMMARY, text)
        return True

    def record_copy(self, key: int | None, what: str) -> None:
        """Copying is how data leaves the app: audited (which field, never its text)."""
        session = self.sessions.get(key) if key is not None else None
        if session is not None and what != "results":
            session.copied.update(session.edit_key(name) for name in (FIELD_NAMES if what == "all" else (what,)))
        if self.audit is not None:
            self.audit.record("copy", sha256=self._sha256(session), engines={"field": what})

    def record(self, action: str, **details: object) -> None:
        """An audit entry not tied to a document (settings changed, history deleted)."""
        if self.audit is not None:
            self.audit.record(action, **details)

    # --- state ------------------------------------------------------------------------------

    def busy(self) -> bool:
        """Some job (a document or "Summarize again") has not answered yet."""
        return bool(self._jobs)

    def waiting(self) -> int:
        return sum(1 for s in self.sessions.values() if s.status == WAITING)

    def reading(self) -> int:
        return sum(1 for s in self.sessions.values() if s.reading())

    def active(self) -> bool:
        """Some document is being read or waits, or is being summarized again."""
        return any(s.reading() or s.summary_job is not None for s in self.sessions.values())

    def set_language(self, ui_language: str) -> None:
        """A language switch: errors known in both languages are shown again in the new one."""
        self.ui_language = ui_language
        for session in self.sessions.values():
            if session.error_messages:
                session.error = in_language(session.error_messages, ui_language)
                if session.failed():
                    self.rowChanged.emit(session.key)

    # --- what the user reads about a document ----------------------------------------------

    def field_title(self, name: str) -> str:
        return {"chief_complaint": self.tr("Chief complaint"), "diagnosis": self.tr("Diagnosis"),
                "plan": self.tr("Plan")}.get(name, name)

    def warning_lines(self, session: DocumentSession) -> tuple[list[str], bool]:
        """The banner's lines in the UI language, and whether they describe an error."""
        lines: list[str] = [session.error] if session.error else []  # failed, or "Summarize again" failed
        if session.result is not None:
            for page in session.result.pages:
                error = in_language(page.error_messages, self.ui_language) or page.error
                if page.status == "failed" and not (session.failed() and session.error == error):
                    # the page's error is already the whole sentence ("Page 2 could not be read: …")
                    lines.append(error or self.tr("Page %1 could not be read: %2")
                                 .replace("%1", str(page.index + 1)).replace("%2", ""))
        if session.summary is not None:
            lines.extend(self._summary_warning_lines(session.summary))
        if session.kept_edits:
            names = "、".join if self.ui_language.startswith("zh") else ", ".join
            lines.append(self.tr("Your own edits were kept for: %1")
                         .replace("%1", names(self.field_title(n) for n in session.kept_edits)))
        return lines, bool(session.error)

    def _summary_warning_lines(self, summary: Summary) -> list[str]:
        lines = []
        for warning in summary.warnings:
            if warning.code in ("page_failed", OCR_DOUBT):
                # page_failed: listed from the pages themselves; ocr_doubt: shown where it is (underlined
                # in its field, counted beside Copy, tinted on the page)
                continue
            if warning.code == "no_text":
                lines.append(self.tr("No text was found in the document."))
            elif warning.code == "combined_section":
                lines.append(self.tr("The note has one “Assessment and Plan” section: it is shown as the "
                                     "plan; the diagnosis is not split out."))
            elif warning.code == "empty_section":
                lines.append(self.tr("The heading for %1 is present but has no text.")
                             .replace("%1", self.field_title(warning.field or "")))
            else:
                lines.append(in_language(warning.messages, self.ui_language) or warning.message)
        return lines

    def text_hint(self, session: DocumentSession) -> str:
        """The line above the document text: still reading, or corrected and not summarized yet."""
        if session.reading():
            return self.tr("Reading the document…")
        if session.result is not None and session.text is not None and session.text != session.summary_text:
            return self.tr("Text corrected. Press “Summarize again” to update the summary.")
        return ""

    # --- the worker's answers ---------------------------------------------------------------

    def _submit(self, session: DocumentSession) -> None:
        job_id = self.runner.submit(session.path)
        self._jobs[job_id] = (session.key, DOCUMENT, "")
        session.job = job_id

    def _job(self, job_id: int) -> tuple[DocumentSession | None, str, str]:
        """The session a job's answer is for; None when the document was removed, or cancelled
        or retried since (a newer job, or none, now stands for it)."""
        key, kind, text = self._jobs.get(job_id, (None, "", ""))
        session = self.sessions.get(key) if key is not None else None
        if session is not None and job_id != (session.job if kind == DOCUMENT else session.summary_job):
            session = None
        return session, kind, text

    def _answered(self, job_id: int) -> tuple[DocumentSession | None, str, str]:
        answer = self._job(job_id)
        self._jobs.pop(job_id, None)
        if job_id in self.running_jobs:
            self.running_jobs.remove(job_id)
        self.jobAnswered.emit()
        return answer

    def _on_started(self, job_id: int) -> None:
        self.running_jobs.append(job_id)
        session, kind, _ = self._job(job_id)
        if session is None:
            return
        if kind == DOCUMENT:
            session.status = RUNNING
            self.rowChanged.emit(session.key)
        self.jobStarted.emit(session.key)

    def _on_progress(self, job_id: int, stage: str, done: int, total: int) -> None:
        session, _, _ = self._job(job_id)
        if session is not None and self.running_jobs and job_id == self.running_jobs[-1]:
            self.progressed.emit(session.key, stage, done, total)

    def _on_document_finished(self, job_id: int, result: DocumentResult) -> None:
        session, _, _ = self._answered(job_id)
        if session is None:
            return
        session.job = None
        session.result = result
        session.summary = result.summary
        session.summary_text = result.text
        if self.audit is not None:
            self.audit.record_document("summarize", result)
        if result.error:
            session.fail(result.error_messages, self.ui_language, fallback=result.error)
        else:
            session.status = DONE
        self.rowChanged.emit(session.key)
        self.documentChanged.emit(session.key)

    def _on_summarized(self, job_id: int, summary: Summary) -> None:
        session, _, text = self._answered(job_id)
        if session is None:
            return
        session.summary_job = None
        session.summary = summary
        session.summary_text = text
        if self.audit is not None:  # "Summarize again" on the (possibly corrected) text
            self.audit.record("summarize", sha256=self._sha256(session),
                              engines={"summarizer": summary.engine or "unknown"})
        # Fields the physician typed by hand stay as typed; the rest take the new summary.
        session.kept_edits = list(dict.fromkeys(name.split("@")[0] for name in session.field_edits))
        self.documentChanged.emit(session.key)
        self.summaryUpdated.emit(session.key)

    def _on_failed(self, job_id: int, code: str, messages: dict) -> None:
        session, kind, _ = self._answered(job_id)
        if session is None:
            return
        if self.audit is not None:
            self.audit.record("summarize", sha256=self._sha256(session), outcome=code)  # None: never read
        if kind == DOCUMENT:
            session.job = None
            session.fail(messages, self.ui_language)
            self.rowChanged.emit(session.key)
        else:  # "Summarize again" failed: the previous summary stays, with the reason above it
            session.summary_job = None
            session.kept_edits = []
            session.error, session.error_messages = in_language(messages, self.ui_language), dict(messages)
            self.summaryFailed.emit(session.error)
        self.documentChanged.emit(session.key)

    def _on_cancelled(self, job_id: int) -> None:
        session, kind, _ = self._answered(job_id)
        if session is None:
            return
        if kind == DOCUMENT:
            session.job = None
            session.status = CANCELLED
            self.rowChanged.emit(session.key)
        else:
            session.summary_job = None
        self.documentChanged.emit(session.key)

    # --- helpers ----------------------------------------------------------------------------

    def _cancel_jobs(self, session: DocumentSession) -> None:
        for job_id in (session.job, session.summary_job):
            if job_id is not None:
                self.runner.cancel(job_id)

    def _record_file(self, action: str, path: str) -> None:
        if self.audit is not None:
            self.audit.record_file(action, path)  # its hash only, computed in the background

    @staticmethod
    def _sha256(session: DocumentSession | None) -> str | None:
        return session.result.sha256 if session is not None and session.result is not None else None
