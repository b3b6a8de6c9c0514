"""OCR engine `openai` against a loopback server in the test that speaks streaming chat completions."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from desktop_app import errors
from desktop_app.ingest import SourcePage
from desktop_app.jobs.cancel import NEVER_CANCELLED
from desktop_app.jobs.progress import NULL_PROGRESS
from desktop_app.ocr import openai_compat, registry
from desktop_app.ocr.openai_compat import OpenAiOcrEngine, check_endpoint
from desktop_app.settings import EngineSettings

GROUNDED = [
    "<|ref|>title<|/ref|><|det|>[[0, 0, 999, 99]]<|/det|>\n",
    "# Progress ",
    "note\n\n",
    "<|ref|>text<|/ref|><|det|>[[0, 500, 499, 999]]<|/det|>\n",
    "Plan: chest x-ray.",
]


class Server:
    """Records requests; answers with `self.reply(request) -> (status, list of content pieces | body)`."""

    def __init__(self):
        self.requests = []
        self.reply = lambda request: (200, GROUNDED)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, pieces = outer.reply(body)
                if status != 200:
                    self.send_response(status)
                    self.end_headers()
                    self.wfile.write(json.dumps({"error": {"message": pieces}}).encode())
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                try:
                    for i, piece in enumerate(pieces):
                        last = i == len(pieces) - 1
                        event = {
                            "choices": [
                                {"delta": {"content": piece}, "finish_reason": "stop" if last else None}
                            ]
                        }
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture
def no_key(monkeypatch):
    monkeypatch.setattr(openai_compat, "api_key", lambda host: None)


def _page(width=1000, height=2000):
    image = Image.new("RGB", (width, height), "white")
    return SourcePage(index=0, width=width, height=height, _load=lambda: image)


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
        store = {(openai_compat.KEYRING_SERVICE, "openai:127.0.0.1"): "s3cret"}

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


def test_connection_refused_and_timeout_fail_the_page_only(server, no_key):
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

    monkeypatch.setattr(openai_compat, "api_key", lambda host: "s3cret")
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


@pytest.mark.parametrize(
    ("mode", "detail"),
    [("error_event", "the server reported an error mid-stream: EngineCore"),
     ("drop", "the stream ended before the page was finished")],
)
def test_a_cut_stream_is_a_failed_page_not_partial_text(mode, detail, no_key):
    from tests.model_fixtures import StandInOcrServer

    server = StandInOcrServer(mode)
    try:
        with pytest.raises(errors.OcrServerError, match=detail):
            _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    finally:
        server.close()
    assert len(server.requests) == 1


def test_token_cap_keeps_the_text_with_a_notice_and_no_retry(no_key):
    from tests.model_fixtures import StandInOcrServer

    server = StandInOcrServer("length")
    try:
        output = _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    finally:
        server.close()
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
    from tests.model_fixtures import DOUBTFUL_WORD, StandInOcrServer

    server = StandInOcrServer("ok")
    try:
        output = _engine(server.url).recognize(_page(), cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    finally:
        server.close()
    assert server.requests[0]["body"]["logprobs"] is True
    title, body = output.blocks
    assert title.doubts == []
    # the one token the server gave p = 0.2, at its place in the block's text
    assert [body.text[s:e] for s, e in body.doubts] == [DOUBTFUL_WORD]
