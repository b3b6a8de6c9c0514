"""DeepSeek-OCR's grounding output → page text + blocks with pixel boxes, and the loop detector.

Grounding output interleaves tags and content:

    <|ref|>title<|/ref|><|det|>[[x1, y1, x2, y2]]<|/det|>
    # Discharge summary
    <|ref|>table<|/ref|><|det|>[[...], [...]]<|/det|>
    <table>...</table>

Coordinates are 0-999 on both axes; pixel = v / 999 × page size. The page text is the markdown with
every tag removed; each tagged element becomes one Block whose text is a substring of the page text
(so evidence spans map back to its box). Pure Python: no model needed to test it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_app.models import Block

COORD_MAX = 999
_REF = re.compile(r"<\|ref\|>(?P<label>.*?)<\|/ref\|>\s*(?:<\|det\|>(?P<det>.*?)(?:<\|/det\|>|$))?", re.S)
_BOX = re.compile(
    r"\[\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\]"
)
# Leftover tags and special tokens (incomplete grounding tags, end-of-sentence markers) never reach the text.
_LEFTOVER = re.compile(r"<\|/?(?:ref|det|grounding)\|>|<｜[^｜>]{0,40}｜>|<\|end[^|>]{0,20}\|>")
NON_TEXT_LABELS = {"image", "figure"}  # regions with no text of their own


@dataclass
class GroundedElement:
    label: str
    boxes: list[tuple[float, float, float, float]]
    text: str
    raw_start: int | None = None  # where `text` starts in the raw output (None: tags were cut out of it)


def _boxes(det: str | None, width: int, height: int) -> list[tuple[float, float, float, float]]:
    out = []
    for match in _BOX.finditer(det or ""):
        x1, y1, x2, y2 = (min(max(float(v), 0.0), COORD_MAX) for v in match.groups())
        x0, x1 = sorted((x1, x2))
        y0, y1 = sorted((y1, y2))
        out.append(
            (x0 / COORD_MAX * width, y0 / COORD_MAX * height, x1 / COORD_MAX * width, y1 / COORD_MAX * height)
        )
    return out


def clean(text: str) -> str:
    return _LEFTOVER.sub("", text)


def _content(raw: str, start: int, end: int) -> tuple[str, int | None]:
    """(the element's text, its offset in `raw`, or None when removed tags sit inside the text)."""
    segment = raw[start:end]
    text = clean(segment).strip()
    lead = len(segment) - len(segment.lstrip())
    return text, (start + lead if segment[lead : lead + len(text)] == text else None)


def parse_elements(raw: str, width: int, height: int) -> list[GroundedElement]:
    """Each tagged element with its boxes and the content up to the next tag (tags removed)."""
    matches = list(_REF.finditer(raw))
    elements = []
    if matches and clean(raw[: matches[0].start()]).strip():
        elements.append(GroundedElement("text", [], *_content(raw, 0, matches[0].start())))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(raw)
        elements.append(
            GroundedElement(
                clean(match.group("label")).strip(),
                _boxes(match.group("det"), width, height),
                *_content(raw, match.end(), end),
            )
        )
    if not matches and clean(raw).strip():
        elements.append(GroundedElement("text", [], *_content(raw, 0, len(raw))))
    return elements


def _block_doubts(element: GroundedElement, doubts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Doubtful spans of the raw output that fall in the element, as offsets into its text."""
    if element.raw_start is None:
        return []
    start, end = element.raw_start, element.raw_start + len(element.text)
    spans = []
    for d_start, d_end in doubts:
        s, e = max(d_start, start) - start, min(d_end, end) - start
        if s < e and element.text[s:e].strip():
            spans.append((s, e))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def parse_grounding(
    raw: str, width: int, height: int, doubts: list[tuple[int, int]] | None = None
) -> tuple[str, list[Block]]:
    """(page text, blocks). Blocks cover the tagged elements that have text, in output order.

    `doubts`: [start, end) spans of `raw` the model generated with low probability; each block gets
    the ones inside it as `Block.doubts` (offsets into the block's text)."""
    parts: list[str] = []
    blocks: list[Block] = []
    for element in parse_elements(raw, width, height):
        if not element.text:
            continue
        parts.append(element.text)
        if element.boxes and element.label.lower() not in NON_TEXT_LABELS:
            xs0, ys0, xs1, ys1 = zip(*element.boxes, strict=True)
            blocks.append(
                Block(
                    text=element.text,
                    bbox=(min(xs0), min(ys0), max(xs1), max(ys1)),
                    doubts=_block_doubts(element, doubts or []),
                )
            )
    return "\n\n".join(parts), blocks


# --- loops ---------------------------------------------------------------------------------------

_TABLE_TAGS = re.compile(r"</?(?:table|thead|tbody|tr|td|th)[^>]*>", re.I)


def looping_tail(
    text: str, *, min_repeats: int = 8, max_period: int = 200, min_chars: int = 160
) -> str | None:
    """The repeated unit when the text ends in the same unit over and over, else None.

    Table markup is left out before checking: an empty table legitimately repeats `<td></td>`.
    A unit must repeat `min_repeats` times and cover at least `min_chars` characters.
    """
    body = _TABLE_TAGS.sub("", text).rstrip()
    for period in range(1, min(max_period, len(body) // 2) + 1):
        unit = body[-period:]
        if not unit.strip():
            continue
        repeats = 1
        pos = len(body) - period
        while pos - period >= 0 and body[pos - period : pos] == unit:
            repeats += 1
            pos -= period
        if repeats >= min_repeats and repeats * period >= min_chars:
            return unit
    return None
