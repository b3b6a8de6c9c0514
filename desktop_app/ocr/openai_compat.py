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
Busy (429 / 503), refused and dropped requests are asked again with backoff (http_client); a page whose
stream was cut is read again from the start: partial text never counts as the page.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_app import errors
from desktop_app.cancel import CancelToken
from desktop_app.http_client import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRIES,
    Dropped,
    HttpFailure,
    JsonClient,
    ServerLink,
    Unreachable,
    refusal_detail,
    vetted_base_url,
)
from desktop_app.models import OcrOutput
from desktop_app.ocr.grounding import clean, looping_tail, parse_grounding
from desktop_app.progress import ProgressSink
from desktop_app.settings import EngineSettings

if TYPE_CHECKING:
    from desktop_app.ingest import SourcePage

log = logging.getLogger(__name__)

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


def check_endpoint(url: str | None, allowed_hosts: tuple[str, ...] = ()) -> str:
    """The base URL (no trailing slash) if it may be used; raises a ConfigError otherwise."""
    if not url:
        raise errors.ModelNotConfigured(name="openai", option="--endpoint URL --served-model", gguf="")
    return vetted_base_url(url, allowed_hosts, unavailable=errors.EndpointUnavailable,
                           not_allowed=errors.EndpointNotAllowed)


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
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
    ) -> None:
        self.settings = settings or EngineSettings()
        self.max_tokens = max_tokens
        self.link = ServerLink(self._vetted_base_url, timeout=timeout, retries=retries, backoff=backoff)
        # After a page found the server gone (every retry refused or dropped), the next pages are asked
        # once each: a stopped server should fail a long document in seconds, not minutes of backoff.
        self._server_gone = False

    def _vetted_base_url(self) -> str:
        base = check_endpoint(self.settings.endpoint, self.settings.allowed_hosts)
        if not self.settings.served_model:
            raise errors.ModelNotConfigured(name="openai", option="--served-model", gguf="")
        return base

    def client(self) -> JsonClient:
        return self.link.client()

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
        (timeout, refused or dropped connection after the retries, an error event, a stream cut before
        its end), a ConfigError for what no page can get past (bad key, unknown model, redirect, the
        network guard)."""
        client = self.client()

        def attempt() -> Completion:
            with client.open("/chat/completions", body, "text/event-stream") as response:
                return client.read(lambda: self._read_events(response, page_no, cancel, progress))

        try:
            completion = client.retrying(attempt, cancel, retries=0 if self._server_gone else None)
        except HttpFailure as exc:
            raise self._http_error(exc, client.base_url, page_no) from None
        except Unreachable as exc:
            self._server_gone = True
            raise errors.OcrServerUnreachable(page=page_no, url=client.base_url, detail=exc.detail) from None
        self._server_gone = False
        return completion

    def _read_events(self, response, page_no: int, cancel: CancelToken, progress: ProgressSink) -> Completion:
        pieces: list[str] = []
        doubts: list[tuple[int, int]] = []
        length = 0
        finish = None
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
        cancel.raise_if_cancelled()
        if finish is None:  # the connection closed mid-page: read the page again from the start
            raise Dropped("the stream ended before the page was finished")
        if finish not in FINISHED:  # partial text must never count as the page
            raise errors.OcrServerError(page=page_no, detail=f"generation ended with '{str(finish)[:30]}'")
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

    def _http_error(self, exc: HttpFailure, base: str, page_no: int) -> errors.EmrError:
        if 300 <= exc.status < 400:
            return errors.EndpointRedirected(url=base, status=exc.status)
        refused = refusal_detail(exc, self.settings.served_model)
        if refused:
            return errors.EndpointUnavailable(url=base, detail=refused)
        return errors.OcrServerError(page=page_no, detail=f"HTTP {exc.status}")

    # --- the OcrEngine protocol ----------------------------------------------------------------------

    def recognize(self, page: SourcePage, *, cancel: CancelToken, progress: ProgressSink) -> OcrOutput:
        self.client()  # a missing or refused endpoint is a ConfigError before the page is rendered
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
