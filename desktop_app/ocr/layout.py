"""Turn an engine's scattered text boxes into lines in reading order.

Detections on one baseline become one line (joined with a space unless both sides are CJK).
Skewed captures: when the engine gives each piece's quadrilateral, the page's dominant text angle
is estimated from the quadrilaterals and lines are grouped and ordered in the de-rotated frame
(each piece keeps its own width and height there, so mild perspective does not merge neighbouring
lines). Reading order handles columns: rows of lines that share a vertical gutter form a band, and
a band is read column by column, so a two-column page is not read straight across. The boxes
returned are always in the original page pixels.
"""

from __future__ import annotations

import math
import statistics
import unicodedata
from collections.abc import Sequence

from desktop_app.models import BBox, Block

ROW_TOLERANCE = 0.5  # two boxes are on one line when their centres differ by less than this × height
LINE_JOIN_GAP = 1.5  # max horizontal gap, in line heights, between two pieces of one line
MIN_COLUMN_CHARS = 20  # median characters per line of a column of running text (cells are shorter)
MAX_SKEW_DEG = 15.0  # pieces tilted more than this from the page's angle do not vote for it

Point = tuple[float, float]
Quad = Sequence[Point]  # 4 corners: top-left, top-right, bottom-right, bottom-left of the text


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


def _union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


# --- skew ----------------------------------------------------------------------------------

def _edge_angle(quad: Quad) -> float:
    """Angle of a piece's baseline direction in degrees (image y points down)."""
    (x0, y0), (x1, y1) = quad[0], quad[1]
    (x3, y3), (x2, y2) = quad[3], quad[2]
    dx, dy = (x1 - x0) + (x2 - x3), (y1 - y0) + (y2 - y3)
    return math.degrees(math.atan2(dy, dx))


def _side_lengths(quad: Quad) -> tuple[float, float]:
    def dist(a: Point, b: Point) -> float:
        return math.hypot(a[0] - b[0], a[1] - b[1])

    width = (dist(quad[0], quad[1]) + dist(quad[3], quad[2])) / 2
    height = (dist(quad[0], quad[3]) + dist(quad[1], quad[2])) / 2
    return width, height


def dominant_angle(quads: Sequence[Quad]) -> float:
    """The page's text angle in degrees, from the pieces long enough to show it (median, so a
    stamp or a rotated margin note does not tilt the page)."""
    votes = []
    for quad in quads:
        width, height = _side_lengths(quad)
        angle = _edge_angle(quad)
        if width >= 2 * height and abs(angle) <= MAX_SKEW_DEG:
            votes.append(angle)
    return statistics.median(votes) if votes else 0.0


def _frame_box(quad: Quad, cos_a: float, sin_a: float) -> BBox:
    """The piece as an upright box in the page frame rotated by -angle, around its own centre."""
    cx = sum(p[0] for p in quad) / 4
    cy = sum(p[1] for p in quad) / 4
    fx, fy = cx * cos_a + cy * sin_a, -cx * sin_a + cy * cos_a
    width, height = _side_lengths(quad)
    return (fx - width / 2, fy - height / 2, fx + width / 2, fy + height / 2)


def _bounds(quad: Quad) -> BBox:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return (float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))


# --- lines ---------------------------------------------------------------------------------

def _centre_y(b: BBox) -> float:
    return (b[1] + b[3]) / 2


def _same_row(a: BBox, b: BBox) -> bool:
    """Centres within half the smaller height. Detector boxes are padded, so on tightly spaced
    text the boxes of neighbouring lines overlap; their centres still stand a line apart."""
    return abs(_centre_y(a) - _centre_y(b)) < ROW_TOLERANCE * min(_height(a), _height(b))


def _group(pieces: Sequence[Block]) -> list[list[int]]:
    """Indices of pieces that sit on one baseline, close together, left to right."""
    lines: list[list[int]] = []
    order = sorted(range(len(pieces)), key=lambda i: (pieces[i].bbox[0], pieces[i].bbox[1]))
    for i in order:
        box = pieces[i].bbox
        best = None
        for line in lines:
            last = pieces[line[-1]].bbox
            gap = box[0] - last[2]
            if _same_row(last, box) and -0.5 * _height(last) <= gap <= LINE_JOIN_GAP * _height(last):
                best = line
                break
        if best is None:
            lines.append([i])
        else:
            best.append(i)
    return lines


def _merge(members: Sequence[Block], bbox: BBox) -> Block:
    """One line from its pieces: texts joined, doubt spans shifted, weakest confidence kept."""
    text, doubts, confidences = "", [], []
    for piece in members:
        joined = join_pieces(text, piece.text)
        shift = len(joined) - len(piece.text)
        doubts.extend((start + shift, end + shift) for start, end in piece.doubts)
        text = joined
        if piece.confidence is not None:
            confidences.append(piece.confidence)
    return Block(text=text, bbox=bbox, confidence=min(confidences) if confidences else None, doubts=doubts)


def group_lines(pieces: Sequence[Block]) -> list[Block]:
    """Merge pieces that sit on the same baseline and close together into lines."""
    lines = []
    for members in _group(pieces):
        box = pieces[members[0]].bbox
        for i in members[1:]:
            box = _union(box, pieces[i].bbox)
        lines.append(_merge([pieces[i] for i in members], box))
    return lines


# --- reading order -------------------------------------------------------------------------

def _split_rows(lines: list[Block]) -> list[list[Block]]:
    """Rows of lines whose centres stand on one level, top to bottom."""
    rows: list[list[Block]] = []
    for line in sorted(lines, key=lambda b: _centre_y(b.bbox)):
        if rows and any(_same_row(other.bbox, line.bbox) for other in rows[-1]):
            rows[-1].append(line)
        else:
            rows.append([line])
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
        members = [line for row in rows for line in row]
        columns = []
        if len(rows) >= 2 and gutters:
            edges = [x0] + [g[0] for g in sorted(gutters)] + [x1 + 1]
            columns = [[b for b in members if left <= (b.bbox[0] + b.bbox[2]) / 2 < right]
                       for left, right in zip(edges, edges[1:], strict=False)]
        if not _prose_columns(columns):
            # A form or a table: its label/value pairs and cells are read row by row.
            for row in rows:
                ordered.extend(sorted(row, key=lambda b: b.bbox[0]))
            continue
        for column in columns:
            ordered.extend(reading_order(column) if len(column) < len(members) else
                           sorted(column, key=lambda b: (b.bbox[1], b.bbox[0])))
    return ordered


def _prose_columns(columns: list[list[Block]]) -> bool:
    """Columns of running text (read one after the other): every column that holds more than a
    label has lines of prose length. Short cells side by side are a form or a table."""
    texts = [[b.text for b in column] for column in columns if column]
    if len(texts) < 2:
        return False
    running = [t for t in texts if len(t) >= 2]
    return bool(running) and all(statistics.median(len(line) for line in t) >= MIN_COLUMN_CHARS for t in running)


def layout_page(pieces: Sequence[Block], quads: Sequence[Quad] | None = None) -> tuple[str, list[Block]]:
    """Pieces -> (page text, line blocks in reading order); one block per text line.

    `quads`, when given, are the pieces' quadrilaterals (same order as `pieces`, page pixels):
    lines are then found in the page's de-skewed frame. Returned boxes are in page pixels.
    """
    keep = [i for i, p in enumerate(pieces) if p.text.strip()]
    pieces = [pieces[i] for i in keep]
    if quads is None:
        lines = reading_order(group_lines(pieces))
        return "\n".join(line.text for line in lines), lines
    quads = [quads[i] for i in keep]
    angle = math.radians(dominant_angle(quads))
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    framed = [Block(p.text, _frame_box(q, cos_a, sin_a), p.confidence, p.doubts) for p, q in zip(pieces, quads,
                                                                                                     strict=True)]
    # Lines are built and ordered in the de-skewed frame; each remembers its page box.
    page_box: dict[int, BBox] = {}
    frame_lines = []
    for members in _group(framed):
        frame_box, box = framed[members[0]].bbox, _bounds(quads[members[0]])
        for i in members[1:]:
            frame_box, box = _union(frame_box, framed[i].bbox), _union(box, _bounds(quads[i]))
        line = _merge([framed[i] for i in members], frame_box)
        page_box[id(line)] = box
        frame_lines.append(line)
    lines = [Block(line.text, page_box[id(line)], line.confidence, line.doubts)
             for line in reading_order(frame_lines)]
    return "\n".join(line.text for line in lines), lines
