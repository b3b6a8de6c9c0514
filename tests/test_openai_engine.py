"""OCR engine `openai` against a loopback server in the test that speaks streaming chat completions."""

from __future__ import annotations

import contextlib
import json
import socket
import time

import pytest
from PIL import Image

from desktop_app import errors, http_client
from desktop_app.cancel import NEVER_CANCELLED
from desktop_app.ingest import SourcePage
from desktop_app.ocr import registry
from desktop_app.ocr.openai_compat import OpenAiOcrEngine, check_endpoint
from desktop_app.progress import NULL_PROGRESS
from desktop_app.settings import EngineSettings
from tests.loopback_server import LoopbackServer, send_json, start_event_stream

GROUNDED = [
    "<|ref|>title<|/ref|><|det|>[[0, 0, 999, 99]]<|/det|>\n",
    "# Progress ",
    "note\n\n",
    "<|ref|>text<|/ref|><|det|>[[0, 500, 499, 999]]<|/det|>\n",
    "Plan: chest x-ray.",
]


class Server(LoopbackServer):
    """Records requests; answers with `self.reply(request) -> (status, list of content pieces | body)`."""

    def __init__(self):
        self.requests = []
        self.reply = lambda request: (200, GROUNDED)
        super().__init__()

    def handle(self, request, body: dict) -> None:
        self.requests.append({"path": request.path, "headers": dict(request.headers), "body": body})
        status, pieces = self.reply(body)
        if status != 200:
            send_json(request, status, {"error": {"message": pieces}})
            return
        start_event_stream(request)
        try:
            for i, piece in enumerate(pieces):
                last = i == len(pieces) - 1
                event = {"choices": [{"delta": {"content": piece}, "finish_reason": "stop" if last else None}]}
                request.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                request.wfile.flush()
            request.wfile.write(b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture
def no_backoff_waits(monkeypatch):
    """The retries still happen; the waits between them are recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(http_client, "_sleep", lambda seconds, cancel: waits.append(seconds))
    return waits


@pytest.fixture
def no_key(monkeypatch):
    monkeypatch.setattr(http_client, "api_key", lambda host: None)


def _page(width=1000, height=2000):
    image = Image.new("RGB", (width, height), "white")
    return SourcePage(index=0, width=width, height=height, _load=lambda: image)


@contextlib.contextmanager
def standin(mode: str):
    """The stand-in DeepSeek-OCR server of tests/model_fixtures.py, answering in `mode`."""
    from tests.model_fixtures import StandInOcrServer

    server = StandInOcrServer(mode)
    try:
        yield server
    finally:
        server.close()


def read_page(url: str, **kwargs):
    return _engine(url, **kwargs).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)


def _engine(url, **kwargs):
    return OpenAiOcrEngine(
        EngineSettings(ocr="openai", endpoint=url, served_model="deepseek-ai/DeepSeek-OCR"), **kwargs
    )


def test_streams_grounded_markdown_into_text_and_boxes(server, no_key):
    output = _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    assert output.text == "# Progress note\n\nPlan: chest x-ray."
    assert [b.bbox for b in output.blocks] == [
        pytest.approx((0.0, 0.0, 1000.0, 2000 * 99 / 999)),
        pytest.approx((0.0, 2000 * 500 / 999, 1000 * 499 / 999, 2000.0)),
    ]
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    body = request["body"]
    assert body["model"] == "deepseek-ai/DeepSeek-OCR" and body["stream"] is True
    content = body["messages"][0]["content"]
    assert content[0]["type"] == "image_url" and content[0]["image_url"]["url"].startswith(
        "data:image/png;base64,"
    )
    assert content[1] == {"type": "text", "text": "<|grounding|>Convert the document to markdown."}
    assert "Authorization" not in request["headers"]


def test_api_key_comes_from_the_keyring(server, monkeypatch):
    keyring = pytest.importorskip("keyring")
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1
        store = {(http_client.KEYRING_SERVICE, "openai:127.0.0.1"): "s3cret"}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    finally:
        keyring.set_keyring(previous)
    assert server.requests[0]["headers"]["Authorization"] == "Bearer s3cret"


def test_looping_answer_is_retried_with_free_ocr_then_the_page_fails(server, no_key):
    server.reply = lambda body: (200, ["the patient "] * 60)
    with pytest.raises(errors.OcrLoopDetected, match="repeated"):
        _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    prompts = [r["body"]["messages"][0]["content"][1]["text"] for r in server.requests]
    assert prompts == ["<|grounding|>Convert the document to markdown.", "Free OCR."]


def test_loop_on_first_prompt_only_recovers_with_a_warning(server, no_key):
    server.reply = lambda body: (
        (200, ["abc "] * 80)
        if "grounding" in body["messages"][0]["content"][1]["text"]
        else (200, ["Plain text of the page."])
    )
    output = _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    assert output.text == "Plain text of the page."
    assert [type(n) for n in output.warnings] == [errors.OcrReadWithPlainPrompt]
    assert output.warnings[0].message("en").startswith("Page 1: the first OCR output looped (repeated 'abc")


def test_401_and_unknown_model_are_clear_config_errors(server, no_key):
    server.reply = lambda body: (401, "bad key")
    with pytest.raises(errors.EndpointUnavailable, match="refused the API key"):
        _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    server.reply = lambda body: (404, "The model `x` does not exist.")
    with pytest.raises(errors.EndpointUnavailable, match="not found on the server"):
        _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    server.reply = lambda body: (500, "boom")
    with pytest.raises(errors.OcrServerError):  # a page error: the batch goes on
        _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)


def test_connection_refused_and_timeout_fail_the_page_only(server, no_key, no_backoff_waits):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    with pytest.raises(errors.OcrServerUnreachable, match="connection refused: is the server running") as refused:
        _engine(f"http://127.0.0.1:{free_port}/v1").recognize(
            _page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS
        )
    assert isinstance(refused.value, errors.PageError)  # the pipeline records it and reads the next page

    def slow(body):
        time.sleep(1.5)
        return 200, ["late"]

    server.reply = slow
    with pytest.raises(errors.OcrServerUnreachable, match="no answer within"):
        _engine(server.url, timeout=0.3).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)


def test_a_guard_refusal_is_reported_as_the_guard_not_as_a_dead_server(no_key):
    from desktop_app.privacy import network

    # the engine's allow-list lets the host through, the process-wide guard does not (no lookup is made)
    engine = OpenAiOcrEngine(EngineSettings(ocr="openai", endpoint="http://ocr.hospital.invalid:8000/v1",
                                            served_model="m", allowed_hosts=("ocr.hospital.invalid",)))
    network.install(())
    try:
        with pytest.raises(errors.NetworkBlocked) as blocked:
            engine.recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    finally:
        network.uninstall()
    message = blocked.value.message("en")
    assert "Blocked a connection to ocr.hospital.invalid" in message and "is the server running" not in message


def test_redirect_is_refused_and_the_key_never_reaches_the_target(monkeypatch):
    from tests.model_fixtures import StandInOcrServer

    monkeypatch.setattr(http_client, "api_key", lambda host: "s3cret")
    origin, target = StandInOcrServer("redirect"), StandInOcrServer()
    origin.redirect_to = target.url
    try:
        with pytest.raises(errors.EndpointRedirected):
            _engine(origin.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    finally:
        origin.close()
        target.close()
    assert origin.requests[0]["headers"]["Authorization"] == "Bearer s3cret"
    assert target.requests == []


def test_an_error_event_fails_the_page_without_partial_text(no_key):
    with standin("error_event") as server, pytest.raises(
        errors.OcrServerError, match="the server reported an error mid-stream: EngineCore"
    ):
        read_page(server.url)
    assert len(server.requests) == 1  # the server's own failure: asking again would fail again


def test_a_dropped_stream_is_read_again_then_fails_the_page_without_partial_text(no_key, no_backoff_waits):
    with standin("drop") as server, pytest.raises(
        errors.OcrServerUnreachable, match="the stream ended before the page was finished"
    ):
        read_page(server.url, retries=2)
    assert len(server.requests) == 3  # the first try and two retries, each from the start of the page
    assert no_backoff_waits == [pytest.approx(0.5, rel=0.25), pytest.approx(1.0, rel=0.25)]  # backoff doubles


def test_a_busy_server_is_asked_again_and_the_page_is_read(server, no_key, no_backoff_waits):
    answers = iter([(503, "busy"), (429, "slow down")])
    server.reply = lambda body: next(answers, (200, GROUNDED))
    output = _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    assert output.text == "# Progress note\n\nPlan: chest x-ray."
    assert len(server.requests) == 3 and len(no_backoff_waits) == 2


def test_after_a_page_finds_the_server_gone_the_next_pages_fail_without_backoff(no_key, no_backoff_waits):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    engine = _engine(f"http://127.0.0.1:{free_port}/v1", retries=3)
    for _ in range(3):
        with pytest.raises(errors.OcrServerUnreachable, match="connection refused"):
            engine.recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    assert len(no_backoff_waits) == 3  # the first page's retries only


def test_token_cap_keeps_the_text_with_a_notice_and_no_retry(no_key):
    with standin("length") as server:
        output = read_page(server.url)
    assert output.text.endswith("Plan: chest x-ray.") and len(output.blocks) == 2
    assert [type(n) for n in output.warnings] == [errors.OcrTruncatedAtCap]
    assert "token 上限（8192）" in output.warnings[0].message("zh")
    assert len(server.requests) == 1


def test_only_loopback_unless_allow_listed():
    assert check_endpoint("http://localhost:8000/v1/") == "http://localhost:8000/v1"
    assert check_endpoint("http://[::1]:8000/v1") == "http://[::1]:8000/v1"
    with pytest.raises(errors.EndpointNotAllowed):
        check_endpoint("http://ocr.example.org:8000/v1")
    with pytest.raises(errors.EndpointNotAllowed):
        check_endpoint("http://127.0.0.1.example.org/v1")
    assert check_endpoint("http://ocr.hospital.lan:8000/v1", ("ocr.hospital.lan",))
    with pytest.raises(errors.ModelNotConfigured):
        check_endpoint(None)
    engine = registry.find("vllm").create(
        EngineSettings(ocr="openai", endpoint="http://10.0.0.5/v1", served_model="m")
    )
    with pytest.raises(errors.EndpointNotAllowed):
        engine.recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)


def test_cli_summarize_with_tables_over_the_served_engine(server, no_key, tmp_path, capsys):
    pytest.importorskip("openpyxl")
    from desktop_app import cli
    from desktop_app.paths import sample_documents

    server.reply = lambda body: (
        200,
        [
            "<|ref|>table<|/ref|><|det|>[[0, 0, 999, 500]]<|/det|>\n",
            "<table><tr><th>Test</th><th>Result</th></tr>",
            "<tr><td>WBC</td><td>12.10 10^9/L</td></tr></table>",
        ],
    )
    scan = next(p for p in sample_documents() if p.name == "en_progress_note_scan.jpg")
    out = tmp_path / "tables"
    code = cli.main(
        [
            "summarize",
            str(scan),
            "--json",
            "--ocr",
            "openai",
            "--endpoint",
            server.url,
            "--served-model",
            "deepseek-ai/DeepSeek-OCR",
            "--tables",
            str(out),
        ]
    )
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and result["pages"][0]["engine"] == "openai"
    assert sorted(p.name for p in out.iterdir()) == [
        "en_progress_note_scan.xlsx",
        "en_progress_note_scan_p1_table1.csv",
    ]
    csv_text = (out / "en_progress_note_scan_p1_table1.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines() == ["Test,Result", "WBC,12.10 10^9/L"]


def test_low_probability_tokens_become_block_doubts(no_key):
    from tests.model_fixtures import DOUBTFUL_WORD

    with standin("ok") as server:
        output = read_page(server.url)
    assert server.requests[0]["body"]["logprobs"] is True
    title, body = output.blocks
    assert title.doubts == []
    # the one token the server gave p = 0.2, at its place in the block's text
    assert [body.text[s:e] for s, e in body.doubts] == [DOUBTFUL_WORD]
