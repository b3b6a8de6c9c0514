"""Settings dialog, QSettings persistence and the two UI languages."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from desktop_app import qt_settings  # noqa: E402
from desktop_app.ui.queue_list import DONE, FAILED  # noqa: E402
from tests import test_gui_main as gui  # noqa: E402
from tests.test_gui_main import FakeOcr, fake_factory, wait_status, write_tiff  # noqa: E402

# The window and settings-store fixtures, shared with test_gui_main.
store = gui.store
make_window = gui.make_window

pytestmark = pytest.mark.gui


def choose(combo, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def ok_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_settings_round_trip_through_an_ini_file(make_window, qtbot, tmp_path, store):
    # GIVEN a window with default settings, and a model folder on disk
    window = make_window(fake_factory(FakeOcr()))
    models = tmp_path / "models" / "ocr"
    models.mkdir(parents=True)
    (models / "config.json").write_text("{}")

    # WHEN the user changes preferences in the dialog and presses OK
    dialog = window.open_settings()
    choose(dialog.device_combo, "cpu")
    choose(dialog.output_language_combo, "zh")
    choose(dialog.quantization_combo, "8bit")
    dialog.endpoint_edit.setText("http://ocr-box.clinic.lan:8000/v1")
    dialog.allowed_hosts_edit.setPlainText("ocr-box.clinic.lan\n")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    # THEN they are in the ini file, and a fresh read gives the same preferences
    store.sync()
    reread = qt_settings.load(QSettings(store.fileName(), QSettings.Format.IniFormat))
    assert reread == window.prefs
    assert (reread.device, reread.output_language, reread.quantization) == ("cpu", "zh", "8bit")
    assert reread.allowed_hosts == ("ocr-box.clinic.lan",)
    engine = reread.engine_settings()
    assert engine.output_language == "zh" and engine.quantization == "8bit"
    assert engine.endpoint == "http://ocr-box.clinic.lan:8000/v1"

    # and a new window opened on the same file shows them in its dialog
    again = make_window(fake_factory(FakeOcr())).open_settings()
    assert again.device_combo.currentData() == "cpu"
    assert again.allowed_hosts_edit.toPlainText() == "ocr-box.clinic.lan"


def test_allowed_hosts_from_settings_reach_the_network_guard(make_window, qtbot):
    from desktop_app.privacy import network

    network.install(())  # as `emr-assist gui` does before the window opens
    try:
        window = make_window(fake_factory(FakeOcr()))
        assert "ocr-box.clinic.lan" not in str(network.posture())
        dialog = window.open_settings()
        dialog.allowed_hosts_edit.setPlainText("ocr-box.clinic.lan")
        dialog.accept()
        assert "ocr-box.clinic.lan" in str(network.posture())
    finally:
        network.uninstall()


def test_settings_hold_no_note_text_or_paths(make_window, qtbot, tmp_path, store):
    window = make_window(fake_factory(FakeOcr()))
    (key,) = window.add_paths([str(write_tiff(tmp_path / "patient-wang.tif", 1))])
    wait_status(qtbot, window, key, DONE)
    window.summary_panel.fields["plan"].editor.setPlainText("Edited plan text")
    window.page_view.boxes_check.setChecked(True)  # a preference that is saved at once
    window.close()
    content = Path(store.fileName()).read_text(encoding="utf-8")
    assert "show_line_boxes=true" in content
    for secret in ("Cough", "bronchitis", "Edited plan", "patient-wang"):
        assert secret not in content


def test_output_language_sets_the_copied_labels(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr()))
    (key,) = window.add_paths([str(write_tiff(tmp_path / "n.tif", 1))])
    wait_status(qtbot, window, key, DONE)
    dialog = window.open_settings()
    choose(dialog.output_language_combo, "zh")
    dialog.accept()
    window.summary_panel.copy_all()
    assert QGuiApplication.clipboard().text() == (
        "主诉：Cough for three days.\n诊断：Acute bronchitis.\n处理：Rest, fluids, review in one week.\n")


def test_bad_model_folder_and_endpoint_are_explained_and_block_ok(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr()))
    dialog = window.open_settings()
    dialog.summarizer_model.line.setText(str(tmp_path / "no-such-folder"))
    assert not ok_button(dialog).isEnabled()
    assert dialog.summarizer_model.problem.text() == "This folder does not exist."
    empty = tmp_path / "empty"
    empty.mkdir()
    dialog.summarizer_model.line.setText(str(empty))
    assert "model files are missing" in dialog.summarizer_model.problem.text()
    dialog.summarizer_model.line.setText("")
    assert ok_button(dialog).isEnabled()

    dialog.endpoint_edit.setText("http://203.0.113.7:8000/v1")
    assert not ok_button(dialog).isEnabled()
    assert "never sent" in dialog.endpoint_problem.text()
    dialog.endpoint_edit.setText("http://127.0.0.1:8000/v1")
    assert ok_button(dialog).isEnabled()


def test_new_files_in_the_scan_inbox_join_the_queue(make_window, qtbot, tmp_path):
    # GIVEN an inbox folder that already holds an old scan
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_tiff(inbox / "old.tif", 1)
    window = make_window(fake_factory(FakeOcr()))
    dialog = window.open_settings()
    dialog.inbox_folder.line.setText(str(tmp_path / "missing"))
    assert not ok_button(dialog).isEnabled()
    dialog.inbox_folder.line.setText(str(inbox))
    dialog.accept()
    assert window.prefs.inbox_folder == str(inbox)

    # WHEN a scanner drops a new file there (written in two steps)
    partial = inbox / "new.tif"
    write_tiff(tmp_path / "staged.tif", 1)
    data = (tmp_path / "staged.tif").read_bytes()
    partial.write_bytes(data[:10])
    qtbot.wait(200)
    partial.write_bytes(data)

    # THEN only the new file is queued, once complete, and read
    qtbot.waitUntil(lambda: len(window.sessions) == 1, timeout=10_000)
    session = next(iter(window.sessions.values()))
    assert Path(session.path).name == "new.tif"
    wait_status(qtbot, window, session.key, DONE)
    qtbot.wait(1500)
    assert len(window.sessions) == 1


def test_chinese_system_locale_gives_a_chinese_ui(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr()), locale="zh_CN")
    assert window.file_menu.title() == "文件(&F)"
    assert window.summary_panel.fields["chief_complaint"].title.text() == "主诉"
    assert window.summary_panel.review_label.text().startswith("使用前请核对")
    bad = tmp_path / "bad.png"
    bad.write_text("not an image")
    keys = window.add_paths([str(bad), str(write_tiff(tmp_path / "ok.tif", 1))])
    wait_status(qtbot, window, keys[0], FAILED)
    wait_status(qtbot, window, keys[1], DONE)
    assert "不支持的文件" in window.queue.item_text(keys[0])  # the error, in the user's language
    assert "待核对" in window.queue.item_text(keys[1])


def test_switching_the_ui_language_needs_no_restart(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr()))
    (key,) = window.add_paths([str(write_tiff(tmp_path / "n.tif", 1))])
    wait_status(qtbot, window, key, DONE)
    assert window.file_menu.title() == "&File"
    dialog = window.open_settings()
    choose(dialog.ui_language_combo, "zh_CN")
    dialog.accept()
    qtbot.waitUntil(lambda: window.file_menu.title() == "文件(&F)", timeout=5000)
    assert window.summary_panel.copy_all_button.text() == "全部复制"
    assert "待核对" in window.queue.item_text(key)
    # and the worker's messages follow: a bad file is now explained in Chinese
    bad = tmp_path / "bad.png"
    bad.write_text("not an image")
    (bad_key,) = window.add_paths([str(bad)])
    wait_status(qtbot, window, bad_key, FAILED)
    assert "不支持的文件" in window.queue.item_text(bad_key)
    dialog = window.open_settings()
    choose(dialog.ui_language_combo, "en")
    dialog.accept()
    qtbot.waitUntil(lambda: window.file_menu.title() == "&File", timeout=5000)
    assert "ready to review" in window.queue.item_text(key)


def test_everyday_options_first_and_engines_under_advanced(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(FakeOcr()))
    dialog = window.open_settings()
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    # A clinician sees languages, text size, the copy template, inbox and history; not engines or servers
    assert dialog.font_size_combo.isVisible() and dialog.label_style_combo.isVisible()
    assert not dialog.quantization_combo.isVisible() and not dialog.endpoint_edit.isVisible()
    dialog.advanced_button.click()
    assert dialog.quantization_combo.isVisible() and dialog.endpoint_edit.isVisible()
    dialog.advanced_button.click()
    # A problem in an advanced option opens the section, so the disabled OK is explained
    dialog.ocr_model.line.setText(str(tmp_path / "missing-model"))
    assert dialog.advanced.isVisible() and dialog.ocr_model.problem.isVisible()
    assert not ok_button(dialog).isEnabled()
    dialog.ocr_model.line.setText("")
    choose(dialog.font_size_combo, "14")
    choose(dialog.separator_combo, "blank_line")
    dialog.accept()
    assert window.prefs.font_size == "14" and window.prefs.copy_separator == "blank_line"
    assert window.summary_panel.fields["plan"].editor.font().pointSize() == 14
