"""Capture the first-run welcome dialog for the README, under Xvfb, with a throw-away settings store.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_welcome.py en docs/screenshots
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_welcome.py zh_CN docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from screenshots import settle, wait_until  # noqa: E402


def main(language: str, out: Path) -> None:
    from PIL import Image
    from PySide6.QtCore import QSettings

    from desktop_app import qt_settings
    from desktop_app.app import create_app

    folder = Path(tempfile.mkdtemp())
    store = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    store.setValue(qt_settings.Key.UI_LANGUAGE.value, language)
    app, window = create_app(store=store, warm_up=False)
    window.resize(1200, 800)
    wait_until(window.isVisible, 10)
    dialog = window.show_welcome()
    wait_until(lambda: dialog.doctor_results is not None, 60)
    dialog.resize(820, 700)
    settle(500)
    raw = folder / "shot.png"
    dialog.grab().save(str(raw))
    target = out / f"{'zh' if language.startswith('zh') else 'en'}_welcome.png"
    # A 128-colour palette keeps the README's screenshots small.
    Image.open(raw).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    print("saved", target)
    dialog.accept()
    window.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
