"""Screenshots of the real desktop app's main states, in Chinese and English.

    .venv/bin/python scripts/screenshots.py --out /tmp/shots [--size 1366x768 --size 1600x1000]

(Without a display the script re-runs itself under `xvfb-run`, one virtual screen per size.) Each
language and screen size runs in its own process, like a cold start: the app is built by
`create_app()` with a throw-away settings file, the window fills the screen, a bundled sample scan
is dropped in and read by the embedded engines, and PNGs `{lang}_{state}_{W}x{H}.png` are saved for
empty / running / done (a field clicked: its evidence zoomed to) / queue (a reviewed document, a
failure with its short reason, the next patient) / multipage (a 3-page scan with its page
thumbnails, the third page picked in the strip) / settings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {"zh_CN": ROOT / "resources/samples/zh_outpatient_note_scan.jpg",
           "en": ROOT / "resources/samples/en_progress_note_scan.jpg"}
STATES = ("empty", "running", "done", "queue", "multipage", "settings")
SIZES = ("1366x768", "1600x1000")


def wait_until(predicate, timeout: float = 60.0) -> bool:
    """Run the event loop until `predicate()` is true (polled every 50 ms) or the timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: (predicate() or time.monotonic() > deadline) and loop.quit())
    timer.start()
    if not predicate():
        loop.exec()
    timer.stop()
    return bool(predicate())


def settle(ms: int = 300) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class _HeldEngine:
    """The real OCR engine, holding the sample's first page until the "running" shot is taken
    (the embedded OCR can read a page before a screenshot could catch it)."""

    def __init__(self, engine, gate) -> None:
        self.name = engine.name
        self._engine = engine
        self._gate = gate

    def recognize(self, page, **kwargs):
        if page.width > 32:  # not the worker's warm-up page
            self._gate.wait(120)
        return self._engine.recognize(page, **kwargs)


def shoot_language(language: str, out: Path, size: str = "1600x1000") -> list[Path]:
    from PIL import Image
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QGuiApplication

    from desktop_app import qt_settings
    from desktop_app.app import create_app
    from desktop_app.jobs.runner import default_pipeline_factory
    from desktop_app.ui.queue_list import DONE

    gate = threading.Event()

    def pipeline_factory(settings, ui_language):
        from desktop_app.pipeline import Pipeline

        engine = default_pipeline_factory(settings, ui_language).ocr_engine()
        return Pipeline(settings, ui_language=ui_language, ocr_engine=_HeldEngine(engine, gate))

    settings_dir = Path(tempfile.mkdtemp(prefix="emr-shots-"))
    store = QSettings(str(settings_dir / "settings.ini"), QSettings.Format.IniFormat)
    store.setValue(qt_settings.Key.UI_LANGUAGE.value, language)
    app, window = create_app(store=store, pipeline_factory=pipeline_factory)
    width, height = (int(v) for v in size.split("x"))
    window.move(0, 0)
    window.resize(width, height)  # Xvfb has no window manager: "maximized" is the screen's size
    saved: list[Path] = []
    tag = "zh" if language.startswith("zh") else "en"

    def save(state: str, whole_screen: bool = False) -> None:
        settle()
        target = out / f"{tag}_{state}_{size}.png"
        if whole_screen:
            geometry = window.frameGeometry()
            pixmap = QGuiApplication.primaryScreen().grabWindow(0, geometry.x(), geometry.y(),
                                                                 geometry.width(), geometry.height())
        else:
            pixmap = window.grab()
        pixmap.save(str(target))
        saved.append(target)
        print(f"saved {target}", flush=True)

    try:
        wait_until(window.isVisible, 10)
        save("empty")

        (key,) = window.add_paths([str(SAMPLES[language])])
        wait_until(lambda: window.page_view.has_image() and window.sessions[key].status == "running"
                   and "1" in window.stage_label.text(), 60)
        save("running")
        gate.set()

        if not wait_until(lambda: window.sessions[key].status == DONE, 180):
            raise SystemExit(f"the sample was not read in time ({window.sessions[key].status})")
        wait_until(window.page_view.has_image, 30)
        summary = window.sessions[key].summary
        shown = next((name for name in ("plan", "diagnosis", "chief_complaint")
                      if summary and summary.fields()[name].status == "found"), "plan")
        window.summary_panel.fields[shown].editor.setFocus()
        window.highlight_field(shown)
        save("done")

        # The queue at work: the first document marked done, a file that is not a scan (its short
        # reason in the list), and the next patient on screen.
        bad = settings_dir / ("检查单.png" if tag == "zh" else "lab_order.png")
        bad.write_text("not an image")
        (second,) = window.add_paths([str(SAMPLES[language])])
        (bad_key,) = window.add_paths([str(bad)])
        wait_until(lambda: window.sessions[second].status == DONE and window.sessions[bad_key].status == "failed",
                   180)
        window.done_next_action.trigger()
        wait_until(window.page_view.has_image, 30)
        save("queue")

        # A 3-page scanned PDF: the thumbnail strip, evidence pages marked, the third page picked.
        pages = [SAMPLES[language], *(path for name, path in SAMPLES.items() if name != language)]
        images = [Image.open(pages[i % len(pages)]).convert("RGB") for i in range(3)]
        multi = settings_dir / ("多页病历.pdf" if tag == "zh" else "multi_page_note.pdf")
        images[0].save(multi, "PDF", resolution=200, save_all=True, append_images=images[1:])
        (multi_key,) = window.add_paths([str(multi)])
        if not wait_until(lambda: window.sessions[multi_key].status == DONE, 300):
            raise SystemExit(f"the 3-page scan was not read in time ({window.sessions[multi_key].status})")
        window.queue.select(multi_key)
        strip = window.thumbnails
        wait_until(lambda: strip.count() == 3 and all(strip.has_thumbnail(i) for i in range(3)), 30)
        multi_summary = window.sessions[multi_key].summary
        window.highlight_field(next((name for name in ("chief_complaint", "diagnosis", "plan")
                                     if multi_summary and multi_summary.fields()[name].status == "found"),
                                    "chief_complaint"))
        wait_until(lambda: window.page_view.current_index() == 0, 30)
        strip.setCurrentRow(2)  # as a click on the third thumbnail does
        wait_until(lambda: window.page_view.current_index() == 2, 30)
        save("multipage")

        dialog = window.open_settings()
        wait_until(dialog.isVisible, 5)
        dialog.move(window.frameGeometry().center() - dialog.rect().center())
        save("settings", whole_screen=True)
        dialog.reject()
    finally:
        gate.set()
        window.close()
        app.processEvents()
        shutil.rmtree(settings_dir, ignore_errors=True)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("/tmp/shots"), help="folder for the PNGs")
    parser.add_argument("--lang", action="append", choices=sorted(SAMPLES),
                        help="UI language (repeatable; default: both)")
    parser.add_argument("--size", action="append", choices=SIZES,
                        help="screen size (repeatable; default: both)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # child process mode
    args = parser.parse_args(argv)
    languages = args.lang or ["zh_CN", "en"]
    sizes = args.size or list(SIZES)
    args.out.mkdir(parents=True, exist_ok=True)

    if args.one:
        shoot_language(languages[0], args.out, sizes[0])
        return 0
    status = 0
    for size in sizes:
        for language in languages:  # one process per language and size: a cold start each
            command = [sys.executable, __file__, "--one", "--lang", language, "--size", size, "--out", str(args.out)]
            if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
                status |= subprocess.call(command)
                continue
            xvfb = shutil.which("xvfb-run")
            if xvfb is None:
                print("No display and no xvfb-run: install xvfb (apt-get install xvfb)", file=sys.stderr)
                return 2
            status |= subprocess.call([xvfb, "-a", "-s", f"-screen 0 {size}x24", *command])
    return status


if __name__ == "__main__":
    sys.exit(main())
