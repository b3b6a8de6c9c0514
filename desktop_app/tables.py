"""Tables in OCR output (DeepSeek-OCR writes lab-report tables as HTML) → a table model → CSV / XLSX.

Cell text is kept exactly as recognised (whitespace collapsed only): lab values keep their units and
reference ranges, numbers stay text ("12.10" is not turned into 12.1). Merged cells (rowspan /
colspan) keep their text in the top-left cell; CSV leaves the covered cells empty, XLSX merges them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from desktop_app import errors

_SPACE = re.compile(r"\s+")
MAX_SPAN = 100  # a damaged rowspan="99999" must not allocate a huge grid


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


@dataclass
class Table:
    cells: list[Cell] = field(default_factory=list)
    page: int | None = None  # 0-based page index
    index: int = 0  # the table's number on its page

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    def grid(self) -> list[list[str]]:
        """Rows of cell texts; a merged cell's text in its top-left position, '' where it spans."""
        rows = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for cell in self.cells:
            rows[cell.row][cell.col] = cell.text
        return rows

    def header_rows(self) -> int:
        """How many leading rows are header rows (all of their cells are <th> or inside <thead>)."""
        count = 0
        for r in range(self.n_rows):
            row_cells = [c for c in self.cells if c.row == r]
            if row_cells and all(c.header for c in row_cells):
                count += 1
            else:
                break
        return count


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._stack: list[dict] = []  # nested tables: each {table, row, occupied, in_head}
        self._cell: dict | None = None

    def _span(self, attrs: list[tuple[str, str | None]], name: str) -> int:
        value = dict(attrs).get(name) or "1"
        try:
            return min(max(int(value.strip()), 1), MAX_SPAN)
        except ValueError:
            return 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._stack.append({"table": Table(), "row": -1, "occupied": set(), "in_head": False})
            return
        if not self._stack:
            return
        state = self._stack[-1]
        if tag == "thead":
            state["in_head"] = True
        elif tag in ("tbody", "tfoot"):
            state["in_head"] = False
        elif tag == "tr":
            self._close_cell()
            state["row"] += 1
        elif tag in ("td", "th"):
            self._close_cell()
            if state["row"] < 0:  # a cell before any <tr>
                state["row"] = 0
            row, col = state["row"], 0
            while (row, col) in state["occupied"]:
                col += 1
            rowspan, colspan = self._span(attrs, "rowspan"), self._span(attrs, "colspan")
            for r in range(row, row + rowspan):
                for c in range(col, col + colspan):
                    state["occupied"].add((r, c))
            self._cell = {
                "parts": [],
                "cell": Cell("", row, col, rowspan, colspan, tag == "th" or state["in_head"]),
            }
        elif tag == "br" and self._cell is not None:
            self._cell["parts"].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "tr"):
            self._close_cell()
        elif tag == "thead" and self._stack:
            self._stack[-1]["in_head"] = False
        elif tag == "table" and self._stack:
            self._close_cell()
            self.tables.append(self._stack.pop()["table"])

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["parts"].append(data)

    def _close_cell(self) -> None:
        if self._cell is not None and self._stack:
            cell = self._cell["cell"]
            cell.text = _SPACE.sub(" ", "".join(self._cell["parts"])).strip()
            self._stack[-1]["table"].cells.append(cell)
        self._cell = None

    def close(self) -> None:
        super().close()
        while self._stack:  # an unterminated table at the end of the output is still a table
            self._close_cell()
            self.tables.append(self._stack.pop()["table"])


def parse_html_tables(text: str, page: int | None = None) -> list[Table]:
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    tables = [t for t in parser.tables if t.cells]
    for i, table in enumerate(tables):
        table.page, table.index = page, i
    return tables


def document_tables(pages) -> list[Table]:
    """Every table in a document's pages (PageResult-like objects with `index` and `text`)."""
    out = []
    for page in pages:
        if getattr(page, "status", "ok") == "ok" and "<t" in (page.text or ""):
            out.extend(parse_html_tables(page.text, page.index))
    return out


def table_name(table: Table) -> str:
    page = f"p{table.page + 1}_" if table.page is not None else ""
    return f"{page}table{table.index + 1}"


def write_csv(table: Table, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # BOM: Excel opens Chinese text right
        csv.writer(handle).writerows(table.grid())
    return path


def write_xlsx(tables: list[Table], path: Path) -> Path:
    """One sheet per table; merged cells merged; header rows bold; every value stored as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table_name(table)[:31])
        header_rows = table.header_rows()
        for cell in table.cells:
            target = sheet.cell(row=cell.row + 1, column=cell.col + 1, value=cell.text)
            target.data_type = "s"  # keep "12.10", "<0.5", "4.0-10.0" exactly as recognised
            if cell.row < header_rows:
                target.font = Font(bold=True)
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=cell.row + 1,
                    start_column=cell.col + 1,
                    end_row=cell.row + cell.rowspan,
                    end_column=cell.col + cell.colspan,
                )
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def export_tables(tables: list[Table], out_dir: Path, stem: str) -> list[Path]:
    """`<stem>_<table>.csv` per table and one `<stem>.xlsx` with them all; nothing when there are none."""
    if not tables:
        return []
    try:
        written = [write_csv(t, out_dir / f"{stem}_{table_name(t)}.csv") for t in tables]
        written.append(write_xlsx(tables, out_dir / f"{stem}.xlsx"))
    except OSError as exc:
        raise errors.OutputWriteError(path=str(out_dir), detail=type(exc).__name__) from None
    return written
