"""The review workflow as a physician uses it at volume: the patient queue (done / next, retry,
remove, clear, cancel one or all), the page view (fit-width, zoom reset, zoom to evidence), doubt
cues, copy ergonomics and field sizing. Offscreen Qt, fake OCR engines in the real Pipeline.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QPointF, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from desktop_app.app import create_app  # noqa: E402
from desktop_app.models import SummaryWarning  # noqa: E402
from desktop_app.pipeline import Pipeline  # noqa: E402
from desktop_app.ui.queue_list import CANCELLED, DONE, FAILED, RUNNING, WAITING  # noqa: E402
from desktop_app.ui.review_queue import next_to_review, short_reason  # noqa: E402
from tests.test_gui_main import NOTE_LINES, FakeOcr, fake_factory, wait_status, write_tiff  # noqa: E402

pytestmark = pytest.mark.gui

WAIT_MS = 20_000
SAMPLE_PDF = Path(__file__).resolve().parent.parent / "resources" / "samples" / "en_progress_note_text_layer.pdf"


@pytest.fixture
def make_window(qtbot, tmp_path):
    windows = []

    def make(pipeline_factory=None, locale: str = "en_US"):
        store = QSettings(str(tmp_path / f"settings{len(windows)}.ini"), QSettings.Format.IniFormat)
        _app, window = create_app(store=store, pipeline_factory=pipeline_factory, system_locale=locale,
                                  warm_up=False)
        qtbot.addWidget(window)
        window.resize(1366, 740)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()


def read_all(qtbot, window, tmp_path, names=("one.tif", "two.tif", "three.tif")) -> list[int]:
    keys = window.add_paths([str(write_tiff(tmp_path / name, 1)) for name in names])
    for key in keys:
        wait_status(qtbot, window, key, DONE)
    return keys


# --- cancel ------------------------------------------------------------------------------------


def test_escape_in_a_text_field_cancels_nothing(make_window, qtbot, tmp_path):
    # GIVEN a document being read slowly and one waiting, and the physician typing in a field
    engine = FakeOcr(seconds_per_page=0.5)
    window = make_window(fake_factory(engine))
    keys = window.add_paths([str(write_tiff(tmp_path / "slow.tif", 4)), str(write_tiff(tmp_path / "next.tif", 1))])
    assert engine.page_started.wait(10)
    editor = window.summary_panel.fields["plan"].editor
    window.activateWindow()
    editor.setEnabled(True)
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus, timeout=WAIT_MS)

    # WHEN Esc is pressed in the field (the window's Esc action is what fires)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    window.cancel_action.trigger()

    # THEN nothing is cancelled: both documents are read
    wait_status(qtbot, window, keys[0], DONE, timeout=30_000)
    wait_status(qtbot, window, keys[1], DONE)
    assert engine.calls == 5


def test_cancel_all_asks_first_and_cancel_one_waiting_document(make_window, qtbot, tmp_path):
    engine = FakeOcr(seconds_per_page=5.0)
    window = make_window(fake_factory(engine))
    keys = window.add_paths([str(write_tiff(tmp_path / f"{n}.tif", 3)) for n in ("a", "b", "c")])
    wait_status(qtbot, window, keys[0], RUNNING)
    assert window.cancel_all_button.isVisible()

    # Cancelling one waiting document: at once, the others go on
    window.cancel_document(keys[1])
    assert window.sessions[keys[1]].status == CANCELLED
    assert window.sessions[keys[0]].status == RUNNING and window.sessions[keys[2]].status == WAITING

    # "Cancel all" asks; No leaves everything as it was
    asked = []
    window.confirm = lambda question: asked.append(question) or False
    window.cancel_all_button.click()
    assert asked and "Cancel all 2 document(s)" in asked[0]
    assert window.sessions[keys[0]].status == RUNNING and window.sessions[keys[2]].status == WAITING

    # Yes cancels the running one and the waiting one
    window.confirm = lambda question: True
    started = time.monotonic()
    window.cancel_all_action.trigger()
    wait_status(qtbot, window, keys[0], CANCELLED)
    wait_status(qtbot, window, keys[2], CANCELLED)
    assert time.monotonic() - started < 3
    assert engine.calls == 1


# --- retry, remove, clear ------------------------------------------------------------------------


def test_retry_a_cancelled_and_a_failed_document(make_window, qtbot, tmp_path):
    engine = FakeOcr(seconds_per_page=5.0)
    window = make_window(fake_factory(engine))
    not_a_scan = tmp_path / "scan.png"
    not_a_scan.write_text("not an image")
    (slow,) = window.add_paths([str(write_tiff(tmp_path / "slow.tif", 2))])
    assert engine.page_started.wait(10)
    window.cancel_document(slow)
    wait_status(qtbot, window, slow, CANCELLED)
    (bad,) = window.add_paths([str(not_a_scan)])
    wait_status(qtbot, window, bad, FAILED)

    # The list's menu offers Retry for both
    menu = window.queue.menu_for(slow)
    retry = next(a for a in menu.actions() if a.text() == "Retry")
    assert retry.isEnabled()

    # WHEN the scan is fixed and both are retried
    engine.seconds_per_page = 0.0
    write_tiff(not_a_scan, 1)  # the file now holds a real image
    retry.trigger()
    window.queue.select(bad)
    window.retry_action.trigger()

    # THEN both are read
    wait_status(qtbot, window, slow, DONE)
    wait_status(qtbot, window, bad, DONE)
    window.queue.select(bad)
    assert window.summary_panel.value("plan") == "Rest, fluids, review in one week."
    assert "failed" not in window.queue.item_text(bad)


def test_remove_with_the_delete_key_and_the_menu_also_a_running_document(make_window, qtbot, tmp_path):
    engine = FakeOcr(seconds_per_page=5.0)
    window = make_window(fake_factory(engine))
    keys = window.add_paths([str(write_tiff(tmp_path / f"{n}.tif", 2)) for n in ("a", "b", "c")])
    assert engine.page_started.wait(10)

    # Delete on the selected (running) row removes it and cancels its job; the next one is read
    window.queue.select(keys[0])
    window.queue.setFocus()
    engine.seconds_per_page = 0.0
    qtbot.keyClick(window.queue, Qt.Key.Key_Delete)
    assert keys[0] not in window.sessions and window.queue.keys() == keys[1:]
    assert window.queue.current_key() == keys[1]  # the neighbour is shown
    wait_status(qtbot, window, keys[1], DONE)

    # The menu's Remove
    menu = window.queue.menu_for(keys[2])
    next(a for a in menu.actions() if a.text().startswith("Remove")).trigger()
    assert window.queue.keys() == [keys[1]]
    window.remove(keys[1])
    assert window.queue.count() == 0 and not window.sessions
    assert window.center.currentWidget() is window.drop_zone  # back to the empty state


def test_done_next_patient_and_clear_finished(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr()))
    keys = read_all(qtbot, window, tmp_path)
    window.queue.select(keys[0])

    # Ctrl+Down marks the document done and shows the next one; Ctrl+Up goes back
    assert window.done_next_action.shortcut().toString() == "Ctrl+Down"
    window.done_next_action.trigger()
    assert window.sessions[keys[0]].reviewed and "reviewed" in window.queue.item_text(keys[0])
    assert window.queue.current_key() == keys[1]
    window.previous_action.trigger()
    assert window.queue.current_key() == keys[0]
    window.queue.select(keys[1])
    qtbot.mouseClick(window.summary_panel.done_button, Qt.MouseButton.LeftButton)
    assert window.queue.current_key() == keys[2]

    # A document added while the physician reviews does not jump in; after Done it comes forward
    (new,) = window.add_paths([str(write_tiff(tmp_path / "new.tif", 1))])
    assert window.queue.current_key() == keys[2]
    wait_status(qtbot, window, new, DONE)
    window.done_next_action.trigger()
    assert window.queue.current_key() == new

    # Clear finished removes the three reviewed ones, not the one on screen
    window.queue.menu_for(new)
    window.clear_finished_action.trigger()
    assert window.queue.keys() == [new]

    # With everything reviewed, a new paste comes forward at once
    window.done_next_action.trigger()
    (latest,) = window.add_paths([str(write_tiff(tmp_path / "latest.tif", 1))])
    assert window.queue.current_key() == latest


def test_queue_rules_without_qt():
    statuses = {1: DONE, 2: FAILED, 3: RUNNING, 4: DONE}
    assert next_to_review([1, 2, 3, 4], 1, {1}, statuses) == 4  # read ones first
    assert next_to_review([1, 2, 3, 4], 4, {1, 4}, statuses) == 3  # then the one being read
    assert next_to_review([1, 2, 3, 4], 3, {1, 3, 4}, statuses) == 2  # then failures
    assert next_to_review([1], 1, {1}, {1: DONE}) is None
    reason = ("Not a supported document (a text file). Supported: PDF, PNG, JPEG, BMP, WebP, TIFF. "
              "The type is read from the content, not the file name: /tmp/x/readme.txt")
    assert short_reason(reason, "/tmp/x/readme.txt") == "Not a supported document (a text file)."
    assert short_reason("文件为空（0 字节）：/tmp/a.pdf", "/tmp/a.pdf") == "文件为空（0 字节）"


# --- the page view -----------------------------------------------------------------------------


def test_zoom_resets_per_document_and_a_field_click_zooms_to_its_evidence(make_window, qtbot, tmp_path):
    window = make_window()  # the real text-layer engine: evidence with real boxes
    keys = window.add_paths([str(SAMPLE_PDF), str(SAMPLE_PDF)])
    for key in keys:
        wait_status(qtbot, window, key, DONE, timeout=60_000)
    window.queue.select(keys[0])
    qtbot.waitUntil(window.page_view.has_image, timeout=WAIT_MS)
    view = window.page_view
    fit_width = view.view.fit_width_scale()
    assert view.zoom() == pytest.approx(fit_width, rel=0.02)

    # WHEN the physician clicks into the plan
    qtbot.mouseClick(window.summary_panel.fields["plan"].editor.viewport(), Qt.MouseButton.LeftButton)

    # THEN the page zooms in on the plan's first evidence line, which is on screen
    plan = window.sessions[keys[0]].summary.plan
    x0, y0, x1, y1 = plan.evidence[0].boxes[0]
    assert view.zoom() > fit_width * 1.2
    visible = view.visible_scene_rect()
    assert visible.contains(QPointF((x0 + x1) / 2, (y0 + y1) / 2))

    # The next document opens at fit-width again, not at the previous zoom
    window.queue.select(keys[1])
    qtbot.waitUntil(lambda: view.has_image() and view.zoom() == pytest.approx(fit_width, rel=0.02),
                    timeout=WAIT_MS)


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
    def factory(settings, language):
        from dataclasses import replace

        return DoubtfulPipeline(replace(settings, use_text_layer=False), ui_language=language, ocr_engine=FakeOcr())

    window = make_window(factory)
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
    def factory(settings, language):
        from dataclasses import replace

        return TwoNotePipeline(replace(settings, use_text_layer=False), ui_language=language, ocr_engine=FakeOcr())

    window = make_window(factory)
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


def test_an_error_already_shown_is_re_rendered_after_a_language_switch(make_window, qtbot, tmp_path):
    from dataclasses import replace

    from desktop_app import errors

    class Broken:
        name = "broken"

        def recognize(self, page, *, cancel, progress):
            raise errors.EngineUnavailable(name="broken", detail="model")

    def factory(settings, language):
        return Pipeline(replace(settings, use_text_layer=False), ui_language=language, ocr_engine=Broken())

    window = make_window(factory)
    (key,) = window.add_paths([str(write_tiff(tmp_path / "a.tif", 1))])
    wait_status(qtbot, window, key, FAILED)
    assert "cannot run here" in window.queue.item_tooltip(key)

    window.apply_preferences(replace(window.prefs, ui_language="zh_CN"))
    qtbot.waitUntil(lambda: window.file_menu.title() == "文件(&F)", timeout=5000)
    chinese = errors.EngineUnavailable(name="broken", detail="model").message("zh")
    assert chinese in window.queue.item_tooltip(key)
    assert chinese in window.summary_panel.warnings_text()
    window.apply_preferences(replace(window.prefs, ui_language="en"))


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


# --- screen-region capture -------------------------------------------------------------------


def test_a_dragged_screen_region_is_read_like_a_pasted_image(make_window, qtbot, tmp_path):
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QColor, QPixmap

    window = make_window(fake_factory(FakeOcr()))
    # GIVEN a screen (a still, as the platform would grab it) showing text in another program
    still = QPixmap(800, 600)
    still.fill(QColor("white"))
    window.grab_screen = lambda: (still, QRect(0, 0, 800, 600))

    # WHEN the user picks the capture, drags a rectangle and lets go
    window.capture_action.trigger()
    qtbot.waitUntil(lambda: window.region_overlay is not None and window.region_overlay.isVisible(), timeout=5000)
    overlay = window.region_overlay
    assert not window.isVisible()  # the window stepped aside for the still
    qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=QPoint(100, 50))
    qtbot.mouseMove(overlay, QPoint(300, 150))
    qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=QPoint(300, 150))

    # THEN the region is queued as a private temporary image, read, and the window is back
    qtbot.waitUntil(lambda: len(window.sessions) == 1, timeout=5000)
    session = next(iter(window.sessions.values()))
    assert session.temporary and Path(session.path).exists()
    ratio = still.width() / overlay.width()
    from PIL import Image

    assert Image.open(session.path).size == (round(200 * ratio), round(100 * ratio))
    assert window.isVisible()
    wait_status(qtbot, window, session.key, DONE)

    # Esc cancels: nothing is queued
    window.capture_action.trigger()
    qtbot.waitUntil(lambda: window.region_overlay is not overlay and window.region_overlay.isVisible(), timeout=5000)
    qtbot.keyClick(window.region_overlay, Qt.Key.Key_Escape)
    assert len(window.sessions) == 1 and window.isVisible()
