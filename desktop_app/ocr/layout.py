"""Turn an engine's scattered text boxes into lines in reading order.

Detections on one baseline become one line (joined with a space unless both sides are CJK).
Reading order handles columns: rows of lines that share a vertical gutter form a band, and a band
is read column by column, so a two-column page is not read straight across.
"""

from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Sequence

from desktop_app.models import BBox, Block

LINE_OVERLAP = 0.5  # share of the smaller height two boxes must overlap to be on one line
LINE_JOIN_GAP = 1.5  # max horizontal gap, in line heights, between two pieces of one line


def is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def join_pieces(left: str, right: str) -> str:
    if not left:
        return right
    if not right:
        return left
    if is_cjk(left[-1]) and is_cjk(right[0]):
        return left + right
    return f"{left} {right}"


def _height(b: BBox) -> float:
    return max(b[3] - b[1], 1.0)


def _vertical_overlap(a: BBox, b: BBox) -> float:
    return max(0.0, min(a[3], b[3]) - max(a[1], b[1])) / min(_height(a), _height(b))


def _union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def group_lines(pieces: Sequence[Block]) -> list[Block]:
    """Merge pieces that sit on the same baseline and close together into lines."""
    lines: list[list[Block]] = []
    for piece in sorted(pieces, key=lambda b: (b.bbox[0], b.bbox[1])):
        best = None
        for line in lines:
            last = line[-1]
            gap = piece.bbox[0] - last.bbox[2]
            if (_vertical_overlap(last.bbox, piece.bbox) >= LINE_OVERLAP
                    and -0.5 * _height(last.bbox) <= gap <= LINE_JOIN_GAP * _height(last.bbox)):
                best = line
                break
        if best is None:
            lines.append([piece])
        else:
            best.append(piece)
    merged = []
    for line in lines:
        text, box, confidences = "", line[0].bbox, []
        for piece in line:
            text = join_pieces(text, piece.text)
            box = _union(box, piece.bbox)
            if piece.confidence is not None:
                confidences.append(piece.confidence)
        confidence = min(confidences) if confidences else None
        merged.append(Block(text=text, bbox=box, confidence=confidence))
    return merged


def _split_rows(lines: list[Block]) -> list[list[Block]]:
    """Split at every horizontal strip of empty space (y gaps)."""
    rows: list[list[Block]] = []
    bottom = None
    for line in sorted(lines, key=lambda b: b.bbox[1]):
        if bottom is not None and line.bbox[1] < bottom - 0.3 * _height(line.bbox):
            rows[-1].append(line)
            bottom = max(bottom, line.bbox[3])
        else:
            rows.append([line])
            bottom = line.bbox[3]
    return rows


def _free_intervals(row: list[Block], x0: float, x1: float) -> list[tuple[float, float]]:
    free, cursor = [], x0
    for line in sorted(row, key=lambda b: b.bbox[0]):
        if line.bbox[0] > cursor:
            free.append((cursor, line.bbox[0]))
        cursor = max(cursor, line.bbox[2])
    if cursor < x1:
        free.append((cursor, x1))
    return free


def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]], min_width: float):
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if hi - lo >= min_width:
                out.append((lo, hi))
    return out


def reading_order(lines: Sequence[Block]) -> list[Block]:
    if len(lines) <= 1:
        return list(lines)
    x0 = min(b.bbox[0] for b in lines)
    x1 = max(b.bbox[2] for b in lines)
    min_gutter = max(statistics.median(_height(b.bbox) for b in lines), 0.01 * (x1 - x0))

    def interior(intervals):
        return [g for g in intervals if g[0] > x0 and g[1] < x1]

    # A band is a run of rows that all leave the same vertical gutter free.
    bands: list[tuple[list[list[Block]], list[tuple[float, float]]]] = []
    for row in _split_rows(list(lines)):
        free = [g for g in _free_intervals(row, x0, x1) if g[1] - g[0] >= min_gutter]
        if bands:
            shared = _intersect(bands[-1][1], free, min_gutter)
            if interior(shared):
                bands[-1][0].append(row)
                bands[-1] = (bands[-1][0], shared)
                continue
        bands.append(([row], free))

    ordered: list[Block] = []
    for rows, free in bands:
        gutters = interior(free)
        if len(rows) < 2 or not gutters:
            for row in rows:
                ordered.extend(sorted(row, key=lambda b: b.bbox[0]))
            continue
        edges = [x0] + [g[0] for g in sorted(gutters)] + [x1 + 1]
        members = [line for row in rows for line in row]
        for left, right in zip(edges, edges[1:], strict=False):
            column = [b for b in members if left <= (b.bbox[0] + b.bbox[2]) / 2 < right]
            ordered.extend(reading_order(column) if len(column) < len(members) else
                           sorted(column, key=lambda b: (b.bbox[1], b.bbox[0])))
    return ordered


def layout_page(pieces: Sequence[Block]) -> tuple[str, list[Block]]:
    """Pieces -> (page text, line blocks in reading order); one block per text line."""
    lines = reading_order(group_lines([p for p in pieces if p.text.strip()]))
    return "\n".join(line.text for line in lines), lines
