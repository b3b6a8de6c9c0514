"""The summary fields as a physician checks and copies them: doubt cues (underlined in the field,
tinted on the page, counted beside Copy), copy ergonomics (Ctrl+1/2/3, the "copied" mark, the
Copy all template), fields sized to their text, the font-size setting, files with several notes,
and shortcuts while typing. Offscreen Qt, fake OCR engines in the real Pipeline.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from desktop_app.models import SummaryWarning  # noqa: E402
from desktop_app.pipeline import Pipeline  # noqa: E402
from desktop_app.ui.queue_list import DONE  # noqa: E402
from tests import test_gui_review as review  # noqa: E402
from tests.test_gui_main import NOTE_LINES, FakeOcr, fake_factory, wait_status, write_tiff  # noqa: E402

make_window = review.make_window  # the fixture: windows sized for a 1366×768 screen
read_all = review.read_all
WAIT_MS = review.WAIT_MS

pytestmark = pytest.mark.gui


# --- doubt cues ------------------------------------------------------------------------------


class DoubtfulPipeline(Pipeline):
    """The real pipeline, plus the OCR's doubt about one word of the plan (as issue #12 reports
    it: an `ocr_doubt` warning with document offsets) and a guard warning in the diagnosis."""

    def run(self, path, **kwargs):
        result = super().run(path, **kwargs)
        start = result.text.index("fluids")
        result.summary.warnings.append(SummaryWarning("ocr_doubt", "The OCR is unsure of “fluids”.",
                                                      field="plan", start=start, end=start + len("fluids")))
        result.summary.warnings.append(SummaryWarning("unsupported_fact", "“bronchitis” is not in the document.",
                                                      field="diagnosis", start=6, end=16))
        return result


def test_doubtful_words_are_underlined_tinted_counted_and_copy_still_works(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr(), DoubtfulPipeline))
    (key,) = window.add_paths([str(write_tiff(tmp_path / "note.tif", 1))])
    wait_status(qtbot, window, key, DONE)
    qtbot.waitUntil(window.page_view.has_image, timeout=WAIT_MS)
    panel = window.summary_panel
    plan = panel.fields["plan"]

    # The doubtful word is underlined in the field, the guard's finding in the diagnosis
    assert plan.underlined_texts() == ["fluids"]
    assert panel.fields["diagnosis"].underlined_texts() == ["bronchitis"]
    assert not panel.fields["chief_complaint"].underlined_texts()
    # A count beside Copy, per field and for the whole summary
    assert plan.doubt_label.isVisibleTo(window) and plan.doubt_label.text() == "⚠ 1 uncertain word — check"
    assert panel.doubt_total.text() == "⚠ 2 uncertain words — check"
    # The word is tinted on the page, inside its line's box
    line = NOTE_LINES.index("Rest, fluids, review in one week.")
    (rect,) = window.page_view.doubt_rects()
    assert 44 + 30 * line > rect.center().y() > 20 + 30 * line
    assert 20 < rect.left() and rect.right() < 180 and rect.width() < 80  # the word, not the whole line
    # The guard's finding is also in the banner; the OCR doubt is not repeated there
    assert "“bronchitis” is not in the document." in panel.warnings_text()
    assert "fluids" not in panel.warnings_text()
    # Copy still copies the field as it is
    qtbot.mouseClick(plan.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "Rest, fluids, review in one week."


# --- copy ------------------------------------------------------------------------------------


def test_ctrl_number_copies_one_field_marks_it_and_an_emptied_field_copies_its_badge(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr()))
    read_all(qtbot, window, tmp_path, names=("a.tif",))
    panel = window.summary_panel
    clipboard = QGuiApplication.clipboard()
    window.queue.setFocus()

    qtbot.keyClick(window.queue, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "Acute bronchitis."
    assert panel.fields["diagnosis"].is_copied() and not panel.fields["plan"].is_copied()
    qtbot.keyClick(window.queue, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "Rest, fluids, review in one week." and panel.fields["plan"].is_copied()

    # The physician empties the chief complaint: the badge says what Copy will give, and it does
    chief = panel.fields["chief_complaint"]
    chief.editor.setPlainText("")
    assert chief.badge.isVisibleTo(window)
    assert not chief.is_copied()  # an edit takes the mark away
    qtbot.keyClick(window.queue, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == chief.badge.text() == "Not documented"


def test_copy_all_template(make_window, qtbot, tmp_path):
    from dataclasses import replace

    window = make_window(fake_factory(FakeOcr()))
    read_all(qtbot, window, tmp_path, names=("a.tif",))
    window.apply_preferences(replace(window.prefs, copy_label_style="brackets", copy_separator="blank_line"))
    window.copy_all_action.trigger()
    assert QGuiApplication.clipboard().text() == (
        "【Chief complaint】Cough for three days.\n\n【Diagnosis】Acute bronchitis.\n\n"
        "【Plan】Rest, fluids, review in one week.\n")


# --- layout ----------------------------------------------------------------------------------


def test_fields_take_the_height_their_text_needs(make_window, qtbot, tmp_path):
    long_plan = ["CHIEF COMPLAINT:", "Cough.", "DIAGNOSIS:", "Bronchitis.", "PLAN:"] + [
        f"{i}. Step number {i} of the plan, written out in full." for i in range(1, 41)]
    window = make_window(fake_factory(FakeOcr(long_plan)))
    read_all(qtbot, window, tmp_path, names=("a.tif",))
    qtbot.waitUntil(lambda: window.summary_panel.fields["plan"].editor.height() > 150, timeout=WAIT_MS)
    fields = window.summary_panel.fields
    assert fields["chief_complaint"].editor.height() < fields["plan"].editor.height() / 2
    # The window fits a 1366×768 screen
    assert window.minimumSizeHint().width() <= 1366 and window.minimumSizeHint().height() <= 740

    # Hiding the document text gives the fields the whole column: the long plan grows
    qtbot.wait(200)  # the pane settles at the height the fields want
    before = fields["plan"].editor.height()
    assert before < fields["plan"].content_height()  # the long plan scrolls: the text pane keeps some room
    qtbot.mouseClick(window.text_view.hide_button, Qt.MouseButton.LeftButton)
    assert not window.text_view.isVisible() and not window.text_action.isChecked()
    qtbot.waitUntil(lambda: fields["plan"].editor.height() > before, timeout=WAIT_MS)
    window.text_action.trigger()
    assert window.text_view.isVisible()


def test_font_size_setting_reaches_the_fields_and_the_text(make_window, qtbot, tmp_path):
    from dataclasses import replace

    window = make_window(fake_factory(FakeOcr()))
    window.apply_preferences(replace(window.prefs, font_size="16"))
    assert window.summary_panel.fields["plan"].editor.font().pointSize() == 16
    assert window.text_view.editor.font().pointSize() == 16


# --- files with several notes ----------------------------------------------------------------


class TwoNotePipeline(Pipeline):
    """The real pipeline; the summary then split in two notes as issue #13 announces it."""

    def run(self, path, **kwargs):
        from desktop_app.models import NoteSummary, SummaryField

        result = super().run(path, **kwargs)
        summary = result.summary
        second = NoteSummary(index=1, title="PROGRESS NOTE 03/02/2024", start=0, end=len(result.text), pages=[0],
                             chief_complaint=SummaryField("Fever since yesterday.", "found"),
                             diagnosis=SummaryField("Influenza.", "found"))
        first = NoteSummary(index=0, title="CLINIC NOTE", start=0, end=len(result.text), pages=[0],
                            chief_complaint=summary.chief_complaint, diagnosis=summary.diagnosis, plan=summary.plan)
        summary.notes = [first, second]
        return result


def test_a_file_with_two_notes_shows_note_1_of_2_and_each_notes_fields(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr(), TwoNotePipeline))
    (key,) = window.add_paths([str(write_tiff(tmp_path / "two_visits.tif", 1))])
    wait_status(qtbot, window, key, DONE)
    panel = window.summary_panel
    assert panel.note_bar.isVisibleTo(window)
    assert panel.note_label.text() == "Note 1 of 2 — CLINIC NOTE"
    assert panel.value("chief_complaint") == "Cough for three days."
    panel.fields["plan"].editor.setPlainText("Edited plan of the first note")

    panel._note_next.click()
    assert panel.note_label.text() == "Note 2 of 2 — PROGRESS NOTE 03/02/2024"
    assert panel.value("chief_complaint") == "Fever since yesterday."
    assert panel.value("plan") == "" and panel.fields["plan"].badge.isVisibleTo(window)
    panel.copy_field("diagnosis")
    assert QGuiApplication.clipboard().text() == "Influenza."

    panel._note_prev.click()
    assert panel.value("plan") == "Edited plan of the first note"  # edits are kept per note


def test_shortcuts_work_while_typing_in_a_field(make_window, qtbot, tmp_path):
    # The physician's hands are on the keyboard in a field: Ctrl+1 copies, Ctrl+Down moves on.
    window = make_window(fake_factory(FakeOcr()))
    keys = read_all(qtbot, window, tmp_path, names=("a.tif", "b.tif"))
    window.queue.select(keys[0])
    editor = window.summary_panel.fields["plan"].editor
    window.activateWindow()
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(editor, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "Cough for three days."
    qtbot.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert window.queue.current_key() == keys[1] and window.sessions[keys[0]].reviewed


def test_doubt_spans_are_placed_in_the_field_text_and_on_the_page_without_qt():
    from desktop_app.models import Block, Evidence, PageResult, SummaryField
    from desktop_app.ui.doubt_cues import field_doubts, page_doubt_boxes

    page = PageResult(0, "ocr", text="PLAN:\nRest, fIuids, review.", width=400, height=100,
                      blocks=[Block("PLAN:", (10, 10, 60, 20)), Block("Rest, fIuids, review.", (10, 30, 220, 40))])
    text = page.text
    start = text.index("fIuids")
    plan = SummaryField("Rest, fIuids, review.", "found", [Evidence(6, len(text), 0, [(10, 30, 220, 40)])])
    warnings = [SummaryWarning("ocr_doubt", "unsure", field="plan", start=start, end=start + 6),
                SummaryWarning("ocr_doubt", "unsure", field="results", start=start, end=start + 6)]
    doubts = field_doubts({"plan": plan, "diagnosis": SummaryField()}, warnings, text)
    (doubt,) = doubts["plan"]
    assert plan.text[doubt.start:doubt.end] == "fIuids"
    assert doubts["diagnosis"] == []  # a warning for another panel ("results") is not counted here
    # A field the physician reworded no longer holds the span: counted, not underlined at a wrong place
    reworded = SummaryField("Fluids and rest.", "found", plan.evidence)
    (moved,) = field_doubts({"plan": reworded}, warnings[:1], text)["plan"]
    assert moved.start is None
    (box,) = page_doubt_boxes([page], warnings)[0]
    assert 10 + 210 * 6 / 21 - 1 < box[0] < box[2] < 10 + 210 * 12 / 21 + 1  # the word's share of its line
