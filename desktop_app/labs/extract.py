"""A document's lab results: every results table on every page, as `LabResult` rows with evidence.

Tables come from the page boxes (any OCR engine, `labs.table`) or, when a model OCR engine wrote the
table as HTML, from its cells (`tables.parse_html_tables`). Rows are restated as printed; the only
thing computed is whether a printed value lies outside its printed range, and only when no flag is
printed. Abnormal rows come first, then the rest in printed order.
"""

from __future__ import annotations

import re

from desktop_app.evidence import DocumentText
from desktop_app.labs.cells import flag_direction, is_flag, normalize, outside_range, parse_range, parse_value
from desktop_app.labs.table import TableRow, header_role, read_tables
from desktop_app.models import Evidence, LabResult, PageResult, SummaryWarning
from desktop_app.tables import Cell, Table, parse_html_tables

# A character no unit is written with ("10~9/L" is a misread "10^9/L"): the unit is shown as doubtful.
ODD_UNIT = re.compile(r"[^\w\s/^%µμ.*×·()#+-]")
# Below this line confidence a value is shown as doubtful even when it parses as a clean number.
DOUBT_CONFIDENCE = 0.9

MESSAGES = {
    "en": "Lab value \"{value}\" ({test}, page {page}) may be misread: check it on the page.",
    "zh": "检验结果“{value}”（{test}，第 {page} 页）可能识别有误，请对照原件核对。",
}


def _result(cells: dict[str, str]) -> LabResult | None:
    value = parse_value(cells.get("value", ""))
    test = cells.get("test") or cells.get("code") or ""
    if value is None or not test:
        return None
    flag = normalize(cells.get("flag", "")) or value.flag
    # A mark in the flag column that is no known flag (OCR read "↓" as "←"): a flag IS printed, so the
    # row is abnormal as printed, and the mark is kept as read and shown as doubtful.
    unreadable_flag = bool(flag) and not is_flag(flag)
    reference = normalize(cells.get("range", ""))
    unit = normalize(cells.get("unit", ""))
    row = LabResult(test=normalize(test), value=value.value, unit=unit, reference_range=reference, flag=flag,
                    doubtful=value.doubtful or unreadable_flag or bool(ODD_UNIT.search(unit)))
    if flag_direction(flag) or unreadable_flag:
        row.abnormal, row.abnormal_basis = True, "printed_flag"
    elif outside_range(value, parse_range(reference)):
        row.abnormal, row.abnormal_basis = True, "printed_range"
    return row


# The cells whose misreading changes what the row says. A slip in the test name shows in the name itself;
# a printed flag is checked by its form (an unknown mark is doubtful, see `_result`), not its score:
# arrows score low even when read right.
CHECKED_ROLES = ("value", "unit", "range")


def _doubted(page: PageResult, row: TableRow) -> bool:
    for index in (i for role in CHECKED_ROLES for i in row.role_blocks.get(role, [])):
        block = page.blocks[index]
        if block.doubts or (block.confidence is not None and block.confidence < DOUBT_CONFIDENCE):
            return True
    return False


def _from_boxes(page: PageResult, text: DocumentText) -> list[tuple[LabResult, tuple[int, int] | None]]:
    out = []
    for row in read_tables(page.blocks):
        result = _result(row.cells)
        if result is None:
            continue
        result.doubtful = result.doubtful or _doubted(page, row)
        # The value's box first: the page view zooms to the first box of a row's evidence.
        values = row.role_blocks.get("value", [])
        for index in values + [i for i in row.blocks if i not in values]:
            start, end = text.block_offsets.get((page.index, index), (0, 0))
            result.evidence.append(Evidence(start=start, end=end, page=page.index, boxes=[page.blocks[index].bbox]))
        value_span = next((text.block_offsets[(page.index, i)] for i in row.role_blocks.get("value", [])
                           if (page.index, i) in text.block_offsets), None)
        out.append((result, value_span))
    return out


def _from_html(page: PageResult) -> list[tuple[LabResult, tuple[int, int] | None]]:
    """Model OCR output: HTML tables whose header row names the test and result columns."""
    out = []
    for table in parse_html_tables(page.text, page=page.index):
        grid = table.grid()
        header = next((h for h, line in enumerate(grid) if {"test", "value"} <= {header_role(c) for c in line}), None)
        if header is None:
            continue
        roles = [header_role(cell) for cell in grid[header]]
        for line in grid[header + 1:]:
            cells: dict[str, str] = {}
            for role, cell in zip(roles, line, strict=False):
                if role and cell and role not in cells:
                    cells[role] = cell
            result = _result(cells)
            if result is not None:
                boxes = [b.bbox for b in page.blocks if "<table" in b.text or result.value in b.text]
                result.evidence.append(Evidence(start=0, end=0, page=page.index, boxes=boxes[:1]))
                out.append((result, None))
    return out


def extract_results(pages: list[PageResult], text: DocumentText, language: str = "en"
                    ) -> tuple[list[LabResult], list[SummaryWarning]]:
    """All lab results of a document (abnormal first) and an `ocr_doubt` warning per doubtful value."""
    found: list[tuple[LabResult, tuple[int, int] | None]] = []
    for page in pages:
        if page.status != "ok":
            continue
        rows = _from_boxes(page, text)
        if not rows and "<table" in page.text.lower():
            rows = _from_html(page)
        found.extend(rows)
    warnings = []
    message = MESSAGES["zh" if language.startswith("zh") else "en"]
    for result, span in found:
        if result.doubtful:
            page = result.evidence[0].page if result.evidence else 0
            warnings.append(SummaryWarning(
                "ocr_doubt", message.format(value=result.value, test=result.test, page=(page or 0) + 1),
                field="results", start=span[0] if span else None, end=span[1] if span else None))
    results = [r for r, _ in found]
    return sorted(results, key=lambda r: not r.abnormal), warnings


OUTSIDE_RANGE = {"en": "outside printed range", "zh": "超出参考范围"}


def result_line(result: LabResult, language: str = "en") -> str:
    """"Potassium 5.9 mmol/L (3.5-5.3) H" — the copyable one-line form of a result."""
    parts = [result.test, result.value]
    if result.unit:
        parts.append(result.unit)
    if result.reference_range:
        parts.append(f"({result.reference_range})")
    if result.flag:
        parts.append(result.flag)
    elif result.abnormal_basis == "printed_range":
        parts.append(f"[{OUTSIDE_RANGE['zh' if language.startswith('zh') else 'en']}]")
    return " ".join(parts)


TSV_HEADER = {"en": ("Test", "Value", "Unit", "Reference range", "Flag"),
              "zh": ("项目", "结果", "单位", "参考范围", "提示")}


def results_tsv(results: list[LabResult], language: str = "en") -> str:
    """Tab-separated rows (with a header row) that paste into a spreadsheet or an EMR grid."""
    key = "zh" if language.startswith("zh") else "en"
    lines = ["\t".join(TSV_HEADER[key])]
    for r in results:
        flag = r.flag or (OUTSIDE_RANGE[key] if r.abnormal_basis == "printed_range" else "")
        cells = (r.test, r.value, r.unit, r.reference_range, flag)
        lines.append("\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells))
    return "\n".join(lines)


def results_table(results: list[LabResult], language: str = "en") -> Table:
    """The results as a table for the CSV/XLSX export (`summarize --tables`): the same cells as the
    tab-separated copy, header row first."""
    rows = [line.split("\t") for line in results_tsv(results, language).splitlines()]
    cells = [Cell(text, r, c, header=r == 0) for r, row in enumerate(rows) for c, text in enumerate(row)]
    return Table(cells=cells, index=0, page=None)
