"""Settings → Advanced: the summary server (URL, served model) and how many documents run at once
against server engines, saved in QSettings and handed to the engines (issue #15)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402

from desktop_app import qt_settings  # noqa: E402
from tests import test_gui_settings  # noqa: E402
from tests.test_gui_main import FakeOcr, fake_factory  # noqa: E402
from tests.test_gui_settings import choose, ok_button  # noqa: E402

# The window and settings-store fixtures: windows share one settings file.
store = test_gui_settings.store
make_window = test_gui_settings.make_window

pytestmark = pytest.mark.gui


def test_summary_server_and_concurrency_are_saved_and_reach_the_engines(make_window, qtbot, store):
    # GIVEN the Settings dialog, with the Advanced section still closed
    window = make_window(fake_factory(FakeOcr()))
    dialog = window.open_settings()
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert not dialog.summary_endpoint_edit.isVisible() and not dialog.concurrency_spin.isVisible()

    # WHEN IT opens Advanced, points the summary at a server and allows four documents at once
    dialog.advanced_button.click()
    assert dialog.summary_endpoint_edit.isVisible() and dialog.concurrency_spin.isVisible()
    choose(dialog.summarizer_combo, "openai")
    dialog.summary_endpoint_edit.setText("http://127.0.0.1:8001/v1")
    dialog.summary_served_model_edit.setText("youtu-llm")
    dialog.concurrency_spin.setValue(4)
    with qtbot.waitSignal(window.preferencesChanged, timeout=5000) as changed:
        dialog.accept()

    # THEN the engines get them, and so does a fresh read of the settings file
    engine = changed.args[0].engine_settings()
    assert (engine.summarizer, engine.summary_endpoint, engine.summary_served_model, engine.concurrency) == (
        "openai", "http://127.0.0.1:8001/v1", "youtu-llm", 4)
    store.sync()
    reread = qt_settings.load(QSettings(store.fileName(), QSettings.Format.IniFormat))
    assert reread == window.prefs
    assert (reread.summary_endpoint, reread.summary_served_model, reread.concurrency) == (
        "http://127.0.0.1:8001/v1", "youtu-llm", 4)

    # and the dialog shows them again next time
    again = window.open_settings()
    assert again.summary_endpoint_edit.text() == "http://127.0.0.1:8001/v1"
    assert again.summary_served_model_edit.text() == "youtu-llm" and again.concurrency_spin.value() == 4


def test_a_summary_server_elsewhere_is_refused_until_allowed(make_window, qtbot):
    window = make_window(fake_factory(FakeOcr()))
    dialog = window.open_settings()
    qtbot.waitUntil(dialog.isVisible, timeout=5000)

    # A summary server on another host: OK is disabled, and Advanced opens to say why
    dialog.summary_endpoint_edit.setText("http://gpu-box.clinic.lan:8001/v1")
    assert not ok_button(dialog).isEnabled()
    assert dialog.advanced.isVisible() and "never sent" in dialog.summary_endpoint_problem.text()
    assert dialog.endpoint_problem.isHidden()  # the OCR server is fine: its own line stays empty

    dialog.summary_endpoint_edit.setText("not a url")
    assert "Enter a URL" in dialog.summary_endpoint_problem.text()

    # Allowing the host makes it acceptable
    dialog.summary_endpoint_edit.setText("http://gpu-box.clinic.lan:8001/v1")
    dialog.allowed_hosts_edit.setPlainText("gpu-box.clinic.lan")
    assert ok_button(dialog).isEnabled() and dialog.summary_endpoint_problem.isHidden()


def test_a_server_engine_without_its_server_is_explained(make_window, qtbot):
    window = make_window(fake_factory(FakeOcr()))
    dialog = window.open_settings()
    # GIVEN the summary set to run on a server, with no server given yet
    choose(dialog.summarizer_combo, "openai")
    # THEN OK waits, and the summary server's line says what is missing (the OCR server's stays empty)
    assert not ok_button(dialog).isEnabled()
    assert "runs on a server" in dialog.summary_endpoint_problem.text() and dialog.endpoint_problem.isHidden()
    dialog.summary_endpoint_edit.setText("http://127.0.0.1:8001/v1")
    assert not ok_button(dialog).isEnabled()  # the model name is still missing
    dialog.summary_served_model_edit.setText("youtu-llm")
    assert ok_button(dialog).isEnabled() and dialog.summary_endpoint_problem.isHidden()
    # and the same for the OCR engine
    choose(dialog.ocr_combo, "openai")
    assert not ok_button(dialog).isEnabled() and "runs on a server" in dialog.endpoint_problem.text()
    choose(dialog.ocr_combo, "auto")
    assert ok_button(dialog).isEnabled()


def test_the_server_settings_are_in_chinese(make_window, qtbot):
    window = make_window(fake_factory(FakeOcr()), locale="zh_CN")
    dialog = window.open_settings()
    labels = dialog._labels
    assert labels["summary_endpoint"].text() == "摘要服务器地址"
    assert labels["summary_served_model"].text() == "摘要服务器上的模型名称"
    assert labels["concurrency"].text() == "同时处理的文档数（仅限服务器）"
    assert dialog.concurrency_spin.toolTip().startswith("OCR 和摘要在服务器上运行时")
    choose(dialog.summarizer_combo, "openai")
    assert dialog.summary_endpoint_problem.text() == "所选引擎在服务器上运行：请填写服务器地址及其上的模型名称。"


def test_a_malformed_saved_concurrency_falls_back_to_one(tmp_path):
    # GIVEN a settings file edited by hand (or by an older version) with bad values
    ini = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ini.setValue("engines/concurrency", "lots")
    ini.setValue("engines/device", "tpu")
    ini.setValue("network/summary_endpoint", "http://127.0.0.1:8001/v1")
    ini.sync()
    prefs = qt_settings.load(QSettings(ini.fileName(), QSettings.Format.IniFormat))
    # THEN each bad value takes its default; the good one is kept
    assert (prefs.concurrency, prefs.device, prefs.summary_endpoint) == (1, "auto", "http://127.0.0.1:8001/v1")
    ini.setValue("engines/concurrency", "0")
    ini.sync()
    assert qt_settings.load(QSettings(ini.fileName(), QSettings.Format.IniFormat)).concurrency == 1
    ini.setValue("engines/concurrency", "3")
    ini.sync()
    assert qt_settings.load(QSettings(ini.fileName(), QSettings.Format.IniFormat)).concurrency == 3


def test_with_advanced_open_the_dialog_still_fits_the_screen(make_window, qtbot):
    # GIVEN a screen shorter than every option together (offscreen: 800 px)
    window = make_window(fake_factory(FakeOcr()))
    dialog = window.open_settings()
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    room = dialog.screen().availableGeometry().height()
    # WHEN Advanced opens
    dialog.advanced_button.click()
    # THEN the options scroll inside a dialog no taller than the screen, and OK / Cancel stay in view
    assert dialog._content.sizeHint().height() > room - 60
    assert dialog.height() <= room
    assert dialog.buttons.isVisible() and dialog.buttons.geometry().bottom() <= dialog.height()
    # and a problem in a server URL is scrolled into view
    dialog.summary_endpoint_edit.setText("not a url")
    qtbot.waitUntil(lambda: not dialog.summary_endpoint_problem.visibleRegion().isEmpty(), timeout=2000)


def test_why_history_is_unavailable_is_told_in_the_ui_language(make_window, qtbot):
    # GIVEN no secure keyring (tests force keyring's fail backend) and a Chinese UI
    window = make_window(fake_factory(FakeOcr()), locale="zh_CN")
    dialog = window.open_settings()
    # THEN the technical reason in the tooltip is Chinese too
    assert not dialog.keep_history_check.isEnabled()
    assert dialog.history_reason_label.toolTip().startswith("没有可用的安全系统密钥环")
