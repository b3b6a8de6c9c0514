"""Chief-complaint token F1 of the embedded pipeline (render → rapidocr → sections) on public notes.

    .venv/bin/python benchmarks/chief_complaint_f1.py [--limit N] [--clean]

Notes come from ../shared/data: MTSamples and ACI-Bench notes that have a CHIEF COMPLAINT section,
and the CMB-Clin cases (主诉). The gold chief complaint is cut from the source record by its own
heading, independently of the sectionizer. Pages get scan damage unless --clean. The same F1 on
the source text (no OCR) is printed alongside, to separate OCR loss from extraction loss.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import aci_notes, cmb_notes, mtsamples_notes, token_f1  # noqa: E402
from desktop_app.pipeline import Pipeline  # noqa: E402
from desktop_app.render import render_pages, scan_damage  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="notes per source (0 = all)")
    parser.add_argument("--clean", action="store_true", help="no scan damage")
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args()
    limit = args.limit or None
    notes = (mtsamples_notes(limit=limit, with_cc=True) + aci_notes(limit=limit, with_cc=True)
             + cmb_notes(limit=limit, with_cc=True))
    pipeline = Pipeline()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for i, note in enumerate(notes):
            page = render_pages(note.text, dpi=args.dpi, style="serif" if note.language == "en" else "sans")[0]
            if not args.clean:
                page = scan_damage(page, seed=i)
            path = Path(folder) / f"{note.note_id}.jpg"
            page.save(path, quality=85)
            started = time.perf_counter()
            result = pipeline.run(path)
            seconds = time.perf_counter() - started
            predicted = result.summary.chief_complaint.text if result.summary else ""
            text_only = pipeline.summarize_text(note.text).chief_complaint.text
            rows.append((note.note_id.split("-")[0], token_f1(predicted, note.chief_complaint),
                         token_f1(text_only, note.chief_complaint), seconds))
            path.unlink()
            print(f"{note.note_id:12} F1 {rows[-1][1]:.2f} (text {rows[-1][2]:.2f}) {seconds:.1f}s "
                  f"| gold={note.chief_complaint[:40]!r} got={predicted[:40]!r}", file=sys.stderr)

    print(f"\nChief-complaint token F1, {'clean' if args.clean else 'scan-damaged'} pages at {args.dpi} dpi\n")
    print("| source | notes | F1 after OCR | F1 on source text | s/page |")
    print("| --- | --- | --- | --- | --- |")
    for source in ("mt", "aci", "cmb", "all"):
        subset = rows if source == "all" else [r for r in rows if r[0] == source]
        if subset:
            print(f"| {source} | {len(subset)} | {statistics.mean(r[1] for r in subset):.3f} | "
                  f"{statistics.mean(r[2] for r in subset):.3f} | {statistics.mean(r[3] for r in subset):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
