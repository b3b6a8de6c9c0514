"""Lab tables rebuilt from the boxes of one page: header row → column bands, baselines → rows.

Works on what any OCR engine gives: text pieces with boxes in page pixels, cells apart from each other
(the embedded engine joins pieces only across small gaps, so table cells stay separate). A table
starts at a header row that names at least the test and result columns (zh or en) and runs while rows
hold a result; test names wrapped over two lines are joined, two result blocks printed side by side
(the header repeated) are read as two tables, and a page photographed a little crooked is read in
the frame of its header line.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from desktop_app.labs.cells import is_flag, normalize, parse_range, parse_value
from desktop_app.models import Block

ROLES = ("test", "code", "value", "flag", "unit", "range")
# Header words by column role; compared after lower-casing and dropping spaces, dots and colons.
HEADER_WORDS = {
    "test": {"test", "tests", "testname", "analyte", "item", "items", "name", "component", "examination",
             "项目", "项目名称", "检验项目", "检测项目", "检查项目", "名称", "中文名称"},
    "code": {"code", "abbr", "abbreviation", "代号", "缩写", "英文缩写", "代码", "英文名称"},
    "value": {"result", "results", "value", "resultvalue", "结果", "检验结果", "检测结果", "测定值", "结果值"},
    "flag": {"flag", "flags", "h/l", "abnormal", "提示", "标志", "标记", "异常提示", "状态"},
    "unit": {"unit", "units", "单位"},
    "range": {"referencerange", "reference", "refrange", "ref", "reference interval", "referenceinterval",
              "normalrange", "range", "biologicalreferenceinterval", "参考范围", "参考值", "参考区间",
              "参考值范围", "正常值", "正常范围"},
}
CODE = re.compile(r"^[A-Z][A-Z0-9%#-]{1,7}$")  # a test's short code: "APTT", "NEUT%", "HDL-C"
ROW_TOLERANCE = 0.55  # share of the median text height two pieces' centres may differ by to share a row
CONTINUATION_GAP = 1.6  # a wrapped test name's second line sits at most this many row pitches below


def _header_key(text: str) -> str:
    return re.sub(r"[\s.:：()（）]", "", normalize(text).lower())


def header_role(text: str) -> str | None:
    key = _header_key(text)
    return next((role for role, words in HEADER_WORDS.items() if key in words), None)


def header_roles(text: str) -> list[tuple[str, int, int]]:
    """The column names in one piece of a header row, with their character spans (in the piece's text
    without spaces): OCR often joins two close headers ("Result Units", "提示单位") and now and then adds
    a stray letter ("Result t Units"), which is skipped. [] if any longer part is no header word."""
    whole = header_role(text)  # "Reference Range", "Ref. Range": one header of several words
    if whole:
        return [(whole, 0, len(_header_key(text)))]
    words = sorted({w for ws in HEADER_WORDS.values() for w in ws}, key=len, reverse=True)
    out: list[tuple[str | None, int, int]] = []
    at = 0
    for token in normalize(text).split(" "):
        key = _header_key(token)
        if len(key) <= 1 and not re.match(r"[\u4e00-\u9fff]", key):
            at += len(key)
            continue
        start = at
        while at - start < len(key):
            word = next((w for w in words if key.startswith(w, at - start)), None)
            if word is None:
                return []
            out.append((header_role(word), at, at + len(word)))
            at += len(word)
    merged: list[tuple[str, int, int]] = []
    for role, a, b in out:  # "Reference" + "Range" of one header
        if merged and merged[-1][0] == role:
            merged[-1] = (role, merged[-1][1], b)
        elif role:
            merged.append((role, a, b))
    return merged


@dataclass
class Piece:
    block: Block
    index: int  # position in the page's block list
    y: float  # centre y in the de-skewed frame

    @property
    def x0(self) -> float:
        return self.block.bbox[0]

    @property
    def x1(self) -> float:
        return self.block.bbox[2]

    @property
    def height(self) -> float:
        return max(self.block.bbox[3] - self.block.bbox[1], 1.0)


@dataclass
class TableRow:
    """One result row: the cell text per role and the page blocks it was read from."""

    cells: dict[str, str] = field(default_factory=dict)
    blocks: list[int] = field(default_factory=list)  # indexes into the page's blocks
    role_blocks: dict[str, list[int]] = field(default_factory=dict)  # the blocks of each cell (for OCR doubt)


def _slope(pieces: list[Piece]) -> float:
    """The text lines' slope (dy/dx) from header rows: their cells sit on one printed baseline."""
    if len(pieces) < 2:
        return 0.0
    left, right = min(pieces, key=lambda p: p.x0), max(pieces, key=lambda p: p.x0)
    if right.x0 - left.x0 < 1:
        return 0.0
    return ((right.block.bbox[1] + right.block.bbox[3]) - (left.block.bbox[1] + left.block.bbox[3])) / 2 / (
        right.x0 - left.x0)


def _rows(pieces: list[Piece], tolerance: float) -> list[list[Piece]]:
    rows: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.y):
        if rows and abs(piece.y - statistics.fmean(p.y for p in rows[-1])) <= tolerance:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return [sorted(row, key=lambda p: p.x0) for row in rows]


def _deskewed(blocks: list[Block], slope: float) -> list[Piece]:
    return [Piece(b, i, (b.bbox[1] + b.bbox[3]) / 2 - slope * (b.bbox[0] + b.bbox[2]) / 2)
            for i, b in enumerate(blocks) if b.text.strip()]


@dataclass(frozen=True)
class HeaderCell:
    role: str
    x0: float
    x1: float
    height: float


def header_cells(row: list[Piece]) -> list[HeaderCell]:
    """The column headers of a row (a joined piece split by its characters' share of the box)."""
    cells = []
    for piece in row:
        roles = header_roles(piece.block.text)
        size = max(roles[-1][2], 1) if roles else 1
        for role, start, end in roles:
            width = piece.x1 - piece.x0
            cells.append(HeaderCell(role, piece.x0 + width * start / size, piece.x0 + width * end / size,
                                    piece.height))
    return cells


def is_header_row(row: list[Piece]) -> bool:
    roles = [cell.role for cell in header_cells(row)]
    return {"test", "value"} <= set(roles) and len(roles) >= 3


def _find_slope(blocks: list[Block], height: float) -> float:
    """Slope of the page's header rows (median over them); 0 when there is none."""
    pieces = _deskewed(blocks, 0.0)
    slopes = []
    # A tilted header row still fits a generous tolerance; its cells are then measured exactly.
    for row in _rows(pieces, tolerance=1.5 * height):
        if is_header_row(row):
            slopes.append(_slope([p for p in row if header_roles(p.block.text)]))
    return statistics.median(slopes) if slopes else 0.0


@dataclass
class Segment:
    """The columns of one table block: (role, left boundary) in x order, up to `right`."""

    columns: list[tuple[str, float]]
    right: float

    def role_at(self, x: float) -> str | None:
        role = None
        for name, left in self.columns:
            if x >= left:
                role = name
        return role if x < self.right else None


def _segments(header: list[Piece], page_right: float) -> list[Segment]:
    """Column bands of a header row; a repeated test column starts a second block side by side."""
    named = header_cells(header)
    starts = [i for i, cell in enumerate(named) if cell.role == "test"] or [0]
    segments = []
    for k, first in enumerate(starts):
        last = starts[k + 1] if k + 1 < len(starts) else len(named)
        cols = named[first:last]
        columns = []
        for j, cell in enumerate(cols):
            # The boundary sits halfway through the gap before this header (values may start a little
            # left of their header when centred under it); the first column starts a little before it.
            left = cell.x0 - 0.5 * cell.height if j == 0 else (cols[j - 1].x1 + cell.x0) / 2
            columns.append((cell.role, left))
        right = named[last].x0 - 0.5 * named[last].height if last < len(named) else page_right
        segments.append(Segment(columns, right))
    return segments


def _split_spill(text: str, roles: list[str]) -> dict[str, str]:
    """A piece that runs over several columns ("5.9 H", "mmol/L 3.5-5.3"): its last words go to the
    columns on its right when they fit them (a range, a flag, a unit), the rest to its first column."""
    words = text.split()
    out: dict[str, str] = {}
    for role in reversed(roles[1:]):
        if len(words) < 2:
            break
        if role == "range":
            for n in (3, 1):  # "3.5 - 5.3" may come as three words
                if len(words) > n and parse_range(" ".join(words[-n:])):
                    out[role] = " ".join(words[-n:])
                    del words[-n:]
                    break
        elif (role == "flag" and is_flag(words[-1])) or (
                role == "unit" and parse_value(words[-1]) is None and not is_flag(words[-1])):
            out[role] = words.pop()
    out[roles[0]] = " ".join(words)
    return out


def _row_cells(row: list[Piece], segment: Segment) -> tuple[dict[str, str], list[int], dict[str, list[int]]]:
    """Cells of one row within a segment: {role: text}, the block indexes used, {role: block indexes}."""
    cells: dict[str, list[str]] = {}
    used: list[int] = []
    role_blocks: dict[str, list[int]] = {}
    for piece in row:
        start = segment.role_at(piece.x0 + 1)
        if start is None:
            continue
        spanned = [role for role, left in segment.columns if piece.x0 + 1 <= left < piece.x1 - 1 and role != start]
        parts = {start: piece.block.text}
        if start == "test" and spanned:
            # Test names run long, over the code column: still a name, unless OCR joined the code to it.
            words = piece.block.text.split()
            if "code" in spanned and len(words) > 1 and CODE.match(words[-1]):
                parts = {"test": " ".join(words[:-1]), "code": words[-1]}
            elif "value" in spanned and len(words) > 1 and parse_value(words[-1]):
                parts = {"test": " ".join(words[:-1]), "value": words[-1]}  # OCR joined name and value
        elif spanned:
            parts = _split_spill(piece.block.text, [start, *spanned])
        for role, text in parts.items():
            if text:
                cells.setdefault(role, []).append(text)
                role_blocks.setdefault(role, []).append(piece.index)
        used.append(piece.index)
    return {role: normalize(" ".join(texts)) for role, texts in cells.items()}, used, role_blocks


def read_tables(blocks: list[Block]) -> list[TableRow]:
    """Every result row of every lab table on a page, in printed order (block by block)."""
    texts = [b for b in blocks if b.text.strip()]
    if not texts:
        return []
    height = statistics.median(b.bbox[3] - b.bbox[1] for b in texts)
    slope = _find_slope(blocks, height)
    rows = _rows(_deskewed(blocks, slope), tolerance=ROW_TOLERANCE * height)
    page_right = max(b.bbox[2] for b in blocks) + 1
    results: list[TableRow] = []
    i = 0
    while i < len(rows):
        header = rows[i]
        if not is_header_row(header):
            i += 1
            continue
        segments = _segments(header, page_right)
        per_segment: list[list[TableRow]] = [[] for _ in segments]
        last_y: list[float | None] = [None] * len(segments)
        pitch = 1.5 * height
        j = i + 1
        while j < len(rows):
            row = rows[j]
            if is_header_row(row):
                break  # the next table's header
            row_y = statistics.fmean(p.y for p in row)
            took_any = False
            for s, segment in enumerate(segments):
                cells, used, role_blocks = _row_cells(row, segment)
                if not used:
                    continue
                value = parse_value(cells.get("value", ""))
                if value is not None and (cells.get("test") or cells.get("code")):
                    if last_y[s] is not None:
                        pitch = min(pitch, row_y - last_y[s]) if row_y - last_y[s] > 0.5 * height else pitch
                    per_segment[s].append(TableRow(cells, used, role_blocks))
                    last_y[s] = row_y
                    took_any = True
                elif (set(cells) == {"test"} and per_segment[s] and last_y[s] is not None
                      and row_y - last_y[s] <= CONTINUATION_GAP * pitch):
                    previous = per_segment[s][-1]  # a wrapped test name: its second line
                    previous.cells["test"] = _join_name(previous.cells["test"], cells["test"])
                    previous.blocks.extend(used)
                    last_y[s] = row_y
                    took_any = True
            if not took_any:
                break  # a row that is not part of the table ends it
            j += 1
        for segment_rows in per_segment:
            results.extend(segment_rows)
        i = j
    return results


def _join_name(first: str, second: str) -> str:
    if re.search(r"[\u4e00-\u9fff]$", first) and re.match(r"[\u4e00-\u9fff]", second):
        return first + second
    return f"{first} {second}"
