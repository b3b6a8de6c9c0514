"""The `openai` summarizer: the same summary as the in-process `llm` summarizer, with the model served by
an OpenAI-compatible server (vLLM, llama.cpp's server) reached through chat completions.

Same chunking, prompts, parser, merge, evidence and fallback as `llm` (chunking.py, prompts.py,
answers.ChunkedSummarizer); only the transport differs: one HTTP request per chunk instead of
`generate`. The pipeline applies the faithfulness guard to both.

Prefix reuse: every request starts with the same system message and user head (prompts.messages),
byte for byte, so a server with automatic prefix caching computes that prefix once for all chunks of
all documents. The server's count of reused tokens (`usage.prompt_tokens_details.cached_tokens`, when
it reports it) is kept in `stats` / `totals` and printed in the batch report.

The answer is requested as one JSON object through `response_format` (a JSON schema) — the server then
decodes under that constraint; a server that refuses the field (HTTP 400) is asked again without it and
the answer is parsed as the in-process one is.

Privacy: the endpoint must be loopback unless its host is allow-listed (the OCR server's rule); the API
key comes from the OS keyring (service `EMRSummaryAssistant`, user `openai:<host>`); no proxy from the
environment, no redirects.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from desktop_app import errors
from desktop_app.cancel import CancelToken
from desktop_app.http_client import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRIES,
    HttpFailure,
    JsonClient,
    ServerLink,
    Unreachable,
    refusal_detail,
    vetted_base_url,
)
from desktop_app.models import Summary
from desktop_app.progress import ProgressSink
from desktop_app.settings import EngineSettings
from desktop_app.summarize import prompts
from desktop_app.summarize.answers import ChunkedSummarizer
from desktop_app.summarize.chunking import Chunk, split_text

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0  # seconds per request; a 3,000-token chunk on a busy CPU server takes tens of seconds
SCHEMA_NAME = "emr_chunk_answer"
COUNT_MARGIN = 1.1  # the server's count scales the estimate; a chunk may tokenize a little worse than the whole
SEAM_TOKENS = 64  # the retry reminder and the chat template's closing tokens
MIN_CHUNK_TOKENS = 64


def is_installed() -> bool:
    return True  # standard library only


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate for chunking (the server's tokenizer is not on this machine): a CJK
    character counted as a token, Latin text as a token per 3 characters. Used as is only when the server
    cannot count (no /tokenize); otherwise scaled by the server's own count of the document."""
    wide = sum(1 for ch in text if ord(ch) >= 0x2E80)
    return wide + (len(text) - wide + 2) // 3


def _root(base: str) -> str:
    """vLLM serves /tokenize at the server root, beside /v1."""
    return base[: -len("/v1")] if base.endswith("/v1") else base


def check_summary_endpoint(url: str | None, allowed_hosts: tuple[str, ...] = ()) -> str:
    """The base URL (no trailing slash) if it may be used; raises a ConfigError otherwise."""
    if not url:
        raise errors.SummaryServerNotConfigured(missing="--summary-endpoint URL --summary-served-model NAME")
    return vetted_base_url(url, allowed_hosts, unavailable=errors.SummaryEndpointUnavailable,
                           not_allowed=errors.SummaryEndpointNotAllowed)


@dataclass
class ServerStats:
    """What the server did for one document (`stats`) or for every document so far (`totals`)."""

    chunks: list[Chunk] = field(default_factory=list)
    requests: int = 0
    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0  # the server's automatic prefix cache: prompt tokens not recomputed
    cache_reported: bool = False  # the server reports cached tokens (vLLM: --enable-prompt-tokens-details)
    completion_tokens: int = 0
    retries: int = 0  # answers that were not the JSON object, asked again with the reminder
    schema: bool = True  # the answers were decoded under the JSON schema (response_format)
    raw_answers: list[str] = field(default_factory=list)

    def add(self, other: ServerStats) -> None:
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.cached_prompt_tokens += other.cached_prompt_tokens
        self.cache_reported = self.cache_reported or other.cache_reported
        self.completion_tokens += other.completion_tokens
        self.retries += other.retries


class OpenAiSummarizer(ChunkedSummarizer):
    """Runs in a worker thread; one instance per thread (its stats are its own). Checks `cancel`
    between requests and between retries."""

    name = "openai"

    def __init__(self, settings: EngineSettings | None = None, *, timeout: float = DEFAULT_TIMEOUT,
                 retries: int = DEFAULT_RETRIES, backoff: float = DEFAULT_BACKOFF, **chunking) -> None:
        """`chunking`: chunk_tokens, overlap_tokens, max_new_tokens (ChunkedSummarizer)."""
        super().__init__(settings, **chunking)
        self.link = ServerLink(self._vetted_base_url, timeout=timeout, retries=retries, backoff=backoff)
        self._use_schema = True  # until the server refuses response_format once
        self._can_count = True  # until the server has no /tokenize
        self._prefix_tokens: dict[str, int] = {}
        self.stats = ServerStats()
        self.totals = ServerStats()

    def _vetted_base_url(self) -> str:
        base = check_summary_endpoint(self.settings.summary_endpoint, self.settings.allowed_hosts)
        if not self.settings.summary_served_model:
            raise errors.SummaryServerNotConfigured(missing="--summary-served-model NAME")
        return base

    def client(self) -> JsonClient:
        return self.link.client()

    # --- preprocess -------------------------------------------------------------------------

    def plan(self, text: str, language: str, cancel: CancelToken) -> tuple[Callable[[str], int], int]:
        """(token counter, chunk budget) for one document. With vLLM's /tokenize: the estimate scaled to
        the server's count of this text, and a budget that fits the served model's context with the
        instruction and the answer; without it: the estimate and the configured budget."""
        sized = self._server_count(text, language, cancel)
        if sized is None:
            return estimate_tokens, self.chunk_tokens
        count, prefix, max_len = sized
        scale = COUNT_MARGIN * count / max(1, estimate_tokens(text))
        budget = self.chunk_tokens
        if max_len:
            budget = min(budget, max_len - prefix - self.max_new_tokens - SEAM_TOKENS)
            if budget < MIN_CHUNK_TOKENS:
                raise errors.SummaryEndpointUnavailable(
                    url=self.client().base_url,
                    detail=f"the served model's context ({max_len} tokens) leaves no room for the note next to "
                    f"the instruction ({prefix} tokens) and a {self.max_new_tokens}-token answer")
        return (lambda part: math.ceil(estimate_tokens(part) * scale)), budget

    def _server_count(self, text: str, language: str, cancel: CancelToken) -> tuple[int, int, int] | None:
        """(tokens in `text`, tokens of the instruction prefix, the model's context) or None when the server
        does not count (llama.cpp, a proxy): then the estimate is used. Never retried: it is only a hint."""
        if not self._can_count:
            return None
        counter = JsonClient(_root(self.client().base_url), timeout=self.link.timeout, retries=0,
                             api_key=self.client().api_key)
        model = self.settings.summary_served_model
        lang = prompts.prompt_language(language)
        try:
            answer = counter.post("/tokenize", {"model": model, "prompt": text, "add_special_tokens": False}, cancel)
            if lang not in self._prefix_tokens:
                prefix = counter.post("/tokenize", {"model": model, "messages": prompts.messages("", lang)}, cancel)
                self._prefix_tokens[lang] = int(prefix["count"])
            return int(answer["count"]), self._prefix_tokens[lang], int(answer.get("max_model_len") or 0)
        except HttpFailure as exc:
            if exc.status in (404, 405, 501):
                self._can_count = False  # not this server's API: do not ask again
            return None
        except (Unreachable, KeyError, TypeError, ValueError):
            return None

    def request_body(self, chunk: str, language: str, *, retry: bool = False, schema: bool = True) -> dict:
        """The fixed instruction comes first (system message, then the user head): identical bytes for
        every chunk of every document, so the server's prefix cache reuses it."""
        body = {
            "model": self.settings.summary_served_model,
            "messages": prompts.messages(chunk, language, retry=retry),
            "temperature": 0.0,
            "max_tokens": self.max_new_tokens,
            "stream": False,
        }
        if schema:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": SCHEMA_NAME,
                    "schema": prompts.answer_schema(self.max_new_tokens),
                    "strict": True,
                },
            }
        return body

    # --- the request --------------------------------------------------------------------------

    def complete(self, chunk: str, language: str, *, retry: bool, cancel: CancelToken,
                 progress: ProgressSink | None = None) -> str:
        """The answer text for one chunk; records the server's token usage."""
        client = self.client()
        try:
            try:
                answer = client.post(
                    "/chat/completions", self.request_body(chunk, language, retry=retry, schema=self._use_schema),
                    cancel,
                )
            except HttpFailure as exc:
                if exc.status != 400 or not self._use_schema:
                    raise
                # A server without structured output refuses the field: ask again without it, and keep
                # asking without it (the parser reads a free-form answer just as well).
                answer = client.post(
                    "/chat/completions", self.request_body(chunk, language, retry=retry, schema=False), cancel
                )
                # Only now is the 400 known to be about the field (a too-long prompt fails both ways).
                log.info("summary server refused response_format (HTTP 400); parsing plain answers")
                self._use_schema = False
        except HttpFailure as exc:
            raise self._http_error(exc, client.base_url) from None
        except Unreachable as exc:
            raise errors.SummaryServerUnreachable(url=client.base_url, detail=exc.detail) from None
        self.stats.schema = self.stats.schema and self._use_schema
        self._record_usage(answer.get("usage"))
        try:
            content = answer["choices"][0]["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise errors.SummaryServerError(url=client.base_url, detail="an answer without choices") from None
        return content if isinstance(content, str) else ""

    def _record_usage(self, usage: object) -> None:
        self.stats.requests += 1
        if not isinstance(usage, dict):
            return
        self.stats.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self.stats.completion_tokens += int(usage.get("completion_tokens") or 0)
        details = usage.get("prompt_tokens_details")
        if isinstance(details, dict) and details.get("cached_tokens") is not None:
            self.stats.cache_reported = True
            self.stats.cached_prompt_tokens += int(details["cached_tokens"])

    def _http_error(self, exc: HttpFailure, base: str) -> errors.EmrError:
        if 300 <= exc.status < 400:
            return errors.SummaryEndpointUnavailable(
                url=base, detail=f"it answered with a redirect (HTTP {exc.status}), which is not followed; "
                "set the server's final address")
        refused = refusal_detail(exc, self.settings.summary_served_model)
        if refused:
            return errors.SummaryEndpointUnavailable(url=base, detail=refused)
        return errors.SummaryServerError(url=base, detail=f"HTTP {exc.status}{_server_message(exc.body)}")

    # --- the Summarizer protocol ------------------------------------------------------------

    def summarize(self, text: str, *, language: str, cancel: CancelToken, progress: ProgressSink) -> Summary:
        self.client()  # a missing or refused endpoint is a ConfigError before any request
        self.stats = ServerStats(schema=self._use_schema)
        try:
            return self._summarize(text, language, cancel, progress)
        finally:
            self.totals.add(self.stats)
            log.info("summary server: %d requests, %d prompt tokens, %d cached", self.stats.requests,
                     self.stats.prompt_tokens, self.stats.cached_prompt_tokens)

    def _summarize(self, text: str, language: str, cancel: CancelToken, progress: ProgressSink) -> Summary:
        count, budget = self.plan(text, language, cancel)
        self.stats.chunks = split_text(text, count, budget, min(self.overlap_tokens, budget // 4))
        return self.summarize_chunks(text, self.stats.chunks, language, cancel, progress)[0]


def _server_message(body: str) -> str:
    """The server's own error message (e.g. vLLM's "maximum context length is …"), short; never the body
    as a whole, which could echo the request."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return ""
    message = error.get("message") if isinstance(error, dict) else error
    return f": {str(message)[:160]}" if message else ""

