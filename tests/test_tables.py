"""HTML tables from OCR output → table model → CSV / XLSX."""

from __future__ import annotations

import csv

import pytest

from desktop_app.models import PageResult
from desktop_app.tables import document_tables, export_tables, parse_html_tables

LAB = (
    "# 血常规\n\n"
    '<table><thead><tr><th rowspan="2">项目</th><th colspan="2">结果</th>'
    '<th rowspan="2">参考范围</th></tr>'
    "<tr><th>数值</th><th>单位</th></tr></thead>"
    "<tbody><tr><td>WBC</td><td>12.10</td><td>10^9/L</td><td>4.0-10.0</td></tr>"
    "<tr><td>CRP</td><td>&lt;0.5</td><td>mg/L</td><td>0 - 5</td></tr></tbody></table>\n"
    "text after"
)


def test_multi_row_header_and_merged_cells():
    (table,) = parse_html_tables(LAB, page=0)
    assert (table.n_rows, table.n_cols) == (4, 4)
    assert table.header_rows() == 2
    assert table.grid() == [
        ["项目", "结果", "", "参考范围"],
        ["", "数值", "单位", ""],
        ["WBC", "12.10", "10^9/L", "4.0-10.0"],
        ["CRP", "<0.5", "mg/L", "0 - 5"],
    ]


def test_damaged_html_still_gives_a_table():
    (table,) = parse_html_tables("<table><tr><td>A<td rowspan=x>B</tr><tr><td>C", page=None)
    assert table.grid() == [["A", "B"], ["C", ""]]
    assert parse_html_tables("no table here") == []


def test_csv_and_xlsx_keep_values_exactly(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    pages = [PageResult(index=1, engine="deepseek-ocr2", text=LAB)]
    written = export_tables(document_tables(pages), tmp_path, "lab")
    names = sorted(p.name for p in written)
    assert names == ["lab.xlsx", "lab_p2_table1.csv"]
    with open(tmp_path / "lab_p2_table1.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[2] == ["WBC", "12.10", "10^9/L", "4.0-10.0"]
    sheet = openpyxl.load_workbook(tmp_path / "lab.xlsx")["p2_table1"]
    assert sheet["B3"].value == "12.10" and sheet["B4"].value == "<0.5"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert merged == {"A1:A2", "B1:C1", "D1:D2"}
    assert sheet["A1"].font.bold and not sheet["A3"].font.bold
    assert export_tables([], tmp_path, "none") == []
