"""Build the bundled sample scans in resources/samples/ from the public notes in ../shared/data.

Run once by a developer (the outputs are committed): `python scripts/make_samples.py`.
Sources: MTSamples note 123 (CC0) and CMB-Clin case 0 (Apache-2.0); see resources/samples/README.md.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from desktop_app.render import mtsamples_to_text, render_pages, save_text_pdf, scan_damage

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "resources" / "samples"


def english_note() -> str:
    for line in open(DATA / "mtsamples_dev.jsonl", encoding="utf-8"):
        row = json.loads(line)
        if row["note_id"] == 123:
            return mtsamples_to_text(row["transcription"])
    raise SystemExit("MTSamples note 123 not found")


def chinese_note() -> str:
    case = json.load(open(DATA / "cmb_clin_dev.json", encoding="utf-8"))[0]
    diagnosis = re.search(r"诊断：([^\n]+)", case["QA_pairs"][0]["answer"]).group(1).strip()
    return f"门诊病历\n\n{case['description'].strip()}\n\n初步诊断：{diagnosis}\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    en_page = render_pages(english_note(), dpi=200, style="serif")[0]
    scan_damage(en_page, seed=1).save(OUT / "en_progress_note_scan.jpg", quality=80)
    zh_page = render_pages(chinese_note(), dpi=200, style="sans")[0]
    scan_damage(zh_page, seed=2).save(OUT / "zh_outpatient_note_scan.jpg", quality=80)
    save_text_pdf(english_note(), OUT / "en_progress_note_text_layer.pdf")
    print("\n".join(str(p.relative_to(ROOT)) for p in sorted(OUT.glob("*.*"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
