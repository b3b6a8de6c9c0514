"""The GUI worker keeps up to N documents in flight when both engines are servers (issue #15), like
`batch --concurrency N`; in-process engines keep one at a time. Against a stand-in summary server on
127.0.0.1 that counts the requests it holds at once."""

from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402

from desktop_app import http_client  # noqa: E402
from desktop_app.ui.queue_list import DONE  # noqa: E402
from tests.documents import text_pdf  # noqa: E402
from tests.gui_windows import window_factory  # noqa: E402
from tests.standin_llm_server import Reply, StandInLlmServer  # noqa: E402

pytestmark = pytest.mark.gui

ANSWER = json.dumps({"chief_complaint": "cough for 3 days", "diagnosis": "pneumonia", "plan": "chest x-ray"})
DOCUMENTS = 5


@pytest.fixture(autouse=True)
def no_backoff_waits(monkeypatch):
    monkeypatch.setattr(http_client, "_sleep", lambda seconds, cancel: None)


def holding_server(company: int, patience: float) -> StandInLlmServer:
    """Holds each summary request until `company` requests are in flight (or `patience` seconds have
    passed), so documents that can overlap do, even when a lane starts late on a loaded machine."""
    def reply(body: dict) -> Reply:
        deadline = time.monotonic() + patience
        while server.in_flight < company and time.monotonic() < deadline:
            time.sleep(0.01)
        return Reply(ANSWER)

    server = StandInLlmServer(reply)
    return server


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


def settings_store(tmp_path, server, ocr: str, concurrency: int) -> QSettings:
    store = QSettings(str(tmp_path / f"{ocr}.ini"), QSettings.Format.IniFormat)
    for key, value in {"engines/ocr": ocr, "network/endpoint": server.url, "network/served_model": "ocr",
                       "engines/summarizer": "openai", "network/summary_endpoint": server.url,
                       "network/summary_served_model": "tiny", "engines/concurrency": concurrency}.items():
        store.setValue(key, value)
    store.sync()
    return store


def read_all(qtbot, make_window, tmp_path, server: StandInLlmServer, ocr: str, pipeline_factory=None) -> list:
    """Drops DOCUMENTS text PDFs into a window whose Settings ask for 3 documents at once with the
    `ocr` engine and the summary server; waits until each is answered; returns their sessions."""
    window = make_window(pipeline_factory, store=settings_store(tmp_path, server, ocr, 3))
    # Text PDFs: their pages are read from the text layer (no OCR request); only the summaries go out.
    paths = [str(text_pdf(tmp_path, f"Chief complaint: cough for 3 days.\nPlan: chest x-ray.\nVisit {i}.",
                          name=f"note{i}.pdf")) for i in range(DOCUMENTS)]
    try:
        keys = window.add_paths(paths)
        qtbot.waitUntil(lambda: all(window.sessions[key].status not in ("waiting", "running") for key in keys),
                        timeout=60_000)
    finally:
        server.close()
    return [window.sessions[key] for key in keys]


def test_server_engines_keep_n_documents_in_flight(qtbot, tmp_path, make_window):
    # GIVEN the OCR and the summary on servers, and 3 documents at once asked for in Settings
    server = holding_server(company=3, patience=3.0)
    # WHEN five documents are dropped
    sessions = read_all(qtbot, make_window, tmp_path, server, "openai")
    # THEN every one is summarized by the server, with three (never more) in flight at once
    assert [s.status for s in sessions] == [DONE] * DOCUMENTS, [s.error for s in sessions]
    assert {s.result.summary.engine for s in sessions} == {"openai"}
    assert [s.result.summary.chief_complaint.text for s in sessions] == ["cough for 3 days"] * DOCUMENTS
    assert server.max_in_flight == 3


def test_an_in_process_engine_keeps_one_document_at_a_time(qtbot, tmp_path, make_window):
    # GIVEN the embedded OCR (in-process), a summary server, and 3 at once asked for
    server = holding_server(company=2, patience=0.4)
    sessions = read_all(qtbot, make_window, tmp_path, server, "auto")
    # THEN the documents are read one after the other
    assert [s.status for s in sessions] == [DONE] * DOCUMENTS, [s.error for s in sessions]
    assert server.max_in_flight == 1


def test_a_lane_whose_engines_cannot_be_built_answers_every_document(qtbot, tmp_path, make_window):
    # GIVEN server engines, 3 at once, and a pipeline that cannot be built (a setting is missing)
    from desktop_app import errors

    def no_pipeline(settings, language):
        raise errors.SummaryServerNotConfigured(missing="--summary-endpoint")

    # WHEN documents are dropped, THEN each one fails with that reason (none waits forever)
    sessions = read_all(qtbot, make_window, tmp_path, holding_server(company=3, patience=0.1), "openai", no_pipeline)
    assert [s.status for s in sessions] == ["failed"] * DOCUMENTS
    assert all("--summary-endpoint" in s.error for s in sessions)
