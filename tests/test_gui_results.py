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
