"""The Results panel: lab rows shown abnormal-first, doubt marked, copied as lines or as a table."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402

from desktop_app.models import Evidence, LabResult  # noqa: E402
from desktop_app.ui.results_panel import ResultsPanel  # noqa: E402

pytestmark = pytest.mark.gui


def rows() -> list[LabResult]:
    return [
        LabResult("Potassium", "5.9", "mmol/L", "3.5-5.3", "H", True, "printed_flag",
                  evidence=[Evidence(10, 13, 0, [(600, 420, 640, 450)])]),
        LabResult("Glucose", "7.20", "mmol/L", "3.90-6.10", "", True, "printed_range"),
        LabResult("Sodium", "13g.0", "mmol/L", "137.0-147.0", doubtful=True),
    ]


def test_results_shown_and_copied(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    panel = ResultsPanel()
    QVBoxLayout(window).addWidget(panel)
    window.show()
    assert not panel.isVisible()  # no results: nothing to see
    panel.set_results(rows(), "en")
    assert panel.isVisible()
    table = panel.table
    assert table.rowCount() == 3
    assert [table.item(r, 0).text() for r in range(3)] == ["Potassium", "Glucose", "Sodium"]
    assert table.item(1, 4).text() == "outside printed range"  # no flag printed: said as such
    assert table.item(2, 1).font().underline()  # the doubtful value is underlined
    assert not table.item(0, 1).font().underline()
    assert panel.counts.text() == "2 abnormal · 1 uncertain — check"

    with qtbot.waitSignal(panel.copied) as copied:
        panel.copy_lines_button.click()
    assert copied.args == ["results_lines"]
    assert QGuiApplication.clipboard().text().splitlines() == [
        "Potassium 5.9 mmol/L (3.5-5.3) H",
        "Glucose 7.20 mmol/L (3.90-6.10) [outside printed range]",
        "Sodium 13g.0 mmol/L (137.0-147.0)",
    ]
    panel.copy_table_button.click()
    assert QGuiApplication.clipboard().text().splitlines()[1] == "Potassium\t5.9\tmmol/L\t3.5-5.3\tH"

    # Clicking a row asks for its evidence.
    with qtbot.waitSignal(panel.rowActivated) as activated:
        table.setCurrentCell(0, 0)
    assert activated.args == [0]

    panel.clear()
    assert not panel.isVisible()


def test_results_in_chinese(qtbot):
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_results(rows(), "zh")
    assert panel.table.item(1, 4).text() == "超出参考范围"
    assert panel.table_text().splitlines()[0] == "项目\t结果\t单位\t参考范围\t提示"


class LabOcr:
    """A fake OCR engine that 'reads' a lab table: one block per cell, as the embedded engine gives."""

    name = "fake-lab-ocr"
    ROWS = [[("Test", 20), ("Result", 300), ("Units", 420), ("Reference Range", 540)],
            [("Sodium", 20), ("139", 300), ("mmol/L", 420), ("137-147", 540)],
            [("Potassium", 20), ("5.9", 300), ("mmol/L", 420), ("3.5-5.3", 540)]]

    def recognize(self, page, *, cancel, progress):
        from desktop_app.models import Block, OcrOutput

        blocks = [Block(text, (x, 40.0 + 30 * r, x + 12.0 * len(text), 62.0 + 30 * r), 0.99)
                  for r, row in enumerate(self.ROWS) for text, x in row]
        return OcrOutput(text="\n".join(b.text for b in blocks), blocks=blocks)


def test_main_window_shows_lab_results_and_their_boxes(qtbot, tmp_path):
    from dataclasses import replace

    from PIL import Image
    from PySide6.QtCore import QSettings

    from desktop_app.app import create_app
    from desktop_app.pipeline import Pipeline

    def factory(settings, ui_language):
        return Pipeline(replace(settings, use_text_layer=False), ui_language=ui_language, ocr_engine=LabOcr())

    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    _app, window = create_app(store=store, pipeline_factory=factory, system_locale="en_US", warm_up=False)
    qtbot.addWidget(window)
    try:
        scan = tmp_path / "lab.png"
        Image.new("RGB", (800, 300), "white").save(scan)
        # GIVEN a lab report opened in the app WHEN it has been read
        window.add_paths([str(scan)])
        qtbot.waitUntil(lambda: window.results_panel.table.rowCount() == 2, timeout=20_000)
        # THEN the Results list shows the abnormal row first, and clicking it shows its boxes on the page
        assert window.results_panel.isVisible()
        assert window.results_panel.table.item(0, 0).text() == "Potassium"
        window.results_panel.table.setCurrentCell(0, 0)
        # Potassium, 5.9, mmol/L and 3.5-5.3: one box per cell of its row
        qtbot.waitUntil(lambda: len(window.page_view.highlight_rects()) == 4, timeout=5_000)
    finally:
        window.shutdown()
