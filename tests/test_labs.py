"""Lab reports: results tables restated row by row, with printed flags, ranges and OCR doubt."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks.lab_reports import LAYOUTS, generate
from desktop_app.evidence import DocumentText
from desktop_app.labs.cells import outside_range, parse_range, parse_value
from desktop_app.labs.extract import extract_results, result_line, results_tsv
from desktop_app.models import Block, PageResult


def page_of(cells: list[tuple[str, float, float]], slope: float = 0.0, height: float = 30.0,
            index: int = 0) -> PageResult:
    """A page of OCR pieces from (text, x, y) with a given tilt: what an engine gives for a table."""
    blocks = []
    for text, x, y in cells:
        width = 14.0 * len(text)
        top = y + slope * x
        blocks.append(Block(text=text, bbox=(x, top, x + width, top + height), confidence=0.99))
    text = "\n".join(b.text for b in blocks)
    return PageResult(index=index, engine="test", text=text, blocks=blocks, width=1654, height=2339)


def en_table(slope: float = 0.0) -> PageResult:
    rows = [
        [("Test", 100), ("Result", 700), ("Flag", 860), ("Units", 1000), ("Reference Range", 1200)],
        [("Sodium", 100), ("139.0", 700), ("mmol/L", 1000), ("137.0-147.0", 1200)],
        [("Potassium", 100), ("5.9", 700), ("H", 870), ("mmol/L", 1000), ("3.5-5.3", 1200)],
        [("Mean corpuscular hemoglobin", 100), ("322", 700), ("g/L", 1000), ("316-354", 1200)],
        [("concentration", 100)],
        [("Glucose", 100), ("7.20", 700), ("mmol/L", 1000), ("3.90-6.10", 1200)],
        [("Performed by: lab   Verified by: lab", 100)],
    ]
    y, cells = 300.0, []
    for k, row in enumerate(rows):
        y += 100 if k == len(rows) - 1 else 42
        cells += [(text, x, y) for text, x in row]
    return page_of(cells, slope)


def results_of(page: PageResult, language: str = "en"):
    return extract_results([page], DocumentText([page]), language)


# --- reading one cell ---------------------------------------------------------------------


def test_values_are_kept_as_printed_and_odd_ones_are_doubtful():
    assert parse_value("5.9 H").flag == "H" and parse_value("5.9 H").value == "5.9"
    assert parse_value("↑72").flag == "↑"
    assert parse_value("12.10").value == "12.10"  # never turned into 12.1
    assert parse_value("阴性").number is None and not parse_value("阴性").doubtful
    # An OCR confusion inside a number is kept as read, never corrected, and marked.
    misread = parse_value("8oo")
    assert misread.value == "8oo" and misread.number is None and misread.doubtful
    assert parse_value("2.06←").doubtful  # a misread arrow
    assert parse_value("White blood cell count") is None


def test_outside_range_uses_only_the_printed_range():
    assert outside_range(parse_value("5.9"), parse_range("3.5-5.3")) is True
    assert outside_range(parse_value("5.3"), parse_range("3.5–5.3")) is False
    assert outside_range(parse_value("5.20"), parse_range("<5.20")) is True
    assert outside_range(parse_value("1.10"), parse_range(">1.04")) is False
    assert outside_range(parse_value("阴性"), parse_range("阴性")) is None  # qualitative: never judged
    assert outside_range(parse_value("8oo"), parse_range("100-300")) is None  # a doubtful value: never judged
    assert outside_range(parse_value("5.9"), None) is None


# --- tables from boxes ----------------------------------------------------------------------


@pytest.mark.parametrize("slope", [0.0, 0.04, -0.04])  # up to ±2.3° of tilt
def test_table_rows_from_boxes(slope):
    results, warnings = results_of(en_table(slope))
    by_test = {r.test: r for r in results}
    # GIVEN a 5-column table WHEN read THEN each row is restated as printed, the wrapped name joined,
    # and the footer line is not a result.
    assert set(by_test) == {"Sodium", "Potassium", "Mean corpuscular hemoglobin concentration", "Glucose"}
    potassium = by_test["Potassium"]
    assert (potassium.value, potassium.unit, potassium.reference_range, potassium.flag) == (
        "5.9", "mmol/L", "3.5-5.3", "H")
    assert potassium.abnormal and potassium.abnormal_basis == "printed_flag"
    # No flag printed, but the value lies outside the printed range: said so, from the range alone.
    glucose = by_test["Glucose"]
    assert glucose.flag == "" and glucose.abnormal and glucose.abnormal_basis == "printed_range"
    assert not by_test["Sodium"].abnormal
    # Abnormal rows first, the rest in printed order.
    assert [r.test for r in results] == ["Potassium", "Glucose", "Sodium", "Mean corpuscular hemoglobin concentration"]
    assert warnings == []
    # Each row links to its boxes on its page.
    assert potassium.evidence and all(ev.page == 0 and ev.boxes for ev in potassium.evidence)


def test_side_by_side_blocks_and_joined_headers():
    # GIVEN two result blocks side by side, and OCR that joined two close headers ("Result Units")
    header = [("Test", 100), ("Result Units", 450), ("Ref. Range", 700),
              ("Test", 900), ("Result Units", 1250), ("Ref. Range", 1500)]
    rows = [[("Sodium", 100), ("150.2", 450), ("mmol/L", 560), ("137-147", 700),
             ("Albumin", 900), ("45.1", 1250), ("g/L", 1360), ("40-55", 1500)],
            [("Potassium", 100), ("4.1", 450), ("mmol/L", 560), ("3.5-5.3", 700)]]
    cells = [(t, x, 300) for t, x in header]
    for k, row in enumerate(rows):
        cells += [(t, x, 342 + 42 * k) for t, x in row]
    results, _ = results_of(page_of(cells))
    by_test = {r.test: r for r in results}
    assert set(by_test) == {"Sodium", "Potassium", "Albumin"}
    assert (by_test["Albumin"].value, by_test["Albumin"].unit, by_test["Albumin"].reference_range) == (
        "45.1", "g/L", "40-55")
    assert by_test["Sodium"].abnormal and not by_test["Potassium"].abnormal


def test_a_doubtful_value_is_flagged_never_corrected():
    page = en_table()
    potassium_value = next(i for i, b in enumerate(page.blocks) if b.text == "5.9")
    page.blocks[potassium_value].text = "5.g"  # the OCR read 9 as g
    page.text = "\n".join(b.text for b in page.blocks)
    glucose_value = next(i for i, b in enumerate(page.blocks) if b.text == "7.20")
    page.blocks[glucose_value].confidence = 0.62  # read, but the recogniser was unsure
    text = DocumentText([page])
    results, warnings = extract_results([page], text, "en")
    by_test = {r.test: r for r in results}
    assert by_test["Potassium"].value == "5.g" and by_test["Potassium"].doubtful
    assert by_test["Glucose"].value == "7.20" and by_test["Glucose"].doubtful
    assert not by_test["Sodium"].doubtful
    assert {w.code for w in warnings} == {"ocr_doubt"} and len(warnings) == 2
    flagged = {text.text[w.start:w.end] for w in warnings}
    assert flagged == {"5.g", "7.20"}  # each warning points at the value itself in the document text


def test_no_table_no_results():
    page = page_of([("CHIEF COMPLAINT:", 100, 300), ("Chest pain for two days.", 100, 342),
                    ("Potassium 5.9 was discussed.", 100, 384)])
    assert results_of(page) == ([], [])


def test_model_ocr_html_table():
    html = ("<table><tr><th>项目名称</th><th>结果</th><th>单位</th><th>参考范围</th></tr>"
            "<tr><td>钾</td><td>5.9</td><td>mmol/L</td><td>3.5-5.3</td></tr>"
            "<tr><td>钠</td><td>140</td><td>mmol/L</td><td>137-147</td></tr></table>")
    page = PageResult(index=1, engine="deepseek-ocr2", text=html,
                      blocks=[Block(text=html, bbox=(10, 10, 900, 300))])
    results, _ = results_of(page, "zh")
    assert [(r.test, r.value, r.abnormal) for r in results] == [("钾", "5.9", True), ("钠", "140", False)]
    assert results[0].evidence[0].page == 1


def test_copy_formats():
    results, _ = results_of(en_table())
    lines = [result_line(r) for r in results]
    assert lines[0] == "Potassium 5.9 mmol/L (3.5-5.3) H"
    assert lines[1] == "Glucose 7.20 mmol/L (3.90-6.10) [outside printed range]"
    assert result_line(results[1], "zh").endswith("[超出参考范围]")
    tsv = results_tsv(results).splitlines()
    assert tsv[0] == "Test\tValue\tUnit\tReference range\tFlag"
    assert tsv[1] == "Potassium\t5.9\tmmol/L\t3.5-5.3\tH"
    assert tsv[2].split("\t") == ["Glucose", "7.20", "mmol/L", "3.90-6.10", "outside printed range"]


# --- the real pipeline on rendered reports ----------------------------------------------------------


@pytest.mark.slow
def test_cli_reads_rendered_lab_reports(tmp_path):
    # GIVEN a scanned English report with printed flags and a phone photo of a Chinese one with arrows
    cases = []
    for name, render, seed in (("en-5col", "scanned", 11), ("zh-6col", "photo", 12)):
        layout = next(lay for lay in LAYOUTS if lay.name == name)
        image, truth, _ = generate(seed, layout, render, n_panels=1)
        path = tmp_path / f"{name}.jpg"
        image.save(path, quality=92)
        cases.append((path, truth))
    # WHEN the real CLI summarizes them
    out = subprocess.run([sys.executable, "-m", "desktop_app", "summarize", "--json", "--no-app-settings",
                          *[str(p) for p, _ in cases]], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(answers) == 2
    for answer, (_, truth) in zip(answers, cases, strict=True):
        results = answer["summary"]["results"]
        # THEN every true row is there; a row whose value differs from the page is marked doubtful
        assert len(results) == len(truth)
        found = {r["test"].replace(" ", ""): r for r in results}
        right = 0
        for row in truth:
            got = found.get(row["test"].replace(" ", ""))
            if got is None:
                continue
            if got["value"] == row["value"]:
                right += 1
            else:
                assert got["doubtful"], (got, row)
            assert got["abnormal"] == row["abnormal"] or got["doubtful"]
        assert right >= len(truth) - 1
        # Abnormal rows come first, each with its boxes on the page.
        flags = [r["abnormal"] for r in results]
        assert flags == sorted(flags, reverse=True)
        assert all(r["evidence"] and r["evidence"][0]["boxes"] for r in results)
        # The three note fields stay: a lab report documents none of them.
        assert answer["summary"]["chief_complaint"]["status"] == "not_documented"


def test_reports_show_results_with_doubt():
    from desktop_app.models import DocumentResult, Summary
    from desktop_app.report import render_markdown, render_text

    page = en_table()
    page.blocks[next(i for i, b in enumerate(page.blocks) if b.text == "139.0")].confidence = 0.5
    results, warnings = results_of(page)
    result = DocumentResult(source="lab.png", pages=[page], summary=Summary(results=results, warnings=warnings))
    text = render_text(result, "en")
    assert "Results:\n  - Potassium 5.9 mmol/L (3.5-5.3) H\n" in text
    assert "  - Sodium 139.0 mmol/L (137.0-147.0)  (OCR unsure: check on the page)\n" in text
    markdown = render_markdown(result, "en")
    assert "| Test | Value | Unit | Reference range | Flag |" in markdown
    assert "| Glucose | 7.20 | mmol/L | 3.90-6.10 | outside printed range |" in markdown
    assert "检验结果:" in render_text(result, "zh")


def test_results_export_as_csv_and_xlsx(tmp_path):
    from openpyxl import load_workbook

    from desktop_app.labs.extract import results_table
    from desktop_app.tables import export_tables

    results, _ = results_of(en_table())
    written = export_tables([results_table(results)], tmp_path, "lab")
    csv_text = (tmp_path / "lab_table1.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_text[0] == "Test,Value,Unit,Reference range,Flag"
    assert csv_text[1] == "Potassium,5.9,mmol/L,3.5-5.3,H"
    sheet = load_workbook(written[-1]).active
    assert sheet.cell(row=4, column=2).value == "139.0"  # kept as text, exactly as printed


def test_ocr_joins_and_slips_in_a_table():
    # GIVEN pieces as OCR joins them: a stray letter in a joined header, a name run into its value,
    # a unit and range in one piece, and a unit misread with a character no unit has
    header = [("Test", 100), ("Result t Units", 450), ("Ref. Range", 700)]
    rows = [[("Alkaline phosphatase 84", 100), ("U/L", 560), ("45-125", 700)],
            [("Platelet count", 100), ("217", 450), ("10~9/L 125-350", 560)]]
    cells = [(t, x, 300) for t, x in header]
    for k, row in enumerate(rows):
        cells += [(t, x, 342 + 42 * k) for t, x in row]
    results, warnings = results_of(page_of(cells))
    by_test = {r.test: r for r in results}
    alp = by_test["Alkaline phosphatase"]
    assert (alp.value, alp.unit, alp.reference_range, alp.doubtful) == ("84", "U/L", "45-125", False)
    platelets = by_test["Platelet count"]
    # THEN the misread unit is kept as read and the row is marked for checking
    assert (platelets.unit, platelets.reference_range, platelets.doubtful) == ("10~9/L", "125-350", True)
    assert [w.field for w in warnings] == ["results"]
