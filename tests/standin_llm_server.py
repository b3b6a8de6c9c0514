"""A stand-in OpenAI-compatible chat-completions server on 127.0.0.1 (non-streaming), for the tests and
the throughput benchmark. It records every request and answers through `reply(body) -> Reply`; `delay`
makes each request take that long (a deliberately slow server, served concurrently by threads)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.loopback_server import LoopbackServer, send_json


@dataclass
class Reply:
    content: str = '{"chief_complaint": "not_documented", "diagnosis": "not_documented", "plan": "not_documented"}'
    status: int = 200
    usage: dict | None = field(default_factory=lambda: {"prompt_tokens": 100, "completion_tokens": 20})
    drop: bool = False  # close the connection without answering
    headers: dict[str, str] = field(default_factory=dict)


class StandInLlmServer(LoopbackServer):
    def __init__(self, reply: Callable[[dict], Reply] | None = None, *, delay: float = 0.0) -> None:
        self.requests: list[dict] = []  # chat completions only
        self.tokenize_requests: list[dict] = []
        self.tokenize: Callable[[dict], dict] | None = None  # answers POST /tokenize (vLLM's); None = 404
        self.reply = reply or (lambda body: Reply())
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        super().__init__()

    def handle(self, request, body: dict) -> None:
        if request.path.endswith("/tokenize"):  # vLLM's, at the server root; None = a server without it
            self.tokenize_requests.append({"path": request.path, "body": body})
            answer = self.tokenize(body) if self.tokenize else None
            send_json(request, 200 if answer else 404, answer or {"error": "Not Found"})
            return
        with self._lock:
            self.requests.append({"path": request.path, "headers": dict(request.headers), "body": body})
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            answer = self.reply(body)
        finally:
            with self._lock:
                self.in_flight -= 1
        if answer.drop:
            request.close_connection = True
            request.connection.close()
            return
        if answer.status != 200:
            send_json(request, answer.status, {"error": {"message": answer.content}}, answer.headers)
            return
        data = {
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.content},
                         "finish_reason": "stop"}],
        }
        if answer.usage is not None:
            data["usage"] = answer.usage
        send_json(request, 200, data, answer.headers)
