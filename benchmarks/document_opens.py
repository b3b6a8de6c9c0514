"""How many times the GUI opens and hashes one dropped document before its summary shows.

    .venv/bin/python benchmarks/document_opens.py [--pages 4]

A scanned-like PDF (the bundled samples) is dropped into the real window (its audit log on, so
the "open" entry is written, and the embedded OCR reading every page); the run waits until the
summary, the first page and the thumbnails are shown. Counted, for that file only:
- opens: `pymupdf.open` calls (each parses the PDF);
- hashes: full reads of the file for a SHA-256 — Python-level `open(path, "rb")` calls, seen
  through an audit hook (the hash is the only code that opens a PDF that way).
Issue #14 asks for one of each per job. Counted in the app's process: PDF pages are rendered by
a helper process (desktop_app/jobs/render_process.py), which opens the file once more for that.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCANS = [ROOT / "resources/samples/en_progress_note_scan.jpg", ROOT / "resources/samples/zh_outpatient_note_scan.jpg"]


def count_opens_and_hashes(pages: int) -> dict[str, int]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pymupdf
    from PIL import Image
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from desktop_app.app import create_app
    from desktop_app.privacy.audit import AuditLog

    with tempfile.TemporaryDirectory() as tmp:
        document = Path(tmp) / "scanned.pdf"
        images = [Image.open(SCANS[i % len(SCANS)]).convert("RGB") for i in range(pages)]
        images[0].save(document, "PDF", resolution=200, save_all=True, append_images=images[1:])
        counts = {"opens": 0, "hashes": 0}
        real_open = pymupdf.open

        def counting_open(*args, **kwargs):
            if args and str(args[0]) == str(document):
                counts["opens"] += 1
            return real_open(*args, **kwargs)

        def hook(event: str, args: tuple) -> None:
            if event == "open" and str(args[0]) == str(document) and args[1] == "r":  # io.open reports "rb" as "r"
                counts["hashes"] += 1

        pymupdf.open = counting_open
        sys.addaudithook(hook)
        app, window = create_app(store=QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat),
                                 audit_log=AuditLog(Path(tmp) / "audit.jsonl"), warm_up=False)
        (key,) = window.add_paths([str(document)])
        loop, poll = QEventLoop(), QTimer()
        deadline = time.monotonic() + 600

        def done() -> bool:
            shown = window.sessions[key].status not in ("waiting", "running") and window.page_view.has_image()
            thumbs = all(not window.thumbnails.item(row).icon().isNull() for row in range(window.thumbnails.count()))
            return (shown and window.thumbnails.count() == pages and thumbs) or time.monotonic() > deadline

        poll.timeout.connect(lambda: done() and loop.quit())
        poll.start(50)
        loop.exec()
        window.audit.flush()
        status = window.sessions[key].status
        window.shutdown()
        pymupdf.open = real_open
    return {**counts, "status": status}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=4)
    args = parser.parse_args()
    found = count_opens_and_hashes(args.pages)
    print(f"{args.pages}-page PDF dropped ({found['status']}): opened {found['opens']}×, hashed {found['hashes']}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
