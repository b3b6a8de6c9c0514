"""One JSON POST to a model server on loopback (or an allow-listed host), with the app's rules:
no proxy from the environment, no redirects, a per-request timeout, and retries with backoff on
429 / 503 and on refused or dropped connections. Standard library only (urllib).

Transport-neutral: failures are `HttpFailure` (a status the caller maps to its own typed error) or
`Unreachable` (the server did not answer after every retry); callers turn them into the user's
message. A timeout is not retried: the server may still be working on the request, and sending it
again would only queue a second copy behind it.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from desktop_app import errors
from desktop_app.jobs.cancel import CancelToken
from desktop_app.ocr.openai_compat import _NoRedirects

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 503)
DEFAULT_RETRIES = 4  # attempts after the first
DEFAULT_BACKOFF = 0.5  # seconds; doubled on each retry (plus jitter so N workers do not retry in step)
MAX_BACKOFF = 8.0


class HttpFailure(Exception):
    """The server answered with an error status (after retries, for 429 / 503)."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


class Unreachable(Exception):
    """No answer: refused, dropped or timed out (after retries, except for a timeout)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass
class JsonClient:
    """POSTs JSON to `base_url + path`; safe to share between threads (no mutable state)."""

    base_url: str
    timeout: float = 120.0
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    api_key: str | None = None

    def __post_init__(self) -> None:
        # Never through a proxy taken from the environment (the note goes to this host only), never to
        # a redirect target (urllib would resend the body and the Bearer token to wherever a 3xx points).
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())

    def post(self, path: str, body: dict, cancel: CancelToken) -> dict:
        """The decoded JSON object the server answered, or HttpFailure / Unreachable."""
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        attempt = 0
        while True:
            cancel.raise_if_cancelled()
            try:
                return self._post_once(path, data)
            except HttpFailure as exc:
                if exc.status not in RETRY_STATUSES or attempt >= self.retries:
                    raise
                reason = f"HTTP {exc.status}"
            except _Dropped as exc:
                if attempt >= self.retries:
                    raise Unreachable(exc.detail) from None
                reason = exc.detail
            delay = min(MAX_BACKOFF, self.backoff * 2**attempt) * random.uniform(0.8, 1.2)
            attempt += 1
            log.info("model server: %s; retry %d/%d in %.1f s", reason, attempt, self.retries, delay)
            _sleep(delay, cancel)

    def _post_once(self, path: str, data: bytes) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            try:
                detail = exc.read().decode("utf-8", "replace")[:500]
            except (OSError, http.client.HTTPException):
                detail = ""
            raise HttpFailure(exc.code, detail) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, errors.NetworkBlocked):  # the guard, not the server: say so
                raise reason from None
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise Unreachable(f"no answer within {self.timeout:.0f} s") from None
            if isinstance(reason, ConnectionRefusedError):
                raise _Dropped("connection refused: is the server running?") from None
            if isinstance(reason, ConnectionError):
                raise _Dropped(f"the connection dropped ({type(reason).__name__})") from None
            raise Unreachable(f"cannot connect ({type(reason).__name__})") from None
        except TimeoutError:  # socket.timeout is TimeoutError: the server stalled mid-answer
            raise Unreachable(f"no answer within {self.timeout:.0f} s") from None
        except (http.client.HTTPException, ConnectionError) as exc:  # RemoteDisconnected, reset, IncompleteRead
            raise _Dropped(f"the connection dropped ({type(exc).__name__})") from None
        try:
            answer = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise HttpFailure(200, "the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise HttpFailure(200, "the answer is not a JSON object")
        return answer


class _Dropped(Exception):
    """Refused or dropped: worth a retry (a restarting server, a replica going away behind a router)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _sleep(seconds: float, cancel: CancelToken) -> None:
    """Sleeps in short steps so a cancelled run does not wait out a backoff."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        cancel.raise_if_cancelled()
        time.sleep(min(0.1, left))
