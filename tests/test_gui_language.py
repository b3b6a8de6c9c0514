"""The window in the user's language: errors and warnings already shown are shown again in the new
language after a switch (in the list row, its tooltip, the banner, the page strip and on the page),
and the reason history cannot be kept (no secure keyring) is said in Chinese in the Chinese UI.

Offscreen Qt, fake OCR engines in the real Pipeline; conftest forces the fail keyring backend.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402

from desktop_app import errors  # noqa: E402
from desktop_app.models import Summary, SummaryField  # noqa: E402
from desktop_app.summarize.guard import check_summary  # noqa: E402
from desktop_app.ui.queue_list import DONE, FAILED  # noqa: E402
from tests.gui_windows import window_factory  # noqa: E402
from tests.test_gui_main import BrokenOcr, FakeOcr, fake_factory, wait_status, write_tiff  # noqa: E402

pytestmark = pytest.mark.gui


class UnreadablePages:
    """Every page fails with a typed page error: the document fails with the first page's error."""

    name = "fake-ocr"

    def recognize(self, page, *, cancel, progress):
        raise errors.PageError(page=page.index + 1, detail="the recogniser gave up")


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path, history_path=tmp_path / "history.sqlite3")


def switch_language(qtbot, window, language: str, menu_title: str) -> None:
    window.apply_preferences(replace(window.prefs, ui_language=language))
    qtbot.waitUntil(lambda: window.file_menu.title() == menu_title, timeout=5000)


def test_errors_shown_before_a_switch_are_shown_in_the_new_language(make_window, qtbot, tmp_path):
    # GIVEN a file that is not a document and a scan whose every page fails, both failed in English
    window = make_window(fake_factory(UnreadablePages()))
    not_a_scan = tmp_path / "scan.png"
    not_a_scan.write_text("not an image")
    scan = write_tiff(tmp_path / "pages.tif", 2)
    bad, unreadable = window.add_paths([str(not_a_scan), str(scan)])
    wait_status(qtbot, window, bad, FAILED)
    wait_status(qtbot, window, unreadable, FAILED)
    english = errors.PageError(page=1, detail="the recogniser gave up").message("en")
    window.queue.select(unreadable)
    assert english in window.queue.item_tooltip(unreadable)
    assert english in window.summary_panel.warnings_text()
    assert "Not a supported document" in window.queue.item_tooltip(bad)

    # WHEN the user switches the UI to Chinese
    switch_language(qtbot, window, "zh_CN", "文件(&F)")

    # THEN the row, its tooltip and the banner say it in Chinese, and nothing English is left
    chinese = errors.PageError(page=1, detail="the recogniser gave up").message("zh")
    assert chinese in window.queue.item_tooltip(unreadable)
    assert "第 1 页无法识别" in window.queue.item_text(unreadable)
    assert chinese in window.summary_panel.warnings_text()
    assert "could not be read" not in window.summary_panel.warnings_text()
    qtbot.waitUntil(lambda: window.thumbnails.count() == 2, timeout=10_000)
    assert "第 2 页无法识别" in window.thumbnails.item(1).toolTip()  # the page strip's reason too
    unsupported = errors.UnsupportedFormat(found="x", path=str(not_a_scan)).message("zh")
    assert unsupported.split("（")[0] in window.queue.item_tooltip(bad)  # "不支持的文件"
    assert "Not a supported document" not in window.queue.item_tooltip(bad)
    window.queue.select(bad)
    assert "不支持的文件" in window.page_view._message.text()  # the failure, shown where the page would be

    # AND back in English
    switch_language(qtbot, window, "en", "&File")
    assert english in window.queue.item_tooltip(unreadable)


def test_an_engine_error_is_re_rendered_after_a_language_switch(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(BrokenOcr("model")))
    (key,) = window.add_paths([str(write_tiff(tmp_path / "a.tif", 1))])
    wait_status(qtbot, window, key, FAILED)
    assert "cannot run here" in window.queue.item_tooltip(key)

    switch_language(qtbot, window, "zh_CN", "文件(&F)")
    chinese = errors.EngineUnavailable(name="broken", detail="model").message("zh")
    assert chinese in window.queue.item_tooltip(key)
    assert chinese in window.summary_panel.warnings_text()


class TruncatingOcr(FakeOcr):
    """Reads the note, with the model engines' notice that the page was cut at the token cap."""

    def recognize(self, page, *, cancel, progress):
        output = super().recognize(page, cancel=cancel, progress=progress)
        output.warnings.append(errors.OcrTruncatedAtCap(page=page.index + 1, cap=8192))
        return output


def test_an_ocr_notice_in_the_banner_is_re_rendered_after_a_switch(make_window, qtbot, tmp_path):
    window = make_window(fake_factory(TruncatingOcr()))
    (key,) = window.add_paths([str(write_tiff(tmp_path / "note.tif", 1))])
    wait_status(qtbot, window, key, DONE)
    assert "truncated at the token cap (8192 tokens)" in window.summary_panel.warnings_text()

    switch_language(qtbot, window, "zh_CN", "文件(&F)")
    assert errors.OcrTruncatedAtCap(page=1, cap=8192).message("zh") in window.summary_panel.warnings_text()
    assert "truncated" not in window.summary_panel.warnings_text()


def test_the_keyring_reason_is_shown_in_chinese(make_window, qtbot, tmp_path):
    # GIVEN history turned on, a Chinese UI, and no secure keyring on this machine (the fail backend)
    store = QSettings(str(tmp_path / "zh.ini"), QSettings.Format.IniFormat)
    store.setValue("privacy/keep_history", True)
    store.sync()

    # WHEN the window starts (the worker tries to open the history)
    window = make_window(locale="zh_CN", store=store)

    # THEN the status bar says why history is off, in Chinese
    qtbot.waitUntil(lambda: "历史记录已关闭" in window.statusBar().currentMessage(), timeout=10_000)
    message = window.statusBar().currentMessage()
    assert "没有可用的安全系统密钥环" in message and "keyring.backends.fail" in message
    assert "no secure OS keyring" not in message


def test_a_fact_the_document_does_not_state_is_flagged_in_both_languages():
    # The guard keeps both texts, so a warning shown before a switch can be shown again after it.
    summary = Summary(plan=SummaryField("Amoxicillin 875 mg twice daily.", "found"))
    check_summary(summary, "PLAN: Amoxicillin 500 mg three times daily.", ui_language="en")
    warning = next(w for w in summary.warnings if w.code == "unsupported_fact")
    assert warning.message == warning.messages["en"] and "875" in warning.messages["en"]
    assert "875" in warning.messages["zh"] and "原文中未找到" in warning.messages["zh"]
