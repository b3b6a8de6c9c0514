"""HTTP to a model server on loopback (or an allow-listed host), with the app's rules: no proxy from the
environment, no redirects, a per-request timeout, and retries with backoff on 429 / 503 and on refused
or dropped connections. Standard library only (urllib). Shared by both server engines (the OCR
`openai` engine streams, the `openai` summarizer posts JSON); each maps the failures below to its own
typed errors, in the user's language.

Failures: `HttpFailure` (a status, after retries for 429 / 503) or `Unreachable` (no answer after every
retry). A timeout is not retried: the server may still be working on the request, and sending it again
would only queue a second copy behind it.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import random
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from desktop_app import errors
from desktop_app.cancel import CancelToken

log = logging.getLogger(__name__)

KEYRING_SERVICE = "EMRSummaryAssistant"
RETRY_STATUSES = (429, 503)
DEFAULT_RETRIES = 4  # attempts after the first
DEFAULT_BACKOFF = 0.5  # seconds; doubled on each retry (plus jitter so N workers do not retry in step)
MAX_BACKOFF = 8.0

T = TypeVar("T")


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def vetted_base_url(
    url: str,
    allowed_hosts: tuple[str, ...],
    *,
    unavailable: Callable[..., errors.EmrError],
    not_allowed: Callable[..., errors.EmrError],
) -> str:
    """`url` without its trailing slash if the app may send a note there: http(s), and a loopback host
    unless the user allow-listed it. Otherwise the caller's own ConfigError (OCR or summary server)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise unavailable(url=url, detail="not an http(s) URL")
    from desktop_app.privacy.network import is_allowed  # names, addresses and networks, as the guard

    if not is_loopback(parts.hostname) and not is_allowed(parts.hostname, allowed_hosts):
        raise not_allowed(url=url, host=parts.hostname)
    return url.rstrip("/")


def api_key(host: str) -> str | None:
    """The server's API key from the OS keyring (user `openai:<host>`), never from a config file."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, f"openai:{host}")
    except (KeyringError, RuntimeError):  # no usable backend (headless machine): no key
        return None


def refusal_detail(failure: HttpFailure, served_model: str | None) -> str | None:
    """Why no request to this server can succeed (a refused key, an unknown model), or None when the
    status may be this request's problem only."""
    if failure.status in (401, 403):
        return (f"the server refused the API key ({failure.status}); set it in the app's settings "
                "(stored in the OS keyring)")
    if failure.status == 404 or "does not exist" in failure.body:  # vLLM/llama.cpp: an unknown model name
        return f"model '{served_model}' not found on the server ({failure.status})"
    return None


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


class Dropped(Exception):
    """Refused, or dropped before the whole answer came: worth a retry (a restarting server, a replica
    going away behind a router). Raised by one attempt; `JsonClient.retrying` turns the last one into
    `Unreachable`."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are never followed: the note and the Bearer token go to the configured address only
    (urllib would resend both to wherever a 3xx points). The 3xx then surfaces as an HTTPError."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class JsonClient:
    """Requests to `base_url + path`; safe to share between threads (no mutable state)."""

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

        def attempt() -> dict:
            with self.open(path, data, "application/json") as response:
                raw = self.read(response.read)
            return _json_object(raw)

        return self.retrying(attempt, cancel)

    def retrying(self, attempt: Callable[[], T], cancel: CancelToken, *, retries: int | None = None) -> T:
        """`attempt()`, again after a backoff while it fails with 429 / 503 or `Dropped`."""
        retries = self.retries if retries is None else retries
        tries = 0
        while True:
            cancel.raise_if_cancelled()
            try:
                return attempt()
            except HttpFailure as exc:
                if exc.status not in RETRY_STATUSES or tries >= retries:
                    raise
                reason = f"HTTP {exc.status}"
            except Dropped as exc:
                if tries >= retries:
                    raise Unreachable(exc.detail) from None
                reason = exc.detail
            delay = min(MAX_BACKOFF, self.backoff * 2**tries) * random.uniform(0.8, 1.2)
            tries += 1
            log.info("model server: %s; retry %d/%d in %.1f s", reason, tries, retries, delay)
            _sleep(delay, cancel)

    def open(self, path: str, data: bytes, accept: str) -> http.client.HTTPResponse:
        """One POST; the open response (read it with `read`). Raises HttpFailure, Dropped, Unreachable
        or the network guard's NetworkBlocked (the guard, not the server: the message says so)."""
        headers = {"Content-Type": "application/json", "Accept": accept}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method="POST")
        try:
            return self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            try:
                detail = exc.read().decode("utf-8", "replace")[:500]
            except (OSError, http.client.HTTPException):
                detail = ""
            raise HttpFailure(exc.code, detail) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, errors.NetworkBlocked):
                raise reason from None
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise Unreachable(f"no answer within {self.timeout:.0f} s") from None
            if isinstance(reason, ConnectionRefusedError):
                raise Dropped("connection refused: is the server running?") from None
            if isinstance(reason, ConnectionError):
                raise Dropped(f"the connection dropped ({type(reason).__name__})") from None
            raise Unreachable(f"cannot connect ({type(reason).__name__})") from None
        except (TimeoutError, http.client.HTTPException, ConnectionError) as exc:
            raise self._reading_failure(exc) from None

    def read(self, reader: Callable[[], T]) -> T:
        """`reader()` (reading an open response), its failures mapped as `open` maps them."""
        try:
            return reader()
        except (TimeoutError, http.client.HTTPException, ConnectionError) as exc:
            raise self._reading_failure(exc) from None

    def _reading_failure(self, exc: Exception) -> Exception:
        if isinstance(exc, TimeoutError):  # socket.timeout is TimeoutError: the server stalled mid-answer
            return Unreachable(f"no answer within {self.timeout:.0f} s")
        return Dropped(f"the connection dropped ({type(exc).__name__})")  # reset, RemoteDisconnected, IncompleteRead


class ServerLink:
    """How one engine reaches its server: the endpoint is vetted (`vet()` returns the base URL or raises
    the engine's ConfigError) and the API key read from the keyring on first use, so a missing or refused
    endpoint fails before any page is rendered or request sent; then one shared JsonClient."""

    def __init__(self, vet: Callable[[], str], *, timeout: float, retries: int = DEFAULT_RETRIES,
                 backoff: float = DEFAULT_BACKOFF) -> None:
        self._vet = vet
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._client: JsonClient | None = None

    def client(self) -> JsonClient:
        if self._client is None:
            base = self._vet()
            self._client = JsonClient(base, timeout=self.timeout, retries=self.retries, backoff=self.backoff,
                                      api_key=api_key(urlsplit(base).hostname or ""))
        return self._client


def _json_object(raw: bytes) -> dict:
    try:
        answer = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HttpFailure(200, "the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise HttpFailure(200, "the answer is not a JSON object")
    return answer


def _sleep(seconds: float, cancel: CancelToken) -> None:
    """Sleeps in short steps so a cancelled run does not wait out a backoff."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        cancel.raise_if_cancelled()
        time.sleep(min(0.1, left))
