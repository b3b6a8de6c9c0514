"""The `openai` summarizer and `batch --concurrency` against a REAL vLLM server (CPU build, its own
virtual environment `.venv-vllm`, made by `make vllm-venv`) serving a tiny random Llama on 127.0.0.1.

Slow: the server takes a few minutes to start on two cores; it is started once for this module.
The random model's words mean nothing: these tests check the transport end to end — the JSON-schema
answer decoded by the server, parsed, merged and checked by the guard, the server's prefix cache
reused across documents, N documents in flight."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.cancel import NEVER_CANCELLED
from desktop_app.models import FIELD_NAMES, FOUND
from desktop_app.pipeline import Pipeline
from desktop_app.progress import NULL_PROGRESS
from desktop_app.settings import EngineSettings
from desktop_app.summarize.openai_llm import OpenAiSummarizer
from scripts import llm_server
from tests.documents import text_pdf

pytestmark = pytest.mark.slow

NOTES = [
    "Chief complaint: cough for 3 days.\nAssessment: community acquired pneumonia.\nPlan: chest x-ray.\n",
    "Chief complaint: fever since yesterday.\nAssessment: influenza.\nPlan: oseltamivir 75 mg twice daily.\n",
    "主诉：咳嗽3天。\n诊断：社区获得性肺炎。\n处理：胸片。\n",
    "Chief complaint: knee pain.\nAssessment: osteoarthritis.\nPlan: physiotherapy.\n",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running_url = os.environ.get("EMR_TEST_VLLM_URL")  # a server already running (scripts/llm_server.py serve)
    if running_url:
        yield llm_server.RunningServer(None, running_url.rstrip("/"), Path())
        return
    if not llm_server.VLLM_PYTHON.exists():
        pytest.skip("vLLM is not installed: `make vllm-venv` builds .venv-vllm (make test does it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    running = llm_server.start_server(tmp_path_factory.mktemp("vllm"), port)
    yield running
    running.stop()


def summarizer(server) -> OpenAiSummarizer:
    settings = EngineSettings(summarizer="openai", summary_endpoint=server.url,
                              summary_served_model=llm_server.SERVED_NAME)
    return OpenAiSummarizer(settings, max_new_tokens=256, chunk_tokens=600)


def test_the_server_answers_the_schema_and_the_summary_is_checked(server):
    engine = summarizer(server)
    summary = Pipeline(engine.settings, summarizer=engine).summarize_text(NOTES[0])
    # The server decoded under the JSON schema: the answer is the object asked for, first time.
    assert engine.stats.schema and engine.stats.requests == 1 and engine.stats.retries == 0
    answer = json.loads(engine.stats.raw_answers[0])
    assert sorted(answer) == sorted(FIELD_NAMES)
    assert summary.engine == "openai"
    # Random words are not in the note: every found field's text is located or flagged, never silent.
    flagged = {w.field for w in summary.warnings if w.code in ("unsupported_text", "unsupported_fact")}
    for name, value in summary.fields().items():
        if value.status == FOUND:
            assert value.evidence or name in flagged


def test_the_fixed_prefix_is_served_from_the_server_cache_across_documents(server):
    engine = summarizer(server)
    cached = []
    for text in NOTES[:2]:
        engine.summarize(text, language="en", cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
        cached.append(engine.stats.cached_prompt_tokens)
    assert engine.stats.cache_reported
    # The second document shares only the instruction prefix with the first: the server reused it.
    assert cached[1] > 0
    assert cached[1] < engine.stats.prompt_tokens


def test_batch_runs_documents_concurrently_against_the_real_server(server, tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    english = [text for text in NOTES if text.isascii()]  # a CJK text PDF here has no usable text layer
    for i, text in enumerate(english):
        text_pdf(inbox, text, name=f"note{i}.pdf")
    code = cli.main(["--lang", "en", "batch", str(inbox), "--out", str(tmp_path / "out"), "--no-app-settings",
                     "--ocr", "openai", "--endpoint", server.url, "--served-model", "unused",
                     "--summarizer", "openai", "--summary-endpoint", server.url,
                     "--summary-served-model", llm_server.SERVED_NAME, "--concurrency", "2"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "3 documents: 3 summarized, 0 skipped (already done), 0 failed" in out
    assert "served from the server's prefix cache" in out
    results = [json.loads(p.read_text()) for p in sorted((tmp_path / "out").glob("*.json"))]
    assert [r["summary"]["engine"] for r in results] and all(r["error"] is None for r in results)
