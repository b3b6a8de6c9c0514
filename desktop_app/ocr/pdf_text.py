"""The `pdf-text` engine: a PDF page's own text layer, with line boxes from PyMuPDF. No OCR."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app import errors
from desktop_app.cancel import CancelToken
from desktop_app.models import Block, OcrOutput
from desktop_app.ocr.layout import layout_page
from desktop_app.progress import ProgressSink
from desktop_app.settings import EngineSettings

if TYPE_CHECKING:
    from desktop_app.ingest import SourcePage


def is_installed() -> bool:
    return True


class PdfTextEngine:
    name = "pdf-text"

    def __init__(self, settings: EngineSettings | None = None) -> None:
        pass

    def recognize(self, page: SourcePage, *, cancel: CancelToken, progress: ProgressSink) -> OcrOutput:
        if page.pdf_page is None or not page.text_layer_usable:
            raise errors.NoTextLayer(page=page.index + 1)
        scale = page.scale
        pieces = []
        data = page.pdf_page.get_text("dict")
        for block in data.get("blocks", []):
            for line in block.get("lines", []):
                # Spans carry their own spaces; collapse runs so boxes and text stay in step.
                text = " ".join("".join(span.get("text", "") for span in line.get("spans", [])).split())
                if not text:
                    continue
                x0, y0, x1, y1 = line["bbox"]
                pieces.append(Block(text=text, bbox=(x0 * scale, y0 * scale, x1 * scale, y1 * scale)))
        text, lines = layout_page(pieces)
        return OcrOutput(text=text, blocks=lines)
