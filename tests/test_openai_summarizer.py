"""Summarizer `openai` against a stand-in chat-completions server on 127.0.0.1: the request it sends,
the answer it builds, and every way a server can fail."""

from __future__ import annotations

import json
import socket

import pytest

from desktop_app import errors, http_client
from desktop_app.cancel import NEVER_CANCELLED
from desktop_app.pipeline import Pipeline
from desktop_app.progress import NULL_PROGRESS
from desktop_app.settings import EngineSettings
from desktop_app.summarize import prompts, registry
from desktop_app.summarize.answers import build_summary
from desktop_app.summarize.chunking import Chunk
from desktop_app.summarize.guard import UNSUPPORTED, check_summary
from desktop_app.summarize.openai_llm import OpenAiSummarizer, estimate_tokens
from tests.standin_llm_server import Reply, StandInLlmServer

NOTE = (
    "PROGRESS NOTE\n"
    "Chief complaint: cough for 3 days.\n"
    "Assessment: community acquired pneumonia.\n"
    "Plan: Cipro 500 mg b.i.d. x five days. Chest x-ray.\n"
)
GOOD = json.dumps({"chief_complaint": "cough for 3 days", "diagnosis": "community acquired pneumonia",
                   "plan": "Cipro 500 mg b.i.d. x five days. Chest x-ray."})


@pytest.fixture
def server():
    srv = StandInLlmServer(lambda body: Reply(GOOD))
    yield srv
    srv.close()


def summarizer_for(url: str, **kwargs) -> OpenAiSummarizer:
    settings = EngineSettings(summarizer="openai", summary_endpoint=url, summary_served_model="tiny")
    kwargs.setdefault("backoff", 0.01)
    return OpenAiSummarizer(settings, **kwargs)


def summarize(summarizer: OpenAiSummarizer, text: str = NOTE, language: str = "en"):
    return summarizer.summarize(text, language=language, cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)


def test_registry_offers_the_server_summarizer():
    assert registry.find("openai").name == "openai"
    assert registry.find("server").name == "openai"


def test_summary_from_the_server_has_fields_and_evidence(server):
    summary = summarize(summarizer_for(server.url))
    assert summary.engine == "openai"
    assert summary.chief_complaint.text == "cough for 3 days"
    assert summary.diagnosis.text == "community acquired pneumonia"
    start = summary.plan.evidence[0].start
    assert NOTE[start:].startswith("Cipro 500 mg")
    assert not [w for w in summary.warnings if w.code == "unsupported_text"]


def test_request_asks_for_the_json_schema_with_the_fixed_prefix_first(server):
    summarizer = summarizer_for(server.url)
    summarize(summarizer)
    summarize(summarizer, NOTE.replace("cough", "fever"))
    first, second = (r["body"] for r in server.requests)
    assert first["model"] == "tiny" and first["temperature"] == 0.0
    assert first["response_format"]["type"] == "json_schema"
    assert first["response_format"]["json_schema"]["schema"] == prompts.answer_schema(summarizer.max_new_tokens)
    # The system message and the user head are byte-identical across documents; only the note differs.
    assert first["messages"][0] == second["messages"][0]
    head = prompts.messages("", "en")[1]["content"]
    assert first["messages"][1]["content"].startswith(head) and second["messages"][1]["content"].startswith(head)
    assert first["messages"][1]["content"] != second["messages"][1]["content"]
    assert [r["path"] for r in server.requests] == ["/v1/chat/completions"] * 2


def test_cached_prompt_tokens_are_recorded_when_the_server_reports_them(server):
    server.reply = lambda body: Reply(GOOD, usage={"prompt_tokens": 300, "completion_tokens": 30,
                                                   "prompt_tokens_details": {"cached_tokens": 256}})
    summarizer = summarizer_for(server.url)
    summarize(summarizer)
    summarize(summarizer)
    assert summarizer.stats.cache_reported and summarizer.stats.cached_prompt_tokens == 256
    assert summarizer.totals.requests == 2 and summarizer.totals.cached_prompt_tokens == 512
    assert summarizer.totals.prompt_tokens == 600


def test_a_server_without_structured_output_is_asked_again_without_it(server):
    def reply(body):
        if "response_format" in body:
            return Reply("response_format is not supported", status=400)
        return Reply("Sure! ```json\n" + GOOD + "\n```")

    server.reply = reply
    summarizer = summarizer_for(server.url)
    summary = summarize(summarizer)
    assert summary.chief_complaint.text == "cough for 3 days"
    summarize(summarizer)  # the next document goes without the field at once
    assert ["response_format" in r["body"] for r in server.requests] == [True, False, False]
    assert summarizer.stats.schema is False


def test_a_long_note_is_chunked_and_merged_like_in_process(server):
    answers = iter([
        {"chief_complaint": "cough for 3 days", "diagnosis": "not_documented", "plan": "not_documented"},
        {"chief_complaint": "not_documented", "diagnosis": "not_documented", "plan": "Chest x-ray."},
    ])
    server.reply = lambda body: Reply(json.dumps(next(answers)))
    text = "Chief complaint: cough for 3 days.\n\n" + "Vitals stable. " * 40 + "\n\nPlan: Chest x-ray.\n"
    summarizer = summarizer_for(server.url, chunk_tokens=120, overlap_tokens=10)
    summary = summarize(summarizer, text)
    assert len(summarizer.stats.chunks) == 2 and len(server.requests) == 2
    assert summary.chief_complaint.text == "cough for 3 days" and summary.plan.text == "Chest x-ray."
    assert summary.diagnosis.status == "not_documented"


def test_two_invalid_answers_fall_back_to_sections_with_a_visible_warning(server):
    server.reply = lambda body: Reply("I cannot help with that.")
    summary = summarize(summarizer_for(server.url))
    assert summary.engine == "openai>sections"
    assert summary.warnings[0].code == "llm_fallback"
    assert "cough for 3 days" in summary.chief_complaint.text
    assert len(server.requests) == 2  # the answer, then once more with the reminder
    assert prompts.RETRY_REMINDER["en"] in server.requests[1]["body"]["messages"][1]["content"]


def test_a_dose_the_note_does_not_state_is_flagged_exactly_as_in_process(server):
    invented = json.dumps({"chief_complaint": "cough for 3 days", "diagnosis": "community acquired pneumonia",
                           "plan": "Cipro 750 mg b.i.d. x five days. Chest x-ray."})
    server.reply = lambda body: Reply(invented)
    settings = EngineSettings(summarizer="openai", summary_endpoint=server.url, summary_served_model="tiny")
    served = Pipeline(settings).summarize_text(NOTE)
    flagged = [(w.field, w.start, w.end) for w in served.warnings if w.code == UNSUPPORTED]
    assert flagged and all(w_field == "plan" for w_field, _, _ in flagged)
    assert any(served.plan.text[s:e] == "750 mg" for _, s, e in flagged)
    # The in-process LLM's answer path (same parser, same merge, same guard) flags the same spans.
    in_process = check_summary(
        build_summary(NOTE, [(Chunk(0, 0, len(NOTE), NOTE), prompts.parse_answer(invented))], engine="llm",
                      language="en"), NOTE)
    assert flagged == [(w.field, w.start, w.end) for w in in_process.warnings if w.code == UNSUPPORTED]


def test_429_and_503_are_retried_with_backoff(server):
    statuses = iter([429, 503])
    server.reply = lambda body: Reply("busy", status=next(statuses, 200)) if len(server.requests) < 3 else Reply(GOOD)
    summary = summarize(summarizer_for(server.url))
    assert summary.chief_complaint.text == "cough for 3 days" and len(server.requests) == 3


def test_a_dropped_connection_is_retried(server):
    server.reply = lambda body: Reply(drop=True) if len(server.requests) == 1 else Reply(GOOD)
    summary = summarize(summarizer_for(server.url))
    assert summary.chief_complaint.text == "cough for 3 days" and len(server.requests) == 2


def test_a_server_that_stays_down_fails_the_document_with_a_clear_message():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(errors.SummaryServerUnreachable) as caught:
        summarize(summarizer_for(f"http://127.0.0.1:{port}/v1", retries=2))
    assert "connection refused: is the server running?" in caught.value.message("en")
    assert "Run again to retry it" in caught.value.message("en")


def test_a_slow_server_times_out_per_request():
    slow = StandInLlmServer(lambda body: Reply(GOOD), delay=2.0)
    try:
        with pytest.raises(errors.SummaryServerUnreachable) as caught:
            summarize(summarizer_for(slow.url, timeout=0.3))
        assert "did not answer (no answer within 0 s)" in caught.value.message("en")  # 0.3 s, rounded
        assert len(slow.requests) == 1  # a timeout is not resent: the server may still be working on it
    finally:
        slow.close()


@pytest.mark.parametrize(("status", "expected"), [(401, "refused the API key"), (404, "not found on the server"),
                                                  (302, "redirect")])
def test_what_no_document_gets_past_is_a_config_error(server, status, expected):
    server.reply = lambda body: Reply("no", status=status, headers={"Location": "http://127.0.0.1:1/"})
    with pytest.raises(errors.SummaryEndpointUnavailable) as caught:
        summarize(summarizer_for(server.url))
    assert expected in caught.value.message("en")
    assert len(server.requests) == 1  # a redirect is never followed


def test_a_server_error_fails_only_this_document_and_says_why(server, tmp_path):
    from tests.documents import text_pdf

    server.reply = lambda body: Reply("This model's maximum context length is 2048 tokens.", status=400)
    settings = EngineSettings(summarizer="openai", summary_endpoint=server.url, summary_served_model="tiny")
    result = Pipeline(settings).run_answering_every_input(text_pdf(tmp_path, NOTE))
    assert result.error_code == "summary_server_error" and result.summary is None
    assert "HTTP 400: This model's maximum context length is 2048 tokens." in result.error
    # asked with the schema, then without; the 400 was not about the field, so the next asks with it again
    assert ["response_format" in r["body"] for r in server.requests] == [True, False]
    Pipeline(settings).run_answering_every_input(text_pdf(tmp_path, NOTE, name="again.pdf"))
    assert "response_format" in server.requests[2]["body"]


def test_a_remote_host_is_refused_unless_allow_listed():
    summarizer = summarizer_for("http://10.1.2.3:8000/v1")
    with pytest.raises(errors.SummaryEndpointNotAllowed):
        summarize(summarizer)
    allowed = OpenAiSummarizer(EngineSettings(summary_endpoint="http://10.1.2.3:8000/v1", summary_served_model="m",
                                              allowed_hosts=("10.1.0.0/16",)))
    assert allowed.client().base_url == "http://10.1.2.3:8000/v1"


def test_missing_endpoint_or_model_says_which_option():
    with pytest.raises(errors.SummaryServerNotConfigured) as caught:
        summarize(OpenAiSummarizer(EngineSettings()))
    assert "--summary-endpoint" in caught.value.message("en")
    with pytest.raises(errors.SummaryServerNotConfigured) as caught:
        summarize(OpenAiSummarizer(EngineSettings(summary_endpoint="http://127.0.0.1:9/v1")))
    assert "--summary-served-model" in caught.value.message("en")


def test_the_api_key_comes_from_the_keyring(server, monkeypatch):
    monkeypatch.setattr(http_client, "api_key", lambda host: "secret" if host == "127.0.0.1" else None)
    summarize(summarizer_for(server.url))
    assert server.requests[0]["headers"]["Authorization"] == "Bearer secret"


def test_token_estimate_counts_cjk_per_character_and_latin_per_three():
    # A CJK character counts as one token; Latin text as one token per three characters.
    assert estimate_tokens("主诉：咳嗽3天") == 6 + 1
    assert estimate_tokens("a" * 30) == 10


def _one_token_per_character(max_model_len: int):
    def tokenize(body):
        text = body["prompt"] if "prompt" in body else "".join(m["content"] for m in body["messages"])
        return {"count": len(text), "max_model_len": max_model_len, "tokens": []}

    return tokenize


def test_chunks_fit_the_served_model_s_context_as_the_server_counts_it(server):
    # GIVEN a server whose tokenizer makes a token of every character and whose model holds 1,200 tokens
    server.tokenize = _one_token_per_character(1200)
    text = "\n".join(f"Line {i}: vitals stable, no distress, lungs clear bilaterally." for i in range(60))
    summarizer = summarizer_for(server.url, max_new_tokens=128)
    summarize(summarizer, text)
    # THEN it asked vLLM's /tokenize (at the server root) and every request fits the context
    assert {r["path"] for r in server.tokenize_requests} == {"/tokenize"}
    prefix = len("".join(m["content"] for m in prompts.messages("", "en")))
    budget = 1200 - prefix - 128 - 64
    assert len(summarizer.stats.chunks) > 1
    assert all(len(c.text) <= budget for c in summarizer.stats.chunks)
    assert summarizer.stats.chunks[-1].end == len(text)


def test_a_context_too_small_for_the_instruction_is_a_config_error(server):
    server.tokenize = _one_token_per_character(400)
    with pytest.raises(errors.SummaryEndpointUnavailable) as caught:
        summarize(summarizer_for(server.url))
    assert "leaves no room for the note" in caught.value.message("en")
    assert server.requests == []


def test_a_server_without_tokenize_is_asked_once_then_the_estimate_is_used(server):
    summarizer = summarizer_for(server.url)
    summarize(summarizer)
    summarize(summarizer)
    assert len(server.tokenize_requests) == 1 and len(server.requests) == 2
