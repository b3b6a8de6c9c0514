"""The document-session model without a window: what it does with the worker's answers (a stale
answer after a retry is ignored), what it tells the audit log, and errors re-rendered on a
language switch. A stand-in runner with the JobRunner's signals; no thread, no pipeline."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QObject, Signal  # noqa: E402

from desktop_app import errors  # noqa: E402
from desktop_app.models import DocumentResult, PageResult, Summary  # noqa: E402
from desktop_app.ui.document_queue import DocumentQueue  # noqa: E402
from desktop_app.ui.review_queue import CANCELLED, DONE, FAILED, RUNNING, WAITING  # noqa: E402


class StandInRunner(QObject):
    started = Signal(int)
    progress = Signal(int, str, int, int)
    finished = Signal(int, object)
    summarized = Signal(int, object)
    failed = Signal(int, str, dict)
    cancelled = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.submitted: list[str] = []
        self.cancelled_jobs: list[int] = []

    def submit(self, path: str) -> int:
        self.submitted.append(path)
        return len(self.submitted)  # job ids 1, 2, …

    def cancel(self, job_id: int) -> None:
        self.cancelled_jobs.append(job_id)


class Audit:
    def __init__(self) -> None:
        self.entries: list[tuple] = []

    def record_file(self, action, path):
        self.entries.append((action, "file"))

    def record_document(self, action, result):
        self.entries.append((action, result.sha256))

    def record(self, action, **details):
        self.entries.append((action, details.get("sha256"), details.get("outcome")))


def test_answers_update_the_session_and_a_stale_answer_is_ignored(qapp):
    runner = StandInRunner()
    model = DocumentQueue(runner)
    model.audit = Audit()
    rows: list[int] = []
    model.rowChanged.connect(rows.append)
    key = model.add("/scans/a.tif")
    session = model.sessions[key]
    assert session.status == WAITING and runner.submitted == ["/scans/a.tif"] and model.busy()

    runner.started.emit(1)
    assert session.status == RUNNING and rows == [key]
    runner.cancelled.emit(1)
    assert session.status == CANCELLED and not model.busy()

    # Retried: job 2 stands for the document now, so a late answer of job 1 changes nothing
    assert model.retry(key)
    retried = model.sessions[key]
    runner.finished.emit(1, DocumentResult(source="/scans/a.tif", sha256="old", summary=Summary()))
    assert retried.status == WAITING and retried.result is None
    runner.finished.emit(2, DocumentResult(source="/scans/a.tif", sha256="new", summary=Summary()))
    assert retried.status == DONE and retried.result.sha256 == "new"
    assert model.audit.entries == [("open", "file"), ("summarize", "new")]  # opened once, read once

    model.record_copy(key, "plan")
    assert "plan" in retried.copied and model.audit.entries[-1] == ("copy", "new", None)


def test_a_failure_is_kept_in_both_languages_and_re_rendered(qapp):
    runner = StandInRunner()
    model = DocumentQueue(runner, ui_language="en")
    key = model.add("/scans/b.tif")
    page_error = errors.PageError(page=1, detail="x")
    result = DocumentResult(source="/scans/b.tif", error=page_error.message("en"), error_code=page_error.code,
                            error_messages=page_error.messages(),
                            pages=[PageResult(0, "fake", "failed", error=page_error.message("en"),
                                              error_messages=page_error.messages())])
    runner.finished.emit(1, result)
    session = model.sessions[key]
    assert session.status == FAILED and session.error == "Page 1 could not be read: x"
    assert model.warning_lines(session) == (["Page 1 could not be read: x"], True)  # the page's error once

    model.set_language("zh_CN")
    assert session.error == "第 1 页无法识别：x"
    assert model.warning_lines(session) == (["第 1 页无法识别：x"], True)


def test_with_several_documents_in_flight_esc_stops_each_and_progress_follows_one(qapp):
    # server engines with concurrency 3 (jobs/in_flight.py): three jobs start before any finishes
    runner = StandInRunner()
    model = DocumentQueue(runner)
    keys = [model.add(f"/scans/{name}.tif") for name in "abcd"]
    shown: list[tuple[int, int]] = []
    model.progressed.connect(lambda key, stage, done, total: shown.append((key, done)))
    for job_id in (1, 2, 3):
        runner.started.emit(job_id)
    assert [model.sessions[k].status for k in keys] == [RUNNING, RUNNING, RUNNING, WAITING]
    for job_id in (1, 2, 3):
        runner.progress.emit(job_id, "ocr", job_id, 5)
    assert shown == [(keys[2], 3)]  # one progress bar: the latest started job's
    runner.finished.emit(3, DocumentResult(source="/scans/c.tif", pages=[], summary=Summary()))
    runner.progress.emit(2, "ocr", 4, 5)
    assert shown[-1] == (keys[1], 4)  # the next one still running takes the bar over
    assert model.cancel_running() is True
    assert sorted(runner.cancelled_jobs) == [1, 2]  # both in flight; the waiting one goes on
    assert model.sessions[keys[3]].status == WAITING
