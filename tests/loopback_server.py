"""The HTTP plumbing the tests' stand-in model servers share: a threaded server on 127.0.0.1 in a daemon
thread that decodes each POST's JSON body and hands it to `handle`, and a JSON answer helper. The
stand-ins (tests/standin_llm_server.py, tests/model_fixtures.StandInOcrServer, the OCR engine tests'
scripted server) keep only what they answer."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    """Subclasses implement `handle(request, body)`; `request` is the BaseHTTPRequestHandler."""

    def __init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.handle(self, json.loads(self.rfile.read(length) or b"{}"))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def handle(self, request: BaseHTTPRequestHandler, body: dict) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send_json(
    request: BaseHTTPRequestHandler, status: int, answer: object, headers: dict[str, str] | None = None
) -> None:
    payload = json.dumps(answer).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(payload)))
    for key, value in (headers or {}).items():
        request.send_header(key, value)
    request.end_headers()
    request.wfile.write(payload)


def start_event_stream(request: BaseHTTPRequestHandler) -> None:
    """A 200 server-sent-event answer whose end is the connection's end (as vLLM's streams)."""
    request.send_response(200)
    request.send_header("Content-Type", "text/event-stream")
    request.send_header("Connection", "close")
    request.end_headers()
    request.close_connection = True
