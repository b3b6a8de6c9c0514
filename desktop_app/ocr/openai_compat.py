"""OCR engine `openai`: DeepSeek-OCR (v1 or v2) served by vLLM (or any OpenAI-compatible server),
reached through the streaming chat-completions API. Standard library only (urllib).

Privacy: the endpoint must be a loopback address unless its host is in the user's allow-list
(`EngineSettings.allowed_hosts`); environment proxies are never used. The API key, when the server
needs one, comes from the OS keyring (service `EMRSummaryAssistant`, user `openai:<host>`), never
from a config file.
"""

from __future__ import annotations

import base64
import io
import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.request
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
DEFAULT_MAX_TOKENS = 4096
DEFAULT_TIMEOUT = 120.0


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
    if not is_loopback(host) and host.lower() not in {h.lower() for h in allowed_hosts}:
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
        # Never through a proxy taken from the environment: the page image goes to this host only.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

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
        }
        return json.dumps(body).encode("utf-8")

    # --- the request (streaming) ---------------------------------------------------------------------

    def _stream(
        self, body: bytes, page_no: int, cancel: CancelToken, progress: ProgressSink
    ) -> tuple[str, str | None]:
        """(text, finish_reason) from a streaming chat completion."""
        base = self.base_url()
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        key = api_key(urlsplit(base).hostname or "")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(
            f"{base}/chat/completions", data=body, headers=headers, method="POST"
        )
        pieces: list[str] = []
        finish = None
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
                    event = json.loads(data)
                    choice = (event.get("choices") or [{}])[0]
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        pieces.append(piece)
                        progress.update("generate", len(pieces), self.max_tokens)
                    finish = choice.get("finish_reason") or finish
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, base, page_no) from None
        except TimeoutError:
            raise errors.EndpointUnavailable(
                url=base, detail=f"no answer within {self.timeout:.0f} s (timeout)"
            ) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise errors.EndpointUnavailable(
                    url=base, detail=f"no answer within {self.timeout:.0f} s (timeout)"
                ) from None
            if isinstance(reason, ConnectionRefusedError):
                raise errors.EndpointUnavailable(
                    url=base, detail="connection refused: is the server running?"
                ) from None
            raise errors.EndpointUnavailable(
                url=base, detail=f"cannot connect ({type(reason).__name__})"
            ) from None
        except (json.JSONDecodeError, ConnectionError) as exc:
            raise errors.OcrServerError(
                page=page_no, detail=f"broken stream ({type(exc).__name__})"
            ) from None
        cancel.raise_if_cancelled()
        return "".join(pieces), finish

    def _http_error(self, exc: urllib.error.HTTPError, base: str, page_no: int) -> errors.EmrError:
        try:
            detail = exc.read().decode("utf-8", "replace")[:300]
        except OSError:
            detail = ""
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
        reason = None
        for attempt, prompt in enumerate((PROMPT, RETRY_PROMPT)):
            cancel.raise_if_cancelled()
            raw, finish = self._stream(self.request_body(image, prompt), page.index + 1, cancel, progress)
            unit = looping_tail(clean(raw))
            if unit is None and finish != "length":
                text, blocks = parse_grounding(raw, page.width, page.height)
                warnings = (
                    [f"page {page.index + 1}: first output looped; read with the Free OCR prompt"]
                    if attempt
                    else []
                )
                return OcrOutput(text=text, blocks=blocks, warnings=warnings)
            reason = f"repeated '{unit.strip()[:40]}'" if unit else f"no end after {self.max_tokens} tokens"
            log.warning("page %d: served OCR output looped (%s)", page.index + 1, reason)
        raise errors.OcrLoopDetected(page=page.index + 1, detail=reason)
