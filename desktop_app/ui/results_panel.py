"""Lab results: one row per result (test, value, unit, reference range, flag), abnormal rows first,
doubtful ones marked; copy as text lines or as tab-separated cells for a spreadsheet or an EMR grid.
Clicking a row shows its boxes on the page. Hidden while the document has no results table.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from desktop_app.labs.extract import OUTSIDE_RANGE, result_line, results_tsv
from desktop_app.models import LabResult
from desktop_app.ui import layouts

ABNORMAL_TINT = QColor("#fde8e8")
DOUBT_TINT = QColor("#fff3cd")


class ResultsPanel(QFrame):
    rowActivated = Signal(int)  # index into the results: show its evidence on the page
    copied = Signal(str)  # "results_lines" or "results_table"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsPanel")
        self._results: list[LabResult] = []
        self._language = "en"
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.counts = QLabel()
        self.counts.setObjectName("resultsCounts")
        self.counts.setStyleSheet("color: #8a4b00; font-weight: 600;")
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("resultsTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentCellChanged.connect(lambda row, *_: row >= 0 and self.rowActivated.emit(row))
        self.copy_lines_button = QPushButton()
        self.copy_lines_button.setObjectName("copyResultsLines")
        self.copy_lines_button.clicked.connect(self.copy_lines)
        self.copy_table_button = QPushButton()
        self.copy_table_button.setObjectName("copyResultsTable")
        self.copy_table_button.clicked.connect(self.copy_table)
        layouts.column(self, layouts.row(self.title, None, self.counts), self.table,
                       layouts.row(None, self.copy_lines_button, self.copy_table_button), margins=(0, 4, 0, 0))
        self.retranslate()
        self.hide()

    # --- API ------------------------------------------------------------------------------

    def set_results(self, results: list[LabResult], language: str) -> None:
        """Show a document's results (already abnormal-first); hide the panel when there are none."""
        self._results = list(results)
        self._language = language
        self.table.setRowCount(len(results))
        for row, result in enumerate(results):
            flag = result.flag or (OUTSIDE_RANGE["zh" if language.startswith("zh") else "en"]
                                   if result.abnormal_basis == "printed_range" else "")
            for column, text in enumerate((result.test, result.value, result.unit, result.reference_range, flag)):
                item = QTableWidgetItem(text)
                if result.doubtful:
                    item.setBackground(QBrush(DOUBT_TINT))
                    item.setToolTip(self.tr("The OCR is unsure of this row: check it on the page before copying."))
                elif result.abnormal:
                    item.setBackground(QBrush(ABNORMAL_TINT))
                if result.abnormal and column in (1, 4):
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                if result.doubtful and column == 1:
                    font = QFont(item.font())
                    font.setUnderline(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        visible_rows = min(len(results), 8)
        self.table.setFixedHeight(self.table.horizontalHeader().height() + 4 + visible_rows * (
            self.table.verticalHeader().defaultSectionSize()))
        self._update_counts()
        self.setVisible(bool(results))

    def clear(self) -> None:
        self.set_results([], self._language)

    def results(self) -> list[LabResult]:
        return list(self._results)

    def lines_text(self) -> str:
        return "\n".join(result_line(r, self._language) for r in self._results) + "\n"

    def table_text(self) -> str:
        return results_tsv(self._results, self._language) + "\n"

    def copy_lines(self) -> None:
        if self._results:
            QGuiApplication.clipboard().setText(self.lines_text())
            self._flash(self.copy_lines_button)
            self.copied.emit("results_lines")

    def copy_table(self) -> None:
        if self._results:
            QGuiApplication.clipboard().setText(self.table_text())
            self._flash(self.copy_table_button)
            self.copied.emit("results_table")

    # --- looks ----------------------------------------------------------------------------

    def _flash(self, button: QPushButton) -> None:
        button.setText(self.tr("Copied ✓"))
        QTimer.singleShot(1500, self.retranslate)

    def _update_counts(self) -> None:
        abnormal = sum(r.abnormal for r in self._results)
        doubtful = sum(r.doubtful for r in self._results)
        parts = []
        if abnormal:
            parts.append(self.tr("%n abnormal", "", abnormal))
        if doubtful:
            parts.append(self.tr("%n uncertain — check", "", doubtful))
        self.counts.setText(" · ".join(parts))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Results"))
        self.table.setHorizontalHeaderLabels([self.tr("Test"), self.tr("Value"), self.tr("Unit"),
                                              self.tr("Reference range"), self.tr("Flag")])
        self.copy_lines_button.setText(self.tr("Copy lines"))
        self.copy_lines_button.setToolTip(self.tr('One line per result, e.g. "Potassium 5.9 mmol/L (3.5-5.3) H"'))
        self.copy_table_button.setText(self.tr("Copy as table"))
        self.copy_table_button.setToolTip(self.tr("Tab-separated cells that paste into a spreadsheet or an EMR grid"))
        self._update_counts()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

