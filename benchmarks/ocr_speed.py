"""OCR speed and accuracy: the embedded `rapidocr` engine vs Tesseract on the same rendered A4 pages,
in the same run; and the `pdf-text` engine vs OCR on born-digital PDFs.

    .venv/bin/python benchmarks/ocr_speed.py [--pages-per-language 4] [--dpi 200]

Pages are rendered from ../shared/data notes (clean and with scan damage), so the true text is known.
CER collapses whitespace runs. Tesseract runs with its threads capped at the cores (`tesseract_peer`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import cer, cmb_notes, mtsamples_notes  # noqa: E402
from benchmarks.tesseract_peer import tesseract_text  # noqa: E402
from desktop_app.cancel import CancelToken  # noqa: E402
from desktop_app.ingest import open_document  # noqa: E402
from desktop_app.ocr.pdf_text import PdfTextEngine  # noqa: E402
from desktop_app.ocr.rapid import RapidOcrEngine  # noqa: E402
from desktop_app.progress import NULL_PROGRESS  # noqa: E402
from desktop_app.render import render_pages, save_text_pdf, scan_damage  # noqa: E402


def page_truth_pairs(n: int, dpi: int):
    """(language, condition, image, true text) for the first page of n notes per language."""
    pairs = []
    for language, notes, style in (("en", mtsamples_notes(limit=n * 3), "serif"), ("zh", cmb_notes(limit=n), "sans")):
        for note in notes[::3] if language == "en" else notes:
            text = note.text
            # One page's worth: render all, keep the first, and its true text = lines on it.
            pages = render_pages(text, dpi=dpi, style=style)
            truth = _first_page_text(text, dpi, style)
            pairs.append((language, "clean", pages[0], truth))
            pairs.append((language, "scan", scan_damage(pages[0], seed=len(pairs)), truth))
            if sum(1 for p in pairs if p[0] == language) >= 2 * n:
                break
    return pairs


def _first_page_text(text: str, dpi: int, style: str) -> str:
    from PIL import Image, ImageDraw

    from desktop_app.render import A4_INCHES, _wrap, load_font

    font = load_font(style, int(11 / 72 * dpi))
    margin = int(0.9 * dpi)
    width, height = int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi)
    lines = list(_wrap(ImageDraw.Draw(Image.new("RGB", (8, 8))), text, font, width - 2 * margin))
    per_page = max(1, (height - 2 * margin) // int(font.size * 1.45))
    return "\n".join(lines[:per_page])


class _ImagePage:
    def __init__(self, image):
        self._image = image
        self.index, self.width, self.height = 0, image.width, image.height

    def image(self):
        return self._image


def run_rapid(engine: RapidOcrEngine, image) -> str:
    return engine.recognize(_ImagePage(image), cancel=CancelToken(), progress=NULL_PROGRESS).text


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages-per-language", type=int, default=4)
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args()

    pairs = page_truth_pairs(args.pages_per_language, args.dpi)
    engine = RapidOcrEngine()
    run_rapid(engine, pairs[0][2])  # load the models outside the timing
    rows = []
    for language, condition, image, truth in pairs:
        started = time.perf_counter()
        rapid_text = run_rapid(engine, image)
        rapid_s = time.perf_counter() - started
        started = time.perf_counter()
        tess_text = tesseract_text(image, language)
        tess_s = time.perf_counter() - started
        rows.append((language, condition, rapid_s, cer(rapid_text, truth), tess_s, cer(tess_text, truth)))

    print(f"OCR on {len(rows)} A4 pages at {args.dpi} dpi (same pages, same run)\n")
    print("| pages | rapidocr s/page | Tesseract s/page | speed ratio | rapidocr CER | Tesseract CER |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, subset in (("en", [r for r in rows if r[0] == "en"]), ("zh", [r for r in rows if r[0] == "zh"]),
                          ("clean", [r for r in rows if r[1] == "clean"]),
                          ("scan-damaged", [r for r in rows if r[1] == "scan"]), ("all", rows)):
        if not subset:
            continue
        rs, ts = statistics.mean(r[2] for r in subset), statistics.mean(r[4] for r in subset)
        print(f"| {label} ({len(subset)}) | {rs:.2f} | {ts:.2f} | {ts / rs:.2f}× | "
              f"{statistics.mean(r[3] for r in subset):.2%} | {statistics.mean(r[5] for r in subset):.2%} |")

    # Text-layer PDFs: the pdf-text engine vs OCR of the same pages.
    with tempfile.TemporaryDirectory() as folder:
        timings_text, timings_ocr = [], []
        for i, note in enumerate(mtsamples_notes(limit=4) + cmb_notes(limit=2)):
            path = Path(folder) / f"{i}.pdf"
            save_text_pdf(note.text, path)
            with open_document(path, dpi=args.dpi) as document:
                page = next(document.pages())
                started = time.perf_counter()
                PdfTextEngine().recognize(page, cancel=CancelToken(), progress=NULL_PROGRESS)
                timings_text.append(time.perf_counter() - started)
                started = time.perf_counter()
                engine.recognize(page, cancel=CancelToken(), progress=NULL_PROGRESS)
                timings_ocr.append(time.perf_counter() - started)
        t, o = statistics.mean(timings_text), statistics.mean(timings_ocr)
        print(f"\nText-layer PDF pages ({len(timings_text)}): pdf-text {t * 1000:.1f} ms/page, "
              f"OCR (render + rapidocr) {o:.2f} s/page: {o / t:.0f}× faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
