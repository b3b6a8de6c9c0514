"""`emr-assist batch --concurrency N` against a stand-in summary server on 127.0.0.1: N documents in
flight (never more), every output written, a stable report, and a server that dies mid-batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app import cli, http_client
from tests.documents import text_pdf
from tests.standin_llm_server import Reply, StandInLlmServer

ANSWER = json.dumps({"chief_complaint": "cough for 3 days", "diagnosis": "pneumonia", "plan": "chest x-ray"})


def note(i: int) -> str:
    return f"Chief complaint: cough for 3 days.\nAssessment: pneumonia.\nPlan: chest x-ray.\nVisit {i}."


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        text_pdf(folder, note(i), name=f"note{i}.pdf")
    return folder


@pytest.fixture(autouse=True)
def no_backoff_waits(monkeypatch):
    # Retries still happen (and are counted); only the waits between them are skipped. Forked
    # workers inherit the patch.
    monkeypatch.setattr(http_client, "_sleep", lambda seconds, cancel: None)


def batch(inbox, out, server_url: str, *extra: str) -> int:
    # --ocr openai: every page here has a text layer, so no OCR request is made; the OCR setting only
    # says that no engine of this run loads a model in-process.
    return cli.main(["--lang", "en", "batch", str(inbox), "--out", str(out), "--no-app-settings",
                     "--ocr", "openai", "--endpoint", server_url, "--served-model", "ocr",
                     "--summarizer", "openai", "--summary-endpoint", server_url,
                     "--summary-served-model", "tiny", *extra])


def test_concurrency_keeps_n_documents_in_flight_and_writes_every_output(inbox, tmp_path, capsys):
    server = StandInLlmServer(lambda body: Reply(ANSWER, usage={
        "prompt_tokens": 200, "completion_tokens": 20, "prompt_tokens_details": {"cached_tokens": 150}}), delay=0.6)
    try:
        code = batch(inbox, tmp_path / "out", server.url, "--concurrency", "3")
    finally:
        server.close()
    out = capsys.readouterr().out
    assert code == 0
    assert server.max_in_flight == 3  # bounded: never more than N at once, and N were reached
    assert len(server.requests) == 6
    assert len(list((tmp_path / "out").glob("*.json"))) == 6 and len(list((tmp_path / "out").glob("*.md"))) == 6
    assert "6 documents: 6 summarized, 0 skipped (already done), 0 failed" in out
    assert "summary server: 6 requests, 1200 prompt tokens, 900 served from the server's prefix cache (75 %)" in out


def test_in_process_engines_run_one_at_a_time_and_say_so(inbox, tmp_path, capsys):
    server = StandInLlmServer(lambda body: Reply(ANSWER), delay=0.1)
    try:
        code = cli.main(["--lang", "en", "batch", str(inbox), "--out", str(tmp_path / "out"), "--no-app-settings",
                         "--summarizer", "openai", "--summary-endpoint", server.url,
                         "--summary-served-model", "tiny", "--concurrency", "4"])
    finally:
        server.close()
    assert code == 0 and server.max_in_flight == 1
    assert "--concurrency 4 applies to server engines only" in capsys.readouterr().err


def test_a_server_that_dies_fails_the_documents_in_flight_and_resume_retries_them(inbox, tmp_path, capsys):
    out = tmp_path / "out"
    # GIVEN a server that answers the first two requests and then drops every connection
    server = StandInLlmServer(lambda body: Reply(drop=True) if len(server.requests) > 2 else Reply(ANSWER))
    try:
        # WHEN a batch of six runs two at a time
        code = batch(inbox, out, server.url, "--concurrency", "2")
        captured = capsys.readouterr()
        # THEN two are done, the two in flight and the one probe failed, the last was not started
        assert code == 1
        assert "6 documents: 2 summarized, 0 skipped (already done), 3 failed, 1 not started" in captured.out
        assert "3 document(s) failed because of it and 1 were not started" in captured.err
        results = {p.name.split(".pdf")[0]: json.loads(p.read_text()) for p in out.glob("*.json")}
        assert sorted(results) == ["note0", "note1", "note2", "note3", "note4"]
        for name in ("note2", "note3", "note4"):
            assert results[name]["error_code"] == "summary_server_unreachable"
            assert "did not answer (the connection dropped" in results[name]["error"]
        # the report lists failures in document order, whatever order they finished in
        failed = [line for line in captured.err.splitlines() if line.startswith("failed:")]
        assert [Path(line.split(": ")[1]).name for line in failed] == ["note2.pdf", "note3.pdf", "note4.pdf"]

        # WHEN the server is back and the same batch runs again
        server.reply = lambda body: Reply(ANSWER)
        seen = len(server.requests)
        code = batch(inbox, out, server.url, "--concurrency", "2")
    finally:
        server.close()
    # THEN exactly the four that were not done are run
    assert code == 0
    assert "6 documents: 4 summarized, 2 skipped (already done), 0 failed" in capsys.readouterr().out
    assert len(server.requests) - seen == 4


def test_a_worker_that_dies_fails_its_document_and_the_rest_resume_next_run(inbox, tmp_path, capsys, monkeypatch):
    import os

    from desktop_app.pipeline import Pipeline

    real_run = Pipeline.run_answering_every_input

    def dies_on_note1(self, path, **kwargs):
        if Path(path).name == "note1.pdf":
            os._exit(9)  # like a worker killed by the kernel for memory
        return real_run(self, path, **kwargs)

    monkeypatch.setattr(Pipeline, "run_answering_every_input", dies_on_note1)  # forked workers inherit it
    server = StandInLlmServer(lambda body: Reply(ANSWER))
    out = tmp_path / "out"
    try:
        code = batch(inbox, out, server.url, "--concurrency", "2")
        captured = capsys.readouterr()
        assert code == 1
        assert "ended unexpectedly (BrokenProcessPool)" in captured.err
        assert "not started (run again to resume)" in captured.out
        monkeypatch.setattr(Pipeline, "run_answering_every_input", real_run)
        assert batch(inbox, out, server.url, "--concurrency", "2") == 0
    finally:
        server.close()
    assert len(list(out.glob("*.md"))) == 6


def test_a_document_with_a_page_lost_to_a_dead_ocr_server_is_failed_so_resume_retries_it():
    from desktop_app.batch_workers import mark_server_down
    from desktop_app.models import DocumentResult, PageResult, Summary

    lost = ("Page 2: the OCR server http://127.0.0.1:9/v1 did not answer (connection refused); "
            "this page is marked failed")
    result = DocumentResult(source="a.pdf", summary=Summary(), pages=[
        PageResult(0, "openai", "ok", text="Plan: rest."),
        PageResult(1, "openai", "failed", error=lost, error_code="ocr_server_unreachable")])
    assert mark_server_down(result)
    assert result.error == lost and result.error_code == "ocr_server_unreachable" and result.summary is None
    fine = DocumentResult(source="b.pdf", summary=Summary(), pages=[
        PageResult(0, "openai", "failed", error="Page 1: looped", error_code="ocr_loop")])
    assert not mark_server_down(fine) and fine.ok


def test_scans_are_read_by_the_ocr_server_and_summarized_by_the_summary_server_concurrently(tmp_path, capsys):
    from tests.documents import image_file
    from tests.model_fixtures import StandInOcrServer

    inbox = tmp_path / "scans"
    inbox.mkdir()
    for i in range(3):
        image_file(inbox, note(i), name=f"scan{i}.png")
    ocr = StandInOcrServer("ok")
    summary = StandInLlmServer(lambda body: Reply(ANSWER), delay=0.2)
    try:
        code = cli.main(["--lang", "en", "batch", str(inbox), "--out", str(tmp_path / "out"), "--no-app-settings",
                         "--ocr", "openai", "--endpoint", ocr.url, "--served-model", "ocr",
                         "--summarizer", "openai", "--summary-endpoint", summary.url,
                         "--summary-served-model", "tiny", "--concurrency", "3"])
    finally:
        ocr.close()
        summary.close()
    assert code == 0, capsys.readouterr().err
    assert len(ocr.requests) == 3 and len(summary.requests) == 3
    results = [json.loads(p.read_text()) for p in (tmp_path / "out").glob("*.json")]
    assert {r["pages"][0]["engine"] for r in results} == {"openai"}
    assert {r["summary"]["engine"] for r in results} == {"openai"}


@pytest.mark.parametrize(
    ("ocr", "summarizer", "allowed"),
    [
        ("openai", "openai", True),
        ("vllm", "sections", True),  # aliases count as their engine
        ("pdf-text", "sections", True),  # the text layer loads nothing
        ("auto", "openai", False),  # the embedded OCR holds its recogniser in this process
        ("openai", "llm", False),
        ("deepseek-ocr2", "server", False),
    ],
)
def test_only_engines_that_load_no_model_here_run_documents_side_by_side(ocr, summarizer, allowed):
    from desktop_app.batch_workers import allows_concurrency
    from desktop_app.settings import EngineSettings

    assert allows_concurrency(EngineSettings(ocr=ocr, summarizer=summarizer, concurrency=4)) is allowed
