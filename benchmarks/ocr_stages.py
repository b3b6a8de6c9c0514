"""Where the embedded OCR's time goes, page by page: detection, recognition, the second look at
unsure lines; beside Tesseract on the same page in the same run. It shows what the speed target
(pages/s a multiple of Tesseract's) leaves for each stage.

    .venv/bin/python benchmarks/ocr_stages.py [--pages 4] [--target 4]

Pages: MTSamples notes (serif) and CMB-Clin cases (sans) from ../shared/data, rendered at 200 dpi
with scan damage, first page of each. Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import cmb_notes, mtsamples_notes  # noqa: E402
from benchmarks.tesseract_peer import tesseract_text  # noqa: E402
from desktop_app.ocr.rapid import RapidOcrEngine  # noqa: E402
from desktop_app.render import render_pages, scan_damage  # noqa: E402


def pages(n: int):
    """(language, damaged first page) for n English and n Chinese notes."""
    sets = (("en", mtsamples_notes(limit=n * 3)[::3], "serif"), ("zh", cmb_notes(limit=n), "sans"))
    for language, notes, style in sets:
        for seed, note in enumerate(notes[:n]):
            yield language, scan_damage(render_pages(note.text, dpi=200, style=style)[0], seed=seed)


def timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4, help="pages per language")
    parser.add_argument("--target", type=float, default=4.0, help="the speed target, × Tesseract's pages/s")
    args = parser.parse_args()

    engine = RapidOcrEngine()
    engine._engine()  # models loaded and compiled before the clock starts
    rows = []
    for language, page in pages(args.pages):
        image = np.asarray(page)
        (_, crops), detect = timed(lambda image=image: engine._detect(image))
        readings, recognise = timed(lambda crops=crops: engine._recognise(crops))
        _, second = timed(lambda crops=crops, readings=readings: engine._look_again(crops, readings))
        _, tesseract = timed(lambda page=page, language=language: tesseract_text(page, language))
        rows.append((language, len(crops), detect, recognise, second, tesseract))
        print(f"{language} {len(crops):3d} lines  detect {detect:.2f}s  recognise {recognise:.2f}s  "
              f"second look {second:.2f}s  | tesseract {tesseract:.2f}s", flush=True)

    def mean(k: int) -> float:
        return statistics.mean(row[k] for row in rows)

    ours = mean(2) + mean(3) + mean(4)
    print(f"\nmean s/page over {len(rows)} pages: detect {mean(2):.2f}, recognise {mean(3):.2f} "
          f"({mean(3) / statistics.mean(r[1] for r in rows) * 1000:.0f} ms/line), second look {mean(4):.2f}; "
          f"total {ours:.2f} vs Tesseract {mean(5):.2f} ({mean(5) / ours:.2f}× Tesseract's pages/s)")
    print(f"{args.target:g}× Tesseract leaves {mean(5) / args.target:.2f} s/page for everything; "
          f"detection alone takes {mean(2):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
