"""Where the physician should look twice, without Qt: doubtful spans mapped into each field's text
and onto the page.

Two kinds of doubt come as summary warnings:
- `ocr_doubt`: the OCR is unsure of a word; `start`/`end` are offsets into the document text
  (`DocumentResult.text`, like evidence spans). In a field they are found through the field's
  evidence; on the page through the line boxes the span came from.
- `unsupported_fact`: the guard found a fact in a field that the document does not state;
  `start`/`end` are offsets into that field's text. It has no place on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.evidence import DocumentText
from desktop_app.models import FOUND, BBox, PageResult, SummaryField, SummaryWarning

OCR_DOUBT = "ocr_doubt"
UNSUPPORTED_FACT = "unsupported_fact"
DOUBT_CODES = (OCR_DOUBT, UNSUPPORTED_FACT)


@dataclass(frozen=True)
class FieldDoubt:
    code: str
    message: str
    start: int | None  # [start, end) in the field's text; None when it cannot be placed there
    end: int | None


def field_doubts(fields: dict[str, SummaryField], warnings: list[SummaryWarning],
                 document_text: str) -> dict[str, list[FieldDoubt]]:
    """Every doubt warning, by field, with its span in that field's text (when it can be placed)."""
    out: dict[str, list[FieldDoubt]] = {name: [] for name in fields}
    for warning in warnings:
        if warning.code not in DOUBT_CODES or warning.field not in fields:
            continue
        summary_field = fields[warning.field]
        span = None
        if warning.start is not None and warning.end is not None and summary_field.status == FOUND:
            if warning.code == UNSUPPORTED_FACT:
                span = _clip(warning.start, warning.end, len(summary_field.text))
            else:
                span = _document_span_in_field(warning.start, warning.end, summary_field, document_text)
        out[warning.field].append(FieldDoubt(warning.code, warning.message, *(span or (None, None))))
    return out


def _clip(start: int, end: int, length: int) -> tuple[int, int] | None:
    start, end = max(0, start), min(end, length)
    return (start, end) if start < end else None


def _document_span_in_field(start: int, end: int, summary_field: SummaryField,
                            document_text: str) -> tuple[int, int] | None:
    """A document span in the field's text: through the evidence span holding it when the field
    copies that span verbatim, else the doubtful word's own first occurrence in the field."""
    text = summary_field.text
    for ev in summary_field.evidence:
        if ev.start <= start < ev.end:
            piece = document_text[ev.start:ev.end]
            at = text.find(piece) if piece else -1
            if at >= 0:
                return _clip(at + start - ev.start, at + min(end, ev.end) - ev.start, len(text))
    word = document_text[start:end].strip()
    at = text.find(word) if word else -1
    return (at, at + len(word)) if at >= 0 else None


def page_doubt_boxes(pages: list[PageResult], warnings: list[SummaryWarning]) -> dict[int, list[BBox]]:
    """Boxes to tint on each page for the OCR's doubtful words. A word's box is the part of its
    line box that its characters take (proportional: line boxes carry no per-character boxes)."""
    spans = sorted({(w.start, w.end) for w in warnings
                    if w.code == OCR_DOUBT and w.start is not None and w.end is not None and w.start < w.end})
    if not spans:
        return {}
    text = DocumentText(pages)
    lines = {page.index: page.blocks for page in pages}
    out: dict[int, list[BBox]] = {}
    for start, end in spans:
        word = text.text[start:end]
        for evidence in text.locate(start, end):
            if evidence.page is None:
                continue
            for box in evidence.boxes:
                block = next((b for b in lines.get(evidence.page, []) if tuple(b.bbox) == tuple(box)), None)
                out.setdefault(evidence.page, []).append(_word_box(box, block.text if block else "", word))
    return out


def _word_box(line_box: BBox, line_text: str, word: str) -> BBox:
    at = line_text.find(word) if word else -1
    if at < 0 or not line_text:
        return tuple(line_box)
    x0, y0, x1, y1 = line_box
    width = (x1 - x0) / len(line_text)
    return (x0 + width * at, y0, x0 + width * (at + len(word)), y1)
