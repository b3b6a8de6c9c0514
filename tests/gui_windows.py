"""The real main window for GUI tests: built by the app factory, shut down after the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings

from desktop_app.app import create_app


def window_factory(qtbot, tmp_path: Path, **app_options) -> Iterator:
    """For a fixture: `yield from window_factory(qtbot, tmp_path)` gives `make(pipeline_factory=None,
    locale="en_US", store=None)`. Each window gets its own settings file unless `store` is given;
    no warm-up (tests that need no OCR should not pay for starting it, on 2 shared cores)."""
    windows = []

    def make(pipeline_factory=None, locale: str = "en_US", store: QSettings | None = None):
        if store is None:
            store = QSettings(str(tmp_path / f"settings{len(windows)}.ini"), QSettings.Format.IniFormat)
        _app, window = create_app(store=store, pipeline_factory=pipeline_factory, system_locale=locale,
                                  warm_up=False, **app_options)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()
