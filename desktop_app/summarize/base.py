"""The summarizer interface. The pipeline and the GUI only ever see this."""

from __future__ import annotations

from typing import Protocol

from desktop_app.cancel import CancelToken
from desktop_app.models import Summary
from desktop_app.progress import ProgressSink


class Summarizer(Protocol):
    """Extracts chief complaint, diagnosis and plan from a document's text.

    Contract: every field restates the document (never advice); a field the document lacks is
    `not_documented`; evidence holds character spans into `text` (the pipeline adds pages and
    boxes). Runs in a worker thread; model summarizers must check `cancel`.
    """

    name: str

    def summarize(self, text: str, *, language: str, cancel: CancelToken, progress: ProgressSink) -> Summary: ...
