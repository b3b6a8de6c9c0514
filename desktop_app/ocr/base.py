"""The OCR engine interface. The pipeline and the GUI only ever see this."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from desktop_app.cancel import CancelToken
from desktop_app.models import OcrOutput
from desktop_app.progress import ProgressSink

if TYPE_CHECKING:
    from desktop_app.ingest import SourcePage


class OcrEngine(Protocol):
    """Reads one page. Runs in a worker thread; long engines must check `cancel`.

    Returns the page's text and its blocks in reading order, with boxes in page pixels
    (`page.width` × `page.height`). Raises `errors.PageError` (or a subclass) when the page
    cannot be read; the pipeline records that on the page and goes on.
    """

    name: str

    def recognize(self, page: SourcePage, *, cancel: CancelToken, progress: ProgressSink) -> OcrOutput: ...
