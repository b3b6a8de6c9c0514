"""The desktop app, driven as a user would: drop, paste, run, cancel, copy, highlight, close.

Offscreen Qt (conftest sets QT_QPA_PLATFORM). Fast: the real engines run only on the
text-layer PDF sample; everything else uses fake OCR engines injected into the real Pipeline.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app import errors  # noqa: E402
from desktop_app.models import Block, OcrOutput  # noqa: E402
from desktop_app.pipeline import Pipeline  # noqa: E402
from desktop_app.ui.queue_list import CANCELLED, DONE, FAILED  # noqa: E402
from tests.gui_windows import window_factory  # noqa: E402

pytestmark = pytest.mark.gui

SAMPLES = Path(__file__).resolve().parent.parent / "resources" / "samples"
TEXT_PDF = SAMPLES / "en_progress_note_text_layer.pdf"
NOTE_LINES = ["CHIEF COMPLAINT:", "Cough for three days.", "DIAGNOSIS:", "Acute bronchitis.", "PLAN:",
              "Rest, fluids, review in one week."]
WAIT_MS = 20_000


class FakeOcr:
    """Returns a fixed note, one block per line; optionally slow and cancellable page by page."""

    name = "fake-ocr"

    def __init__(self, lines: list[str] = NOTE_LINES, seconds_per_page: float = 0.0) -> None:
        self.lines = lines
        self.seconds_per_page = seconds_per_page
        self.page_started = threading.Event()
        self.calls = 0

    def recognize(self, page, *, cancel, progress) -> OcrOutput:
        self.calls += 1
        self.page_started.set()
        deadline = time.monotonic() + self.seconds_per_page
        while time.monotonic() < deadline:
            cancel.raise_if_cancelled()
            time.sleep(0.01)
        blocks = [Block(line, (20.0, 20.0 + 30 * i, 180.0, 44.0 + 30 * i), 0.99)
                  for i, line in enumerate(self.lines)]
        return OcrOutput(text="\n".join(self.lines), blocks=blocks)


class BrokenOcr:
    """An engine that cannot run: every document fails with its typed error."""

    name = "broken"

    def __init__(self, detail: str = "its model folder is incomplete") -> None:
        self.detail = detail

    def recognize(self, page, *, cancel, progress):
        raise errors.EngineUnavailable(name="broken", detail=self.detail)


def fake_factory(engine, pipeline_class: type[Pipeline] = Pipeline):
    """A real pipeline (of `pipeline_class`) reading with the fake OCR `engine`."""
    def factory(settings, ui_language):
        return pipeline_class(replace(settings, use_text_layer=False), ui_language=ui_language, ocr_engine=engine)

    return factory


def write_tiff(path: Path, pages: int = 3) -> Path:
    frames = [Image.new("RGB", (200, 280), (255, 255, 255)) for _ in range(pages)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


@pytest.fixture
def store(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, tmp_path, store):
    """Windows sharing the `store` settings file (a test may read what the window saved)."""
    windows = window_factory(qtbot, tmp_path)
    make_any = next(windows)
    yield lambda pipeline_factory=None, locale="en_US": make_any(pipeline_factory, locale, store=store)
    next(windows, None)  # shuts the windows down


def drop(widget, paths: list[Path]) -> None:
    """A drag entering the widget, then the drop (Qt delivers a drop only after an accepted enter)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def wait_status(qtbot, window, key: int, status: str, timeout: int = WAIT_MS) -> None:
    qtbot.waitUntil(lambda: window.sessions[key].status == status, timeout=timeout)


def shown_text(editor) -> str:
    return editor.toPlainText()


# --- getting documents in --------------------------------------------------------------------


def test_drop_of_files_and_a_folder_queues_every_document_and_skips_non_documents(make_window, qtbot, tmp_path):
    # GIVEN a folder with two scans (one in a subfolder), a hidden file, a readme and a spreadsheet,
    # and a loose file
    window = make_window(fake_factory(FakeOcr()))
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    write_tiff(folder / "a.tif", 1)
    write_tiff(folder / "sub" / "b.tif", 1)
    (folder / ".DS_Store").write_bytes(b"junk")
    (folder / "readme.txt").write_text("Scans from the ward printer.")
    (folder / "sub" / "list.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 64)
    loose = write_tiff(tmp_path / "loose.tif", 1)

    # WHEN the user drops the folder and the file on the empty window's drop zone
    drop(window.drop_zone, [folder, loose])

    # THEN each document is queued in drop order; the readme and the spreadsheet are skipped and counted
    qtbot.waitUntil(lambda: len(window.sessions) == 3, timeout=WAIT_MS)
    names = [Path(s.path).name for s in window.sessions.values()]
    assert names == ["a.tif", "b.tif", "loose.tif"]
    assert window.queue.count() == 3
    assert "Skipped 2 file(s) that are not documents" in window.statusBar().currentMessage()
    for key in window.sessions:
        wait_status(qtbot, window, key, DONE)
    assert "ready to review" in window.queue.item_text(3)
    # and the first document is on screen with its summary
    assert window.summary_panel.value("chief_complaint") == "Cough for three days."

    # A text file named directly is still answered (it is not silently dropped)
    (key,) = window.add_paths([str(folder / "readme.txt")])
    wait_status(qtbot, window, key, FAILED)


def test_drop_anywhere_on_the_window_and_open_shortcut(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr()))
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    drop(window, [write_tiff(tmp_path / "x.tif", 1)])
    assert len(window.sessions) == 1
    wait_status(qtbot, window, 1, DONE)


def test_paste_an_image_and_a_file(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr()))
    window.activateWindow()
    window.queue.setFocus()
    # WHEN an image (e.g. a screenshot of a scan) is on the clipboard and the user presses Ctrl+V
    image = QImage(120, 160, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    QGuiApplication.clipboard().setImage(image)
    window.paste_action.trigger()
    # THEN it joins the queue and is read
    assert len(window.sessions) == 1
    pasted = window.sessions[1]
    assert pasted.path.endswith(".png") and pasted.temporary
    wait_status(qtbot, window, 1, DONE)

    # WHEN a file copied in the file manager is pasted
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write_tiff(tmp_path / "copied.tif", 1)))])
    QGuiApplication.clipboard().setMimeData(mime)
    qtbot.keyClick(window.queue, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [Path(s.path).name for s in window.sessions.values()][-1] == "copied.tif"
    wait_status(qtbot, window, 2, DONE)

    # and the pasted image's private copy is removed when the window closes
    window.close()
    assert not Path(pasted.path).exists()


# --- a real run on the embedded engines ------------------------------------------------------


def run_sample(make_window, qtbot):
    window = make_window()  # real Pipeline: pdf-text engine + sections summarizer
    window.add_paths([str(TEXT_PDF)])
    wait_status(qtbot, window, 1, DONE, timeout=60_000)
    qtbot.waitUntil(window.page_view.has_image, timeout=WAIT_MS)
    return window


def test_text_layer_pdf_fills_the_three_fields(make_window, qtbot):
    window = run_sample(make_window, qtbot)
    panel = window.summary_panel
    assert panel.value("chief_complaint") == "Foul-smelling urine and stomach pain after meals."
    assert "GERD" in panel.value("diagnosis")
    assert panel.value("plan").startswith("1. Cipro 500 mg")
    assert not any(box.badge.isVisible() for box in panel.fields.values())
    assert panel.review_label.isVisible() and "Review before use" in panel.review_label.text()
    assert "CHIEF COMPLAINT" in window.text_view.text()
    # The page opens at fit-width, without per-line OCR boxes; View → Show OCR boxes shows them
    view = window.page_view
    assert view.zoom() == pytest.approx(view.view.fit_width_scale(), rel=0.02)
    assert view.visible_scene_rect().width() == pytest.approx(view.view.sceneRect().width(), rel=0.05)
    assert view.visible_scene_rect().top() <= 1  # the top of the page
    assert view.visible_box_count() == 0 and not window.boxes_action.isChecked()
    window.boxes_action.trigger()
    assert view.visible_box_count() > 10
    window.boxes_action.trigger()
    assert view.visible_box_count() == 0
    # The page is first shown from a light preview; zooming in brings the full-resolution page
    page = window.sessions[1].result.pages[0]
    assert window.page_view.image_scale() > 1.5
    for _ in range(6):
        window.zoom_in_action.trigger()
    qtbot.waitUntil(lambda: window.page_view.image_scale() == 1.0, timeout=WAIT_MS)
    assert window.page_view.view.sceneRect().width() == pytest.approx(page.width, abs=2)
    assert not window.progress_bar.isVisible() and window.stage_label.text() == "Ready"


@pytest.mark.slow
def test_chinese_scan_is_read_by_the_embedded_ocr_in_the_worker(make_window, qtbot):
    import os

    plugin_path_before = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    window = make_window()
    (key,) = window.add_paths([str(SAMPLES / "zh_outpatient_note_scan.jpg")])
    wait_status(qtbot, window, key, DONE, timeout=120_000)
    assert window.sessions[key].result.pages[0].engine == "rapidocr"
    assert "嵌顿性腹股沟斜疝" in window.summary_panel.value("diagnosis")
    assert window.summary_panel.value("chief_complaint")
    assert window.summary_panel.fields["plan"].badge.isVisible()  # the note has no plan section
    # OpenCV (imported by the OCR runtime, in the worker) must not have re-pointed Qt's plugins
    assert os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH") == plugin_path_before
    assert "cv2" in sys.modules  # it really was imported, and the window still works:
    window.summary_panel.copy_field("diagnosis")
    assert "嵌顿性腹股沟斜疝" in QGuiApplication.clipboard().text()


def test_copy_one_field_and_copy_all(make_window, qtbot):
    window = run_sample(make_window, qtbot)
    panel = window.summary_panel
    clipboard = QGuiApplication.clipboard()

    qtbot.mouseClick(panel.fields["diagnosis"].copy_button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == "1. UTI.\n2. GERD.\n3. Dysphagia.\n4. Contraception consult."

    # The physician corrects the plan, then copies everything with Ctrl+Shift+C
    panel.fields["plan"].editor.setPlainText("Cipro 500 mg b.i.d. x 5 days.")
    window.copy_all_action.trigger()
    assert window.copy_all_action.shortcut().toString() == "Ctrl+Shift+C"
    assert clipboard.text() == (
        "Chief complaint: Foul-smelling urine and stomach pain after meals.\n"
        "Diagnosis:\n1. UTI.\n2. GERD.\n3. Dysphagia.\n4. Contraception consult.\n"
        "Plan: Cipro 500 mg b.i.d. x 5 days.\n")


def test_not_documented_is_shown_and_copied_as_such(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr(["CHIEF COMPLAINT:", "Headache since morning."])))
    window.add_paths([str(write_tiff(tmp_path / "note.tif", 1))])
    wait_status(qtbot, window, 1, DONE)
    panel = window.summary_panel
    assert panel.fields["diagnosis"].badge.isVisible()
    assert panel.fields["diagnosis"].badge.text() == "Not documented"
    assert panel.fields["diagnosis"].editor.placeholderText() == "Not documented in this document"
    assert not panel.fields["chief_complaint"].badge.isVisible()
    panel.copy_all()
    assert QGuiApplication.clipboard().text() == (
        "Chief complaint: Headache since morning.\nDiagnosis: Not documented\nPlan: Not documented\n")


def test_clicking_a_field_highlights_its_evidence(make_window, qtbot):
    window = run_sample(make_window, qtbot)
    plan_editor = window.summary_panel.fields["plan"].editor
    qtbot.mouseClick(plan_editor.viewport(), Qt.MouseButton.LeftButton)

    highlighted = [t.replace("\u2029", "\n") for t in window.text_view.highlighted_texts()]
    assert highlighted == [window.summary_panel.value("plan")]
    plan = window.sessions[1].summary.plan
    assert window.page_view.current_index() == 0
    assert len(window.page_view.highlight_rects()) == len(plan.evidence[0].boxes) == 4
    first = window.page_view.highlight_rects()[0]
    assert first.contains(QPointF(plan.evidence[0].boxes[0][0] + 1, plan.evidence[0].boxes[0][1] + 1))

    # Another field moves the highlight
    chief_editor = window.summary_panel.fields["chief_complaint"].editor
    qtbot.mouseClick(chief_editor.viewport(), Qt.MouseButton.LeftButton)
    assert [t for t in window.text_view.highlighted_texts()] == [
        "Foul-smelling urine and stomach pain after meals."]
    assert len(window.page_view.highlight_rects()) == 1


def test_corrected_text_summarized_again_keeps_hand_edits(make_window, qtbot):
    window = run_sample(make_window, qtbot)
    panel = window.summary_panel
    panel.fields["chief_complaint"].editor.setPlainText("Dysuria and postprandial pain.")
    corrected = window.text_view.text().replace("2. GERD.", "2. Gastritis.")
    window.text_view.editor.setPlainText(corrected)
    assert "Summarize again" in window.text_view._hint.text()

    with qtbot.waitSignal(window.runner.summarized, timeout=WAIT_MS):
        qtbot.mouseClick(window.text_view.summarize_button, Qt.MouseButton.LeftButton)

    assert "2. Gastritis." in panel.value("diagnosis")
    assert panel.value("chief_complaint") == "Dysuria and postprandial pain."  # typed by hand: kept
    assert "Chief complaint" in panel.warnings_text()
    assert window.text_view.text() == corrected


def test_edits_survive_switching_documents(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr()))
    keys = window.add_paths([str(write_tiff(tmp_path / name, 1)) for name in ("one.tif", "two.tif")])
    for key in keys:
        wait_status(qtbot, window, key, DONE)
    window.queue.select(keys[0])
    window.summary_panel.fields["plan"].editor.setPlainText("Edited plan")
    window.text_view.editor.setPlainText("Edited text")
    window.queue.select(keys[1])
    assert window.summary_panel.value("plan") == "Rest, fluids, review in one week."
    window.queue.select(keys[0])
    assert window.summary_panel.value("plan") == "Edited plan"
    assert window.text_view.text() == "Edited text"


# --- progress, cancel, errors, close ---------------------------------------------------------


def test_escape_cancels_only_the_running_document(make_window, qtbot, tmp_path):
    engine = FakeOcr(seconds_per_page=5.0)
    window = make_window(fake_factory(engine))
    long_document, next_document = write_tiff(tmp_path / "long.tif", 3), write_tiff(tmp_path / "next.tif", 1)
    keys = window.add_paths([str(long_document), str(next_document)])
    assert engine.page_started.wait(10)
    qtbot.waitUntil(lambda: "Reading page 1 of 3" in window.stage_label.text(), timeout=WAIT_MS)
    assert window.cancel_button.isVisible()

    started = time.monotonic()
    engine.seconds_per_page = 0.0
    window.queue.setFocus()
    qtbot.keyClick(window.queue, Qt.Key.Key_Escape)
    wait_status(qtbot, window, keys[0], CANCELLED)
    assert time.monotonic() - started < 3  # not after the 15 s the pages would have taken
    # the waiting document is not cancelled: it is read next
    wait_status(qtbot, window, keys[1], DONE)
    assert "cancelled" in window.queue.item_text(keys[0])
    qtbot.waitUntil(lambda: not window.cancel_button.isVisible(), timeout=WAIT_MS)

    # The app goes on: a new document runs normally
    (key,) = window.add_paths([str(write_tiff(tmp_path / "after.tif", 1))])
    wait_status(qtbot, window, key, DONE)


def test_bad_files_get_specific_messages_and_the_queue_goes_on(make_window, qtbot, tmp_path):
    window = make_window()
    fake_png = tmp_path / "scan.png"
    fake_png.write_text("this is not an image")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    keys = window.add_paths([str(fake_png), str(empty), str(TEXT_PDF)])
    wait_status(qtbot, window, keys[0], FAILED)
    wait_status(qtbot, window, keys[1], FAILED)
    wait_status(qtbot, window, keys[2], DONE, timeout=60_000)
    assert "Not a supported document (a text file)" in window.queue.item_text(keys[0])
    assert "The file is empty" in window.queue.item_text(keys[1])

    window.queue.select(keys[0])
    assert "Not a supported document" in window.summary_panel.warnings_text()
    assert not window.summary_panel.copy_all_button.isEnabled()
    window.queue.select(keys[2])
    assert window.summary_panel.warnings_text() == ""
    assert "GERD" in window.summary_panel.value("diagnosis")


def test_closing_the_window_during_a_run_stops_the_worker(make_window, qtbot, tmp_path):
    engine = FakeOcr(seconds_per_page=30.0)
    window = make_window(fake_factory(engine))
    window.add_paths([str(write_tiff(tmp_path / "long.tif", 2))])
    assert engine.page_started.wait(10)
    thread = window.runner._thread

    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 5
    assert thread.isFinished()
    assert engine.calls == 1


def test_engine_failure_is_reported_and_the_app_keeps_running(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(BrokenOcr()))
    (key,) = window.add_paths([str(write_tiff(tmp_path / "a.tif", 1))])
    wait_status(qtbot, window, key, FAILED)
    # The row says it short, from the start of the reason; the tooltip has all of it
    assert "failed: The broken engine cannot run here: its model…" in window.queue.item_text(key)
    assert "The broken engine cannot run here: its model folder is incomplete" in window.queue.item_tooltip(key)
    assert "model folder is incomplete" in window.summary_panel.warnings_text()


# --- start-up ---------------------------------------------------------------------------------


def test_window_start_imports_no_heavy_library(tmp_path):
    import subprocess

    code = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from desktop_app.app import create_app\n"
        f"app, w = create_app(store=QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))\n"
        "heavy = [m for m in ('torch', 'transformers', 'rapidocr_onnxruntime', 'cv2', 'pymupdf', 'openvino',"
        " 'onnxruntime') if m in sys.modules]\n"
        "print('visible', w.isVisible(), 'heavy', heavy)\n"
        "w.shutdown()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert "visible True heavy []" in out.stdout


def test_python_m_without_arguments_opens_the_gui(monkeypatch):
    import runpy

    from desktop_app import app as app_module
    from desktop_app import cli

    opened = []
    monkeypatch.setattr(app_module, "run", lambda documents=(), verbose=False: opened.append(documents) or 0)
    monkeypatch.setattr(sys, "argv", ["python -m desktop_app"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("desktop_app", run_name="__main__")
    assert exit_info.value.code == 0 and opened == [[]]
    assert cli.main(["gui", str(TEXT_PDF)]) == 0 and opened[-1] == [str(TEXT_PDF)]
    assert cli.main([]) == 2  # the console script with no arguments still prints its help
