"""Peak memory of the pipeline against page count: it must stay flat (pages stream one at a time).

    .venv/bin/python benchmarks/memory_pages.py [--pages 30 300] [--ocr rapidocr|null]

Builds scanned PDFs (one A4 image per page, no text layer) of each size, then runs the pipeline on
each in a fresh child process and reports its peak RSS. `--ocr null` swaps OCR for an engine that
only renders the page (to measure ingest and the pipeline alone, quickly); `rapidocr` runs the
real embedded OCR (about 1-3 s per page on 2 cores).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = """
import resource, sys, time
from desktop_app.models import OcrOutput
from desktop_app.pipeline import Pipeline

class RenderOnly:
    name = "null"
    def recognize(self, page, *, cancel, progress):
        page.image()  # the expensive, memory-heavy part of a page that needs OCR
        return OcrOutput(text="", blocks=[])

engine = RenderOnly() if sys.argv[2] == "null" else None
started = time.perf_counter()
result = Pipeline(ocr_engine=engine).run(sys.argv[1])
print(len(result.pages), round(time.perf_counter() - started, 1),
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def scanned_pdf(pages: int, target: Path) -> None:
    import pymupdf

    from benchmarks.corpus import mtsamples_notes
    from desktop_app.render import render_pages, scan_damage

    image_path = target.with_suffix(".jpg")
    scan_damage(render_pages(mtsamples_notes(limit=1)[0].text)[0]).save(image_path, quality=80)
    pdf = pymupdf.open()
    for _ in range(pages):
        page = pdf.new_page(width=595, height=842)
        page.insert_image(page.rect, filename=str(image_path))  # stored once, referenced per page
    pdf.save(target)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, nargs="+", default=[30, 300])
    parser.add_argument("--ocr", choices=("null", "rapidocr"), default="null")
    args = parser.parse_args()
    print("| pages | OCR | seconds | peak RSS (MiB) |\n| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for count in args.pages:
            path = Path(folder) / f"scan{count}.pdf"
            scanned_pdf(count, path)
            done = subprocess.run([sys.executable, "-c", CHILD, str(path), args.ocr], capture_output=True,
                                  text=True, cwd=ROOT, check=True)
            pages, seconds, rss = done.stdout.split()
            print(f"| {pages} | {args.ocr} | {seconds} | {rss} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
