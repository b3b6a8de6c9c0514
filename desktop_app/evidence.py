"""The document's text, assembled page by page, and the map from a character span back to the
page and the boxes it came from. Shared by every summarizer, so evidence works the same for all."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.models import Evidence, PageResult, Summary

PAGE_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class _BlockSpan:
    page: int
    start: int
    end: int
    bbox: tuple[float, float, float, float]


class DocumentText:
    def __init__(self, pages: list[PageResult]) -> None:
        parts: list[str] = []
        self._page_spans: list[tuple[int, int, int]] = []  # (page index, start, end)
        self._blocks: list[_BlockSpan] = []
        # (page index, block index) → [start, end) of that block in `text` (for per-block evidence).
        self.block_offsets: dict[tuple[int, int], tuple[int, int]] = {}
        self.doubts: list[tuple[int, int]] = []  # spans the OCR doubts (Block.doubts), in document offsets
        offset = 0
        for page in pages:
            if page.status != "ok" or not page.text:
                continue
            if parts:
                parts.append(PAGE_SEPARATOR)
                offset += len(PAGE_SEPARATOR)
            self._page_spans.append((page.index, offset, offset + len(page.text)))
            cursor = 0
            for number, block in enumerate(page.blocks):
                # Blocks are normally the page's lines in order; find each one after the last.
                found = page.text.find(block.text, cursor) if block.text else -1
                if found < 0:
                    continue
                self.block_offsets[(page.index, number)] = (offset + found, offset + found + len(block.text))
                self._blocks.append(_BlockSpan(page.index, offset + found, offset + found + len(block.text),
                                               tuple(block.bbox)))
                self.doubts.extend((offset + found + start, offset + found + end) for start, end in block.doubts
                                   if 0 <= start < end <= len(block.text))
                cursor = found + len(block.text)
            parts.append(page.text)
            offset += len(page.text)
        self.text = "".join(parts)

    @classmethod
    def from_plain(cls, text: str) -> DocumentText:
        """Text with no pages behind it (e.g. corrected by the physician): spans, no boxes."""
        return cls([PageResult(index=0, engine="text", text=text)]) if text else cls([])

    def locate(self, start: int, end: int) -> list[Evidence]:
        """One Evidence per page the span touches, with the boxes of the blocks it overlaps."""
        out = []
        for page, page_start, page_end in self._page_spans:
            lo, hi = max(start, page_start), min(end, page_end)
            if lo >= hi:
                continue
            boxes = [b.bbox for b in self._blocks if b.page == page and b.start < hi and b.end > lo]
            out.append(Evidence(start=lo, end=hi, page=page, boxes=boxes))
        return out or [Evidence(start=start, end=end)]

    def attach(self, summary: Summary) -> Summary:
        """Replace each field's bare spans with spans mapped to pages and boxes (each note's too)."""
        fields = list(summary.fields().values())
        for note in summary.notes:
            fields += note.fields().values()
            note.pages = sorted({ev.page for ev in self.locate(note.start, note.end) if ev.page is not None})
        for field in fields:
            mapped = []
            for ev in field.evidence:
                mapped.extend(self.locate(ev.start, ev.end))
            field.evidence = mapped
        return summary
