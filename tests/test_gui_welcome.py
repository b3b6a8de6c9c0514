"""The first-run welcome: shown once, model folders chosen or imported off the GUI thread, doctor shown."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402

from desktop_app import errors, model_store, qt_settings  # noqa: E402
from desktop_app.doctor import FAIL, OK, WARN, Check  # noqa: E402
from tests import test_gui_main as gui  # noqa: E402
from tests.test_model_store import fake_model  # noqa: E402

store = gui.store
make_window = gui.make_window

pytestmark = pytest.mark.gui

CHECKS = [Check("python", OK, "python_ok", {"version": "3.11.7", "executable": "/usr/bin/python3"}),
          Check("keyring", WARN, "keyring_none", {"found": "keyring.backends.fail.Keyring"}),
          Check("fonts", OK, "fonts_ok", {"families": "Noto Sans CJK SC"})]


def slow_doctor(results=CHECKS, seconds: float = 0.2):
    """A doctor that takes a while (like importing torch) and records the thread it ran on."""
    threads = []

    def run():
        threads.append(threading.current_thread())
        time.sleep(seconds)
        return list(results)

    run.threads = threads
    return run


def test_welcome_is_pending_once_and_shows_the_doctor(make_window, qtbot, store):
    # GIVEN a fresh settings store
    window = make_window()
    assert qt_settings.welcome_pending(store)
    doctor = slow_doctor()

    # WHEN the welcome opens
    with qtbot.waitSignal(window.show_welcome(run_doctor=doctor).doctorFinished, timeout=10_000):
        dialog = window.welcome_dialog
        assert dialog.isVisible()
        assert "Checking" in dialog.doctor_summary.text()  # the GUI thread is free while it runs

    # THEN the doctor ran off the GUI thread and its lines are shown; the welcome is not pending again
    assert doctor.threads and doctor.threads[0] is not threading.main_thread()
    text = dialog.doctor_view.toPlainText()
    assert "[WARN] keyring    no secure OS keyring" in text and "Python 3.11.7" in text
    assert "1 warning" in dialog.doctor_summary.text()
    assert "embedded" in dialog.intro.text()
    assert not qt_settings.welcome_pending(store)
    assert not qt_settings.welcome_pending(QSettings(store.fileName(), QSettings.Format.IniFormat))


def test_a_failing_check_is_summarized(make_window, qtbot):
    window = make_window()
    results = CHECKS + [Check("model", FAIL, "model_bad", {"label": "OCR model", "path": "/models/ocr",
                                                             "problems": "weight shard missing"})]
    with qtbot.waitSignal(window.show_welcome(run_doctor=slow_doctor(results, 0)).doctorFinished):
        pass
    assert "1 problem" in window.welcome_dialog.doctor_summary.text()


def test_pointing_at_model_folders_saves_them(make_window, qtbot, store, tmp_path):
    window = make_window()
    dialog = window.show_welcome(run_doctor=slow_doctor(seconds=0))
    qtbot.waitUntil(lambda: dialog.doctor_results is not None)
    ocr = fake_model(tmp_path / "DeepSeek-OCR-2", "deepseek_ocr2")
    llm = fake_model(tmp_path / "Youtu-LLM-2B")

    dialog.folder_edits["ocr"].setText(str(ocr))
    dialog.folder_edits["summary"].setText(str(llm))
    dialog.use_checks["summary"].setChecked(True)
    with qtbot.waitSignal(window.preferencesChanged):
        dialog.accept()

    saved = qt_settings.load(QSettings(store.fileName(), QSettings.Format.IniFormat))
    assert (saved.ocr_model, saved.summarizer_model) == (str(ocr), str(llm))
    assert (saved.ocr_engine, saved.summarizer) == ("auto", "llm")  # only the ticked model is used


def test_import_copies_in_the_background_and_fills_the_folder(make_window, qtbot, tmp_path, monkeypatch):
    # GIVEN the app's models folder in tmp_path and a model folder on a "USB drive"
    root = tmp_path / "data" / "models"
    monkeypatch.setattr(model_store.paths, "models_dir", lambda: root)
    source = fake_model(tmp_path / "usb" / "Youtu-LLM-2B")
    threads = []

    def importer(src, kind, progress, cancel):
        threads.append(threading.current_thread())
        return model_store.import_model(src, kind, progress=progress, cancel=cancel)

    window = make_window()
    dialog = window.show_welcome(run_doctor=slow_doctor(seconds=0), importer=importer)

    # WHEN the user imports it as the summary model
    with qtbot.waitSignal(dialog.importFinished, timeout=10_000) as finished:
        dialog.start_import(source, "summary")
        assert dialog.is_importing() and not dialog.buttons.isEnabled()

    # THEN it was copied off the GUI thread into the models folder, and the folder field points there
    assert threads[0] is not threading.main_thread()
    target = root / "summary" / "Youtu-LLM-2B"
    assert finished.args == ["summary", str(target)]
    assert dialog.folder_edits["summary"].text() == str(target)
    assert model_store.verify_model(model_store.find_model("Youtu-LLM-2B", root)).ok
    assert "Imported to" in dialog.import_status.text()
    assert dialog.buttons.isEnabled() and not dialog.is_importing()


def test_a_refused_import_shows_the_reason(make_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(model_store.paths, "models_dir", lambda: tmp_path / "models")
    window = make_window()
    dialog = window.show_welcome(run_doctor=slow_doctor(seconds=0))
    with qtbot.waitSignal(dialog.importFinished, timeout=10_000) as finished:
        dialog.start_import(fake_model(tmp_path / "ocr", "deepseek_ocr2"), "summary")
    assert finished.args == ["summary", ""]
    assert "--as ocr" in dialog.import_status.text()
    assert dialog.folder_edits["summary"].text() == ""


def test_escape_during_an_import_cancels_the_copy_first(make_window, qtbot, tmp_path):
    started = threading.Event()

    def endless_import(src, kind, progress, cancel):
        started.set()
        while True:  # like a copy from a slow USB drive, checking the flag between chunks
            progress.update("import", 1, 10)
            cancel.raise_if_cancelled()
            time.sleep(0.01)

    window = make_window()
    dialog = window.show_welcome(run_doctor=slow_doctor(seconds=0), importer=endless_import)
    with qtbot.waitSignal(dialog.importFinished, timeout=10_000):
        dialog.start_import(tmp_path, "ocr")
        assert started.wait(5)
        dialog.reject()  # Esc: cancels the import, the dialog stays
        assert dialog.isVisible()
    assert "cancelled" in dialog.import_status.text()
    dialog.reject()
    assert not dialog.isVisible()


def test_closing_the_window_stops_a_running_import(make_window, qtbot, tmp_path):
    cancelled = threading.Event()

    def endless_import(src, kind, progress, cancel):
        try:
            while True:
                cancel.raise_if_cancelled()
                time.sleep(0.01)
        except errors.Cancelled:
            cancelled.set()
            raise

    window = make_window()
    dialog = window.show_welcome(run_doctor=slow_doctor(seconds=0), importer=endless_import)
    dialog.start_import(tmp_path, "ocr")
    window.shutdown()
    assert cancelled.is_set()
    assert not any(task.isRunning() for task in dialog._tasks)


def test_help_menu_reopens_the_welcome(make_window, qtbot, monkeypatch):
    from desktop_app.ui import welcome_dialog

    monkeypatch.setattr(welcome_dialog, "default_doctor", slow_doctor(seconds=0))
    window = make_window()
    assert window.welcome_action in window.help_menu.actions()
    window.welcome_action.trigger()  # Help → Welcome and health check…
    first = window.welcome_dialog
    assert first is not None and first.isVisible()
    qtbot.waitUntil(lambda: first.doctor_results is not None)
    first.accept()
    second = window.show_welcome(run_doctor=slow_doctor(seconds=0))
    qtbot.waitUntil(lambda: second.doctor_results is not None)
    assert second.isVisible()
    second.accept()


def test_the_real_doctor_lines_appear(make_window, qtbot, monkeypatch, tmp_path):
    """The default doctor, with torch's probe replaced (importing torch takes seconds on 2 cores)."""
    from desktop_app import doctor

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(doctor, "probe_torch", lambda: doctor.TorchInfo(False))
    monkeypatch.setattr(doctor, "probe_configured_models", lambda: [])
    window = make_window()
    with qtbot.waitSignal(window.show_welcome().doctorFinished, timeout=30_000):
        pass
    text = window.welcome_dialog.doctor_view.toPlainText()
    assert "] python " in text and "] network " in text and "] fonts " in text


def test_ini_flag_round_trip(tmp_path):
    store = QSettings(str(Path(tmp_path) / "s.ini"), QSettings.Format.IniFormat)
    assert qt_settings.welcome_pending(store)
    qt_settings.mark_welcome_shown(store)
    assert not qt_settings.welcome_pending(QSettings(store.fileName(), QSettings.Format.IniFormat))


def test_the_health_check_is_shown_in_chinese_in_the_chinese_ui(make_window, qtbot):
    window = make_window(locale="zh_CN")
    with qtbot.waitSignal(window.show_welcome(run_doctor=slow_doctor(seconds=0)).doctorFinished):
        pass
    view = window.welcome_dialog.doctor_view.toPlainText()
    assert "[警告] 密钥环：" in view and "[正常] 字体：" in view
    assert "2 项正常，1 项警告，0 项错误" in view
    # the details too, not only the names: what to do about the keyring is said in Chinese
    assert "[警告] 密钥环：没有安全的系统密钥环（历史记录保持关闭；无法保存服务器 API 密钥）" in view
    assert "[正常] 字体：中文字体：Noto Sans CJK SC" in view
    assert "no secure OS keyring" not in view and "Chinese fonts" not in view
    # the model rows name the engine the registry runs a model folder with
    assert window.welcome_dialog.use_checks["ocr"].text() == "用此模型（deepseek-ocr2）代替内置 OCR 识别扫描件"
    assert window.welcome_dialog.doctor_summary.text() == "可以使用。1 条警告：请查看标为“警告”的行。"
