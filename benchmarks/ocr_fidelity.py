"""OCR fidelity on real-looking captures: the embedded `rapidocr` engine vs Tesseract, same pages, same run.

    .venv/bin/python benchmarks/ocr_fidelity.py [--pages 6] [--forms 8] [--dpi 200] [--seed 7] [--sets rotated forms]
        [--models v4 v6]

`--models` compares rapidocr model generations on the same pages (PP-OCRv4 mobile, the default, and
PP-OCRv6 small from the `rapidocr` 3.x wheel); each is timed against Tesseract in the same run. The
machine's load average is printed with the table: speed numbers are only comparable within one run.

Sets (the true text of every page is known):
- `scan`: ../shared/data MTSamples notes on A4, scanner look: skew 0–5° either way, blur, grey paper, JPEG.
- `photo`: the same kind of page as a phone photo: mild perspective, skew, uneven light, lower
  resolution, blur, JPEG.
- `rotated`: scans lying at 90/180/270° (plus a small skew); nobody told the engine which way up.
- `two-column`: a note set in two columns, scanned with skew; read column by column.
- `zh-scan`: CMB-Clin Chinese cases, scanner look.
- `forms`: the FUNSD scanned forms (real scans); their truth is the words in rows, top to bottom,
  left to right (FUNSD has no reading order of its own, so the forms' CER also counts order).

Per set: CER with all whitespace removed (characters and their order; spaces are scored by word F1),
word F1 (bag of words, so it scores dropped spaces but not order), s/page, and the list-order
check: the numbered items ("1.", "2)") found at line starts must come in the true order (items
lost to misreads are allowed; items out of order are not).

Doubt (the `ocr_doubt` warnings): on the note sets, the document is summarised with the default
summarizer; of the words inside summary fields that differ from the true text, the share that lies
in an `ocr_doubt` span (recall), and of the flagged words, the share that were read right (false alarms).
A word differs when one of its letters, digits, value symbols or decimal points is wrong, extra or
missing in it (a lost first letter belongs to the word it started: "IGNS" for "SIGNS"; spacing is
left to word F1; a lost comma or quote is not a misread word; full-/half-width forms count as
equal). A word is one CJK character or a run of other non-space characters. The same counts over
every word of the pages are printed too (more words, so a steadier number than the fields alone).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import re
import statistics
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import DATA, cmb_notes, mtsamples_notes, token_f1  # noqa: E402
from benchmarks.tesseract_peer import tesseract_text  # noqa: E402
from desktop_app.cancel import CancelToken  # noqa: E402
from desktop_app.evidence import DocumentText  # noqa: E402
from desktop_app.models import PageResult  # noqa: E402
from desktop_app.ocr.rapid import DEFAULT_MODELS, MODELS, RapidOcrEngine  # noqa: E402
from desktop_app.pipeline import Pipeline  # noqa: E402
from desktop_app.progress import NULL_PROGRESS  # noqa: E402
from desktop_app.render import A4_INCHES, _wrap, load_font  # noqa: E402
from desktop_app.summarize.guard import OCR_DOUBT  # noqa: E402

PAPER = (245, 245, 240)
_MEANINGFUL = frozenset("%/+<>=")
_NUMBERED = re.compile(r"^\s*(\d{1,2})[.)](?!\d)\s*\S")  # "2. Start", "3)"; not "5.5 mg"
_WORDS = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


# --- pages ---------------------------------------------------------------------------------

def _font(style: str, dpi: int, pt: float = 11.0) -> ImageFont.FreeTypeFont:
    return load_font(style, int(pt / 72 * dpi))


def one_page(text: str, dpi: int, style: str, columns: int = 1) -> tuple[Image.Image, str]:
    """The first A4 page of `text` (one or two columns) and the true text on it, in reading order."""
    width, height = int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi)
    font = _font(style, dpi)
    margin, gutter = int(0.9 * dpi), int(0.4 * dpi)
    line_height = int(font.size * 1.45)
    column_width = (width - 2 * margin - (columns - 1) * gutter) // columns
    lines = list(_wrap(ImageDraw.Draw(Image.new("RGB", (8, 8))), text, font, column_width))
    per_column = (height - 2 * margin) // line_height
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    kept = lines[:per_column * columns]
    for i, line in enumerate(kept):
        column, row = divmod(i, per_column)
        draw.text((margin + column * (column_width + gutter), margin + row * line_height), line, font=font,
                  fill=(20, 20, 20))
    return page, "\n".join(kept)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def scan(page: Image.Image, rng: random.Random, max_skew: float = 5.0) -> Image.Image:
    angle = rng.uniform(0, max_skew) * rng.choice((-1, 1))
    out = page.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=PAPER)
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9)))
    return _jpeg(out, rng.randint(55, 80))


def photo(page: Image.Image, rng: random.Random) -> Image.Image:
    """A phone photo of the page: keystone perspective, skew, uneven light, lower resolution, JPEG."""
    w, h = page.size
    d = 0.04
    # Corners of the source quad, in PIL's order: upper-left, lower-left, lower-right, upper-right.
    quad = [(rng.uniform(0, d) * w, rng.uniform(0, d) * h), (rng.uniform(0, d / 2) * w, h - rng.uniform(0, d / 2) * h),
            (w - rng.uniform(0, d / 2) * w, h - rng.uniform(0, d / 2) * h),
            (w - rng.uniform(0, d) * w, rng.uniform(0, d) * h)]
    warped = page.transform((w, h), Image.QUAD, [c for p in quad for c in p], resample=Image.BICUBIC,
                            fillcolor=PAPER)
    warped = warped.rotate(rng.uniform(-3, 3), resample=Image.BICUBIC, expand=True, fillcolor=PAPER)
    light = Image.linear_gradient("L").resize(warped.size).rotate(rng.uniform(0, 360))
    shade = Image.merge("RGB", [light.point(lambda v: 255 - v // 5)] * 3)
    warped = Image.composite(warped, Image.new("RGB", warped.size, (0, 0, 0)), shade.convert("L"))
    small = warped.resize((int(warped.width * 0.75), int(warped.height * 0.75)), Image.BILINEAR)
    return _jpeg(small.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.0))), rng.randint(50, 70))


def rotated(page: Image.Image, rng: random.Random, turn: int) -> Image.Image:
    return scan(page, rng, max_skew=2.0).rotate(turn, expand=True)


def funsd_truth(path: Path) -> str:
    """FUNSD words in rows (centres within half a word height), top to bottom, left to right."""
    words = [w for entity in json.loads(path.read_text())["form"] for w in entity["words"] if w["text"].strip()]
    words.sort(key=lambda w: (w["box"][1] + w["box"][3]) / 2)
    rows: list[list[dict]] = []
    for word in words:
        centre = (word["box"][1] + word["box"][3]) / 2
        height = word["box"][3] - word["box"][1]
        if rows and abs(centre - statistics.mean((w["box"][1] + w["box"][3]) / 2 for w in rows[-1])) < height / 2:
            rows[-1].append(word)
        else:
            rows.append([word])
    return "\n".join(" ".join(w["text"] for w in sorted(row, key=lambda w: w["box"][0])) for row in rows)


@dataclass
class Case:
    set_name: str
    language: str
    image: Image.Image
    truth: str


def build_cases(pages: int, forms: int, dpi: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    en = [n for n in mtsamples_notes(with_cc=True) if len(n.text) > 1500]
    rng.shuffle(en)
    cases = []
    for note in en[:pages]:
        page, truth = one_page(note.text, dpi, "serif")
        cases.append(Case("scan", "en", scan(page, rng), truth))
    for note in en[pages:2 * pages]:
        page, truth = one_page(note.text, dpi, "sans")
        cases.append(Case("photo", "en", photo(page, rng), truth))
    for i, note in enumerate(en[2 * pages:3 * pages]):
        page, truth = one_page(note.text, dpi, "serif")
        cases.append(Case("rotated", "en", rotated(page, rng, (90, 180, 270)[i % 3]), truth))
    for note in en[3 * pages:4 * pages]:
        page, truth = one_page(note.text, dpi, "serif", columns=2)
        cases.append(Case("two-column", "en", scan(page, rng, max_skew=3.0), truth))
    for note in cmb_notes(limit=pages):
        page, truth = one_page(note.text, dpi, "sans")
        cases.append(Case("zh-scan", "zh", scan(page, rng), truth))
    for path in sorted((DATA / "funsd_dev").glob("*.json"))[:forms]:
        image = Image.open(path.with_suffix(".png")).convert("RGB")
        cases.append(Case("forms", "en", image, funsd_truth(path)))
    return cases


# --- metrics -------------------------------------------------------------------------------

def cer_no_spaces(predicted: str, truth: str) -> float:
    from rapidfuzz.distance import Levenshtein

    p, t = "".join(predicted.split()), "".join(truth.split())
    return Levenshtein.distance(p, t) / max(len(t), 1)


def numbered(text: str) -> list[int]:
    return [int(m.group(1)) for line in text.splitlines() if (m := _NUMBERED.match(line))]


def in_order(predicted: str, truth: str) -> bool:
    """The numbered items read are a subsequence of the true ones (none out of order)."""
    remaining = iter(numbered(truth))
    return all(any(n == t for t in remaining) for n in numbered(predicted))


@dataclass
class DoubtCount:
    wrong: int = 0  # words in summary fields that differ from the true text
    wrong_flagged: int = 0
    flagged: int = 0
    right_flagged: int = 0  # flagged words that were read right (false alarms)
    examples: list[str] = field(default_factory=list)  # misreads that were not flagged
    false_alarms: list[str] = field(default_factory=list)  # flagged words that were read right

    def count(self, wrong: bool, flagged: bool, word: str) -> None:
        self.wrong += wrong
        self.wrong_flagged += wrong and flagged
        self.flagged += flagged
        self.right_flagged += flagged and not wrong
        if wrong and not flagged and len(self.examples) < 4:
            self.examples.append(word)
        if flagged and not wrong and len(self.false_alarms) < 4:
            self.false_alarms.append(word)

    def add(self, other: DoubtCount) -> None:
        self.wrong += other.wrong
        self.wrong_flagged += other.wrong_flagged
        self.flagged += other.flagged
        self.right_flagged += other.right_flagged
        self.examples.extend(other.examples[:max(0, 8 - len(self.examples))])
        self.false_alarms.extend(other.false_alarms[:max(0, 8 - len(self.false_alarms))])


def misread_offsets(ocr_text: str, truth: str) -> set[int]:
    """Offsets of `ocr_text` characters that are not the true text: wrong or extra characters, and
    for a character the OCR lost, the first character of the word it started, else the one before.
    Compared are letters, digits, CJK characters, the symbols that change a value (% / + < > =) and
    a decimal point or separator between digits; spacing (word F1 scores it), other punctuation and
    a character's width (NFKC) are not.
    """
    from rapidfuzz.distance import Levenshtein

    def visible(text: str) -> tuple[str, list[int]]:
        chars, origin = [], []
        for offset, ch in enumerate(text):
            for folded in unicodedata.normalize("NFKC", ch):
                between_digits = (folded in ".," and 0 < offset < len(text) - 1
                                  and text[offset - 1].isdigit() and text[offset + 1].isdigit())
                if folded.isalnum() or folded in _MEANINGFUL or between_digits:
                    chars.append(folded)
                    origin.append(offset)
        return "".join(chars), origin

    read, origin = visible(ocr_text)
    true, true_origin = visible(truth)
    bad: set[int] = set()
    for tag, i1, i2, j1, _j2 in Levenshtein.opcodes(read, true):
        if tag in ("replace", "delete"):
            bad.update(origin[i1:i2])
        elif tag == "insert" and origin:
            # Characters the OCR lost: they belong to the word they start in the true text ("VITAL
            # IGNS" lost the S of SIGNS, not a letter of VITAL), else to the word before the gap.
            # (whitespace between it and the true character before it; "¼" folds to three characters)
            starts_word = j1 == 0 or any(ch.isspace() for ch in truth[true_origin[j1 - 1] + 1:true_origin[j1]])
            bad.add(origin[min(i1, len(origin) - 1)] if starts_word and i1 < len(origin) else origin[max(i1 - 1, 0)])
    return bad


def doubt_count(pipeline: Pipeline, page: PageResult, truth: str) -> tuple[DoubtCount, DoubtCount]:
    """(words in summary fields, every word of the page): misread words and `ocr_doubt` flags."""
    document = DocumentText([page])
    summary = pipeline.summarize_text(document)
    bad = misread_offsets(document.text, truth)
    in_fields, on_page = DoubtCount(), DoubtCount()
    field_spans = {name: [(e.start, e.end) for e in f.evidence] for name, f in summary.fields().items()}
    warnings = {name: [(w.start, w.end) for w in summary.warnings if w.code == OCR_DOUBT and w.field == name]
                for name in field_spans}
    for match in _WORDS.finditer(document.text):
        start, end = match.span()
        wrong = any(start <= i < end for i in bad)
        on_page.count(wrong, any(s < end and start < e for s, e in document.doubts), match.group())
        for name, spans in field_spans.items():
            if any(s <= start and end <= e for s, e in spans):
                in_fields.count(wrong, any(s < end and start < e for s, e in warnings[name]), match.group())
    return in_fields, on_page


# --- engines -------------------------------------------------------------------------------

class _ImagePage:
    def __init__(self, image: Image.Image) -> None:
        self._image = image
        self.index, self.width, self.height = 0, image.width, image.height

    def image(self) -> Image.Image:
        return self._image


@dataclass
class Reading:
    """One engine's result on one page."""

    seconds: float
    cer: float
    f1: float
    order: bool
    doubt: tuple[DoubtCount, DoubtCount] | None = None


@dataclass
class Row:
    set_name: str
    readings: dict[str, Reading]  # engine label ("rapidocr v4", "tesseract") -> its reading


def _score(case: Case, text: str, seconds: float) -> Reading:
    return Reading(seconds, cer_no_spaces(text, case.truth), token_f1(text, case.truth), in_order(text, case.truth))


def _load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=6, help="pages per note set")
    parser.add_argument("--forms", type=int, default=8, help="FUNSD pages")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sets", nargs="*", help="only these sets (scan photo rotated two-column zh-scan forms)")
    parser.add_argument("--models", nargs="+", default=[DEFAULT_MODELS], choices=MODELS,
                        help="rapidocr model generations to compare (v4: PP-OCRv4 mobile, v6: PP-OCRv6 small)")
    args = parser.parse_args()

    cases = [case for case in build_cases(args.pages, args.forms, args.dpi, args.seed)
             if not args.sets or case.set_name in args.sets]
    engines = {}
    for models in args.models:
        engine = RapidOcrEngine(models=models)
        engines[f"rapidocr {models} ({(engine.backend or '?').removeprefix('rapidocr_')})"] = engine
    pipelines = {label: Pipeline(ocr_engine=engine) for label, engine in engines.items()}
    cancel = CancelToken()
    for engine in engines.values():  # load outside timing
        engine.recognize(_ImagePage(cases[0].image), cancel=cancel, progress=NULL_PROGRESS)
    print(f"start: {_load()}", file=sys.stderr)
    rows = []
    for case in cases:
        readings = {}
        for label, engine in engines.items():
            started = time.perf_counter()
            output = engine.recognize(_ImagePage(case.image), cancel=cancel, progress=NULL_PROGRESS)
            readings[label] = _score(case, output.text, time.perf_counter() - started)
            if case.set_name != "forms":
                page = PageResult(0, engine.name, text=output.text, blocks=output.blocks)
                readings[label].doubt = doubt_count(pipelines[label], page, case.truth)
        started = time.perf_counter()
        # Tesseract's own orientation detection on the set where pages are turned: the best case
        # for the peer (OSD on upright skewed pages sometimes turns them upside down).
        tess_text = tesseract_text(case.image, case.language, find_orientation=case.set_name == "rotated")
        readings["tesseract"] = _score(case, tess_text, time.perf_counter() - started)
        rows.append(Row(case.set_name, readings))
        print(f"  {case.set_name:10s} " + " | ".join(f"{label} {r.seconds:5.2f}s CER {r.cer:6.2%}"
                                                    for label, r in readings.items()), file=sys.stderr)
    load = _load()

    print(f"\nOCR fidelity: {len(rows)} pages, {args.dpi} dpi renders + FUNSD scans (same pages, same run; "
          f"{load} at the end)\n")
    print("| set (pages) | engine | CER | CER ÷ Tesseract's | word F1 | lists in order | s/page | speed × Tesseract |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    names = list(dict.fromkeys(r.set_name for r in rows)) + ["all"]
    for name in names:
        subset = rows if name == "all" else [r for r in rows if r.set_name == name]
        tess_cer = statistics.mean(r.readings["tesseract"].cer for r in subset)
        tess_s = statistics.mean(r.readings["tesseract"].seconds for r in subset)
        for label in [*engines, "tesseract"]:
            cer = statistics.mean(r.readings[label].cer for r in subset)
            seconds = statistics.mean(r.readings[label].seconds for r in subset)
            ratio = cer / tess_cer if tess_cer else math.inf
            print(f"| {name} ({len(subset)}) | {label} | {cer:.2%} | {ratio:.2f} | "
                  f"{statistics.mean(r.readings[label].f1 for r in subset):.3f} | "
                  f"{sum(r.readings[label].order for r in subset)}/{len(subset)} | {seconds:.2f} | "
                  f"{tess_s / seconds:.1f}× |")

    print("\nOCR doubt (words that differ from the true text; flags = words in `ocr_doubt` spans)\n")
    print("| engine | set | where | wrong words | flagged of wrong | flags | false alarms "
          "| unflagged misreads (examples) | false alarms (examples) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label in engines:
        for which, where in ((0, "summary fields"), (1, "whole page")):
            total = DoubtCount()
            for name in names[:-1]:
                doubts = [r.readings[label].doubt for r in rows if r.set_name == name]
                if not any(d is not None for d in doubts):
                    continue  # forms: no summary to check
                count = DoubtCount()
                for doubt in doubts:
                    count.add(doubt[which])
                total.add(count)
                print(f"| {label} | {name} | {where} | {count.wrong} | {_share(count.wrong_flagged, count.wrong)} | "
                      f"{count.flagged} | {_share(count.right_flagged, count.flagged)} | "
                      f"{' '.join(count.examples[:4])} | {' '.join(count.false_alarms[:4])} |")
            print(f"| {label} | all | {where} | {total.wrong} | {_share(total.wrong_flagged, total.wrong)} | "
                  f"{total.flagged} | {_share(total.right_flagged, total.flagged)} | | |")
    return 0


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.2f} ({part}/{whole})" if whole else "n/a"


if __name__ == "__main__":
    sys.exit(main())
