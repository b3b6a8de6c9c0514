"""Lab-report results: row accuracy and abnormal recall of the embedded pipeline, per render kind.

Generates lab reports (`benchmarks/lab_reports.py`: zh + en, 4–6 columns, side-by-side blocks, with and
without printed flags, 1–3 panels a page), renders each clean, scanned and as a phone photo, reads it
with the embedded OCR and `desktop_app.labs`, and compares the rows with the truth kept beside them.

- row accuracy: true rows whose test + value + unit + range were all read right (in any order)
- abnormal recall: true abnormal rows (outside the printed range) that came out marked abnormal
- values changed silently: rows found with a wrong value that were NOT marked doubtful (target 0); the
  next column counts the same for a wrong value, unit or range

    .venv/bin/python benchmarks/lab_results.py --pages-per-layout 2

OCR output is cached in benchmarks/out/lab_ocr/ (keyed by page), so re-running after a change to the
table reading costs no OCR; `--no-cache` reads again.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from benchmarks.lab_reports import LAYOUTS, RENDERS, generate  # noqa: E402
from desktop_app.evidence import DocumentText  # noqa: E402
from desktop_app.labs.extract import extract_results  # noqa: E402
from desktop_app.models import PageResult  # noqa: E402

CACHE = ROOT / "benchmarks" / "out" / "lab_ocr"
ROW_FIELDS = ("test", "value", "unit", "reference_range")  # a row is right when all four are


def canon(text: str) -> str:
    """Compare as a reader would: spaces and dash/tilde variants do not change a row's meaning."""
    return "".join(text.split()).replace("–", "-").replace("—", "-").replace("～", "~").lower()


def ocr_page(image, key: str, engine, use_cache: bool) -> PageResult:
    path = CACHE / f"{key}.pkl"
    if use_cache and path.exists():
        return pickle.loads(path.read_bytes())
    from desktop_app.cancel import NEVER_CANCELLED
    from desktop_app.ingest import SourcePage
    from desktop_app.progress import NULL_PROGRESS

    source = SourcePage(index=0, width=image.width, height=image.height, _load=lambda: image)
    started = time.perf_counter()
    output = engine.recognize(source, cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    page = PageResult(0, engine.name, "ok", text=output.text, blocks=output.blocks, width=image.width,
                      height=image.height, seconds=round(time.perf_counter() - started, 3))
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(page))
    return page


def score(truth: list[dict], found) -> dict:
    remaining = list(found)
    right = abnormal_true = abnormal_found = silent = silent_rows = 0
    for row in truth:
        # Pair by name, forgiving an OCR slip in the name (the row is then not counted right, but its
        # value and flag are still judged).
        match = max(remaining, key=lambda f: fuzz.ratio(canon(f.test), canon(row["test"])), default=None)
        if match is not None and fuzz.ratio(canon(match.test), canon(row["test"])) < 75:
            match = None
        if row["abnormal"]:
            abnormal_true += 1
            abnormal_found += bool(match and match.abnormal)
        if match is None:
            continue
        remaining.remove(match)
        if all(canon(getattr(match, name)) == canon(row[name]) for name in ROW_FIELDS):
            right += 1
        if canon(match.value) != canon(row["value"]) and not match.doubtful:
            silent += 1
        if not match.doubtful and any(canon(getattr(match, name)) != canon(row[name])
                                      for name in ("value", "unit", "reference_range")):
            silent_rows += 1
    return {"rows": len(truth), "right": right, "abnormal": abnormal_true, "abnormal_found": abnormal_found,
            "silent": silent, "silent_rows": silent_rows, "extra": len(remaining)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages-per-layout", type=int, default=2, help="pages per layout and render kind")
    parser.add_argument("--renders", nargs="*", default=list(RENDERS), choices=RENDERS)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--show-errors", action="store_true", help="print each wrong row (synthetic data only)")
    args = parser.parse_args()

    from desktop_app.ocr.rapid import RapidOcrEngine

    engine = RapidOcrEngine()
    totals: dict[str, dict] = {}
    seconds: dict[str, list[float]] = {}
    for render in args.renders:
        for number, layout in enumerate(LAYOUTS):
            for k in range(args.pages_per_layout):
                seed = 1000 + number * 100 + k
                image, truth, language = generate(seed, layout, render)
                key = hashlib.sha256(f"{layout.name}/{render}/{seed}".encode()).hexdigest()[:16]
                page = ocr_page(image, f"{layout.name}-{render}-{seed}-{key}", engine, not args.no_cache)
                results, _ = extract_results([page], DocumentText([page]), language)
                s = score(truth, results)
                seconds.setdefault(render, []).append(page.seconds)
                for name in (render, f"{render}/{layout.language}"):
                    bucket = totals.setdefault(name, {})
                    for field, value in s.items():
                        bucket[field] = bucket.get(field, 0) + value
                if args.show_errors and (s["right"] < s["rows"] or s["silent"] or s["extra"]):
                    print(f"-- {layout.name} {render} seed {seed}: {s}")
                    for row in truth:
                        print("   truth:", row)
                    for row in results:
                        print("   found:", row.test, "|", row.value, "|", row.unit, "|", row.reference_range,
                              "|", row.flag, row.abnormal, row.doubtful)

    print("| render | rows | row accuracy | abnormal recall | wrong values not flagged | rows with a wrong value, "
          "unit or range not flagged | extra rows | OCR s/page |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, t in totals.items():
        render = name.split("/")[0]
        speed = sum(seconds[render]) / len(seconds[render]) if "/" not in name else float("nan")
        print(f"| {name} | {t['rows']} | {t['right'] / t['rows']:.3f} | "
              f"{t['abnormal_found'] / max(t['abnormal'], 1):.3f} ({t['abnormal_found']}/{t['abnormal']}) | "
              f"{t['silent']} | {t['silent_rows']} | {t['extra']} | {speed:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
