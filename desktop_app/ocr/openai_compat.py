"""OCR engine `openai`: DeepSeek-OCR (v1 or v2) served by vLLM (or any OpenAI-compatible server),
reached through the streaming chat-completions API. Standard library only (urllib).

Privacy: the endpoint must be a loopback address unless its host is in the user's allow-list
(`EngineSettings.allowed_hosts`); environment proxies are never used. The API key, when the server
needs one, comes from the OS keyring (service `EMRSummaryAssistant`, user `openai:<host>`), never
from a config file. Redirects are never followed (the image and the key would go along).

Failures: what fails one page (a timeout, a refused or dropped connection, a vLLM error event, a stream
that ends without a finish_reason) is a PageError, so the run goes on with the next page; what no page
can get past (a refused key, an unknown model, a redirect, the network guard) is a ConfigError. A page
that reaches the token cap without looping is kept, with a warning that its end may be missing.
"""

from __future__ import annotations

import base64
import http.client
import io
import ipaddress
import json
import logging
import math
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from desktop_app import errors
from desktop_app.jobs.cancel import CancelToken
from desktop_app.jobs.progress import ProgressSink
from desktop_app.models import OcrOutput
from desktop_app.ocr.grounding import clean, looping_tail, parse_grounding
from desktop_app.settings import EngineSettings

if TYPE_CHECKING:
    from desktop_app.ingest import SourcePage

log = logging.getLogger(__name__)

KEYRING_SERVICE = "EMRSummaryAssistant"
PROMPT = "<|grounding|>Convert the document to markdown."
RETRY_PROMPT = "Free OCR."
DEFAULT_MAX_TOKENS = 8192  # the DeepSeek-OCR / OCR-2 vLLM recipe's max_tokens
DEFAULT_TIMEOUT = 120.0
# The recipe's no-repeat guard (vLLM's NGramPerReqLogitsProcessor, switched on per request through
# `vllm_xargs`; the server is started with --logits_processors
# vllm.model_executor.models.deepseek_ocr:NGramPerReqLogitsProcessor). Without it a looping page runs
# to the token cap. The whitelisted ids are <td> and </td> in the DeepSeek-OCR (v1 and v2) tokenizer:
# an empty table legitimately repeats them.
NGRAM_SIZE = 30
NGRAM_WINDOW = 90
WHITELIST_TOKEN_IDS = (128821, 128822)
FINISHED = ("stop", "length")
# A token the model gave less than even odds is marked as an OCR doubt on its block (never corrected).
DOUBT_PROBABILITY = 0.5


def is_installed() -> bool:
    return True  # standard library only


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_endpoint(url: str | None, allowed_hosts: tuple[str, ...] = ()) -> str:
    """The base URL (no trailing slash) if it may be used; raises a ConfigError otherwise."""
    if not url:
        raise errors.ModelNotConfigured(name="openai", option="--endpoint URL --served-model", gguf="")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise errors.EndpointUnavailable(url=url, detail="not an http(s) URL")
    host = parts.hostname
    from desktop_app.privacy.network import is_allowed  # names, addresses and networks, as the guard

    if not is_loopback(host) and not is_allowed(host, allowed_hosts):
        raise errors.EndpointNotAllowed(url=url, host=host)
    return url.rstrip("/")


def api_key(host: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, f"openai:{host}")
    except (KeyringError, RuntimeError):  # no usable backend (headless machine): no key
        return None


def _doubts(piece: str, logprobs: object, offset: int) -> list[tuple[int, int]]:
    """Spans of `piece` (at `offset` in the whole text) whose tokens' probability is below the bar:
    each token's own span when the tokens spell the piece, else the whole piece."""
    tokens = (logprobs or {}).get("content") if isinstance(logprobs, dict) else None
    if not tokens:
        return []
    scored = [
        (str(t.get("token", "")), math.exp(t["logprob"]))
        for t in tokens
        if isinstance(t, dict) and isinstance(t.get("logprob"), (int, float))
    ]
    if "".join(text for text, _ in scored) != piece:
        low = any(p < DOUBT_PROBABILITY for _, p in scored)
        return [(offset, offset + len(piece))] if low else []
    spans, at = [], offset
    for text, p in scored:
        if p < DOUBT_PROBABILITY:
            spans.append((at, at + len(text)))
        at += len(text)
    return spans


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are never followed: the page image and the Bearer token go to the configured address
    only (urllib would resend both to wherever a 3xx points). The 3xx then surfaces as an HTTPError."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Completion:
    """One streamed chat completion: the text and why generation ended ("stop" or "length")."""

    text: str
    finish_reason: str
    doubts: list[tuple[int, int]] = field(default_factory=list)  # low-probability [start, end) of `text`


class OpenAiOcrEngine:
    name = "openai"

    def __init__(
        self,
        settings: EngineSettings | None = None,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.settings = settings or EngineSettings()
        self.max_tokens = max_tokens
        self.timeout = timeout
        self._base: str | None = None
        # Never through a proxy taken from the environment (the page image goes to this host only),
        # and never to a redirect target.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())

    def base_url(self) -> str:
        if self._base is None:
            self._base = check_endpoint(self.settings.endpoint, self.settings.allowed_hosts)
            if not self.settings.served_model:
                raise errors.ModelNotConfigured(name="openai", option="--served-model", gguf="")
        return self._base

    # --- preprocess ----------------------------------------------------------------------------

    def request_body(self, image, prompt: str) -> bytes:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG")
        data_url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
        body = {
            "model": self.settings.served_model,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": data_url}},  # image first, then the prompt
                        {"type": "text", "text": prompt},
                    ],
                }
            ],
            "stream": True,
            "temperature": 0.0,
            "max_tokens": self.max_tokens,
            "skip_special_tokens": False,  # vLLM: keep the grounding tags for the parser
            "logprobs": True,  # each token's probability: the low ones become the blocks' doubts
            "vllm_xargs": {
                "ngram_size": NGRAM_SIZE,
                "window_size": NGRAM_WINDOW,
                "whitelist_token_ids": list(WHITELIST_TOKEN_IDS),
            },
        }
        return json.dumps(body).encode("utf-8")

    # --- the request (streaming) ---------------------------------------------------------------------

    def _stream(self, body: bytes, page_no: int, cancel: CancelToken, progress: ProgressSink) -> Completion:
        """The whole completion, or a typed error: a page error for anything that fails this page only
        (timeout, refused or dropped connection, an error event, a stream cut before its end), a
        ConfigError for what no page can get past (bad key, unknown model, redirect, the network guard)."""
        base = self.base_url()
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        key = api_key(urlsplit(base).hostname or "")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(
            f"{base}/chat/completions", data=body, headers=headers, method="POST"
        )
        pieces: list[str] = []
        doubts: list[tuple[int, int]] = []
        length = 0
        finish = None

        def unreachable(detail: str) -> errors.OcrServerUnreachable:
            return errors.OcrServerUnreachable(page=page_no, url=base, detail=detail)

        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                for raw in response:
                    if cancel.cancelled:
                        break
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    event = self._event(data, page_no)
                    for choice in event.get("choices") or ():  # none: e.g. a usage-only event
                        piece = (choice.get("delta") or {}).get("content")
                        if piece:
                            doubts.extend(_doubts(piece, choice.get("logprobs"), length))
                            pieces.append(piece)
                            length += len(piece)
                            progress.update("generate", len(pieces), self.max_tokens)
                        finish = choice.get("finish_reason") or finish
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, base, page_no) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, errors.NetworkBlocked):  # the guard, not the server: say so
                raise reason from None
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise unreachable(f"no answer within {self.timeout:.0f} s") from None
            if isinstance(reason, ConnectionRefusedError):
                raise unreachable("connection refused: is the server running?") from None
            raise unreachable(f"cannot connect ({type(reason).__name__})") from None
        except TimeoutError:  # socket.timeout is TimeoutError: the server stalled mid-page
            raise unreachable(f"no answer within {self.timeout:.0f} s") from None
        except (http.client.HTTPException, ConnectionError) as exc:  # IncompleteRead, reset, ...
            raise unreachable(f"the connection dropped mid-page ({type(exc).__name__})") from None
        cancel.raise_if_cancelled()
        if finish not in FINISHED:  # cut before its end: partial text must never count as the page
            detail = (
                "the stream ended before the page was finished"
                if finish is None
                else f"generation ended with '{str(finish)[:30]}'"
            )
            raise errors.OcrServerError(page=page_no, detail=detail)
        return Completion("".join(pieces), finish, doubts)

    @staticmethod
    def _event(data: str, page_no: int) -> dict:
        try:
            event = json.loads(data)
        except json.JSONDecodeError:
            raise errors.OcrServerError(page=page_no, detail="a stream event that is not JSON") from None
        if not isinstance(event, dict):
            raise errors.OcrServerError(page=page_no, detail="a stream event that is not an object")
        # vLLM reports a failure mid-stream as an event with `error` (or `object: "error"`), no choices.
        error = event.get("error") if "error" in event else (event if event.get("object") == "error" else None)
        if error is not None:
            message = error.get("message") if isinstance(error, dict) else error
            raise errors.OcrServerError(
                page=page_no, detail=f"the server reported an error mid-stream: {str(message)[:200]}"
            )
        return event

    def _http_error(self, exc: urllib.error.HTTPError, base: str, page_no: int) -> errors.EmrError:
        try:
            detail = exc.read().decode("utf-8", "replace")[:300]
        except OSError:
            detail = ""
        if 300 <= exc.code < 400:
            return errors.EndpointRedirected(url=base, status=exc.code)
        if exc.code in (401, 403):
            return errors.EndpointUnavailable(
                url=base,
                detail=f"the server refused the API key ({exc.code}); set it "
                "in the app's settings (stored in the OS keyring)",
            )
        if exc.code == 404 or "does not exist" in detail:  # vLLM answers 404 for an unknown model name
            return errors.EndpointUnavailable(
                url=base, detail=f"model '{self.settings.served_model}' not found on the server ({exc.code})"
            )
        return errors.OcrServerError(page=page_no, detail=f"HTTP {exc.code}")

    # --- the OcrEngine protocol ----------------------------------------------------------------------

    def recognize(self, page: SourcePage, *, cancel: CancelToken, progress: ProgressSink) -> OcrOutput:
        self.base_url()
        image = page.image()
        page_no = page.index + 1
        reason = None
        for attempt, prompt in enumerate((PROMPT, RETRY_PROMPT)):
            cancel.raise_if_cancelled()
            completion = self._stream(self.request_body(image, prompt), page_no, cancel, progress)
            unit = looping_tail(clean(completion.text))
            if unit is None:
                text, blocks = parse_grounding(completion.text, page.width, page.height, completion.doubts)
                notices: list[errors.OcrNotice] = []
                if attempt:
                    notices.append(errors.OcrReadWithPlainPrompt(page=page_no, detail=reason))
                if completion.finish_reason == "length":  # a long page, not a loop: keep it, say so
                    notices.append(errors.OcrTruncatedAtCap(page=page_no, cap=self.max_tokens))
                return OcrOutput(text=text, blocks=blocks, warnings=notices)
            reason = f"repeated '{unit.strip()[:40]}'"
            log.warning("page %d: served OCR output looped; attempt %d", page_no, attempt + 1)
        raise errors.OcrLoopDetected(page=page_no, detail=reason)
