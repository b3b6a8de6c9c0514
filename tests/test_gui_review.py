"""The review workflow as a physician uses it at volume: the patient queue (done / next, retry,
remove, clear, cancel one or all), the page view (fit-width, zoom reset, zoom to evidence) and the
screen-region capture. The fields (doubt cues, copy, sizing, notes) are in test_gui_fields.py.
Offscreen Qt, fake OCR engines in the real Pipeline.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QPointF, Qt  # noqa: E402

from desktop_app.ui.queue_list import CANCELLED, DONE, FAILED, RUNNING, WAITING  # noqa: E402
from desktop_app.ui.review_queue import next_to_review, short_reason  # noqa: E402
from tests.gui_windows import window_factory  # noqa: E402
from tests.test_gui_main import FakeOcr, fake_factory, wait_status, write_tiff  # noqa: E402

pytestmark = pytest.mark.gui

WAIT_MS = 20_000
SAMPLE_PDF = Path(__file__).resolve().parent.parent / "resources" / "samples" / "en_progress_note_text_layer.pdf"


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Windows sized for a 1366×768 screen."""
    windows = window_factory(qtbot, tmp_path)
    make_any = next(windows)

    def make(pipeline_factory=None, locale: str = "en_US"):
        window = make_any(pipeline_factory, locale)
        window.resize(1366, 740)
        return window

    yield make
    next(windows, None)  # shuts the windows down


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
    assert not window.summary_panel.done_button.isEnabled()  # nothing to mark done in an empty window
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
    assert not window.summary_panel.done_button.isEnabled()


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
