"""A stand-in OpenAI-compatible chat-completions server on 127.0.0.1 (non-streaming), for the tests and
the throughput benchmark. It records every request and answers through `reply(body) -> Reply`; `delay`
makes each request take that long (a deliberately slow server, served concurrently by threads)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    content: str = '{"chief_complaint": "not_documented", "diagnosis": "not_documented", "plan": "not_documented"}'
    status: int = 200
    usage: dict | None = field(default_factory=lambda: {"prompt_tokens": 100, "completion_tokens": 20})
    drop: bool = False  # close the connection without answering
    headers: dict[str, str] = field(default_factory=dict)


class StandInLlmServer:
    def __init__(self, reply: Callable[[dict], Reply] | None = None, *, delay: float = 0.0) -> None:
        self.requests: list[dict] = []  # chat completions only
        self.tokenize_requests: list[dict] = []
        self.tokenize: Callable[[dict], dict] | None = None  # answers POST /tokenize (vLLM's); None = 404
        self.reply = reply or (lambda body: Reply())
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path.endswith("/tokenize"):  # vLLM's, at the server root; None = a server without it
                    self._tokenize(body)
                    return
                with outer._lock:
                    outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    outer.in_flight += 1
                    outer.max_in_flight = max(outer.max_in_flight, outer.in_flight)
                try:
                    if outer.delay:
                        time.sleep(outer.delay)
                    answer = outer.reply(body)
                finally:
                    with outer._lock:
                        outer.in_flight -= 1
                if answer.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                if answer.status != 200:
                    payload = json.dumps({"error": {"message": answer.content}}).encode()
                else:
                    data = {
                        "object": "chat.completion",
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.content},
                                     "finish_reason": "stop"}],
                    }
                    if answer.usage is not None:
                        data["usage"] = answer.usage
                    payload = json.dumps(data).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def _tokenize(self, body):
                outer.tokenize_requests.append({"path": self.path, "body": body})
                answer = outer.tokenize(body) if outer.tokenize else None
                payload = json.dumps(answer or {"error": "Not Found"}).encode()
                self.send_response(200 if answer else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
