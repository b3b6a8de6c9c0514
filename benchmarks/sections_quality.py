"""How far a physician can trust the embedded `sections` summarizer's boundaries, on public notes.

    .venv/bin/python benchmarks/sections_quality.py                 # source text only (fast)
    .venv/bin/python benchmarks/sections_quality.py --ocr 48        # + 48 notes rendered, scan-damaged, OCR'd

The numbers per set (MTSamples, ACI-Bench, CMB-Clin), on the source text and, with --ocr N, on the same
pipeline run over rendered pages (render → scan damage → OCR → sections) of a sample of N notes:

- chief-complaint token F1 against the gold cut from the record by its own heading (corpus loaders);
- chief complaints containing a heading (a line that is a section heading of the record);
- problem names: the share of the problems of problem-oriented assessments that appear in the diagnosis
  field. Gold names are cut from the source record independently of the summarizer: in ACI-Bench the
  line right before each "Medical Reasoning" bullet and the numbered items of the assessment and plan;
  in MTSamples the numbered items of an assessment-and-plan section (text up to the first ':' or '. ');
- note boundaries (source text): single records wrongly split into several notes, and pairs of records
  joined under note headers that come out as exactly two notes;
- plan recall: the share of the gold plan (the record's PLAN section, else its assessment-and-plan
  section, without its heading) found in the plan field: letters and digits in order (LCS), so OCR's
  dropped spaces do not count as lost plan text. The problem-oriented plan leaves out the case summary
  that opens an assessment and plan ("Mr. X is a 62-year-old …"), so it scores below 1 by design;
- plan precision, the other way round: INSTRUCTIONS / FOLLOW-UP after the plan are added to the plan
  field on purpose, and the gold plan stops before them, so it is below 1 by design too.

OCR output is cached per note under --cache (page text and boxes as JSON, keyed by the rendered text),
so a re-run after a rule change re-summarizes without OCR. Measure, don't tune to single records.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz.distance import LCSseq  # noqa: E402

from benchmarks.corpus import DATA, Note, aci_notes, cmb_notes, mtsamples_notes, token_f1  # noqa: E402
from desktop_app.evidence import DocumentText  # noqa: E402
from desktop_app.models import Block, PageResult, Summary  # noqa: E402
from desktop_app.pipeline import Pipeline  # noqa: E402
from desktop_app.render import render_pages, save_pdf_from_images, scan_damage  # noqa: E402
from desktop_app.summarize.headings import KNOWN, match_line  # noqa: E402
from desktop_app.summarize.notes import split_notes  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "emr-sections-quality-cache"
_AP_HEADINGS = ("ASSESSMENT AND PLAN", "IMPRESSION AND PLAN", "ASSESSMENT/PLAN", "IMPRESSION/PLAN",
                "ASSESSMENT & PLAN", "A/P")
_NUMBERED_ITEM = re.compile(r"^\s*\d{1,2}[.)]\s+(?P<item>\S.*)$")
_PLAN_STEP = re.compile(r"(?:I|We|He|She|They|The patient|Patient|Plan|Recommend|Continue|Start|Follow|Call|"
                        r"Return|Check|Obtain|Will|Have|Given)\b", re.I)
_REASONING_BULLET = re.compile(r"^\s*[•\-*]\s*Medical Reasoning\s*:", re.I)
# A section heading of the source records: MTSamples `HEADING:`, ACI `HEADING` lines, CMB `（n）标题`.
_RECORD_HEADING = re.compile(r"^\s*(?:[A-Z][A-Z /&()-]{2,}:|[A-Z][A-Z /&-]{2,}$|[（(]\d{1,2}[)）]\s*\S{2,})")


@dataclass
class Case:
    note: Note
    problems: list[str] = field(default_factory=list)  # gold problem names (problem-oriented A&P only)
    plan: str | None = None  # gold plan text

    @property
    def set_name(self) -> str:
        return self.note.note_id.split("-")[0]


def _section(text: str, names: tuple[str, ...], pattern: str) -> str | None:
    for name in names:
        match = re.search(pattern.format(re.escape(name)), text, re.M | re.S)
        if match and match.group("body").strip():
            return match.group("body").strip()
    return None


def _item_name(item: str) -> str:
    """`Hypertension: continue …` / `Hypertension.  Stable …` → `Hypertension`."""
    name = re.split(r":|\.\s", item, maxsplit=1)[0]
    return name.strip(" .")


def aci_problems(assessment_and_plan: str) -> list[str]:
    lines = [line for line in assessment_and_plan.splitlines() if line.strip()]
    names = []
    for i, line in enumerate(lines[1:], start=1):
        numbered = _NUMBERED_ITEM.match(line)
        if _REASONING_BULLET.match(line) and not _REASONING_BULLET.match(lines[i - 1]):
            previous = _NUMBERED_ITEM.match(lines[i - 1])
            names.append(_item_name(previous.group("item")) if previous else lines[i - 1].strip(" .#"))
        elif numbered and len(numbered.group("item").split()) <= 12 and not (
                i + 1 < len(lines) and _REASONING_BULLET.match(lines[i + 1])):
            names.append(_item_name(numbered.group("item")))
    return [name for name in dict.fromkeys(names) if name]


def mt_problems(assessment_and_plan: str) -> list[str]:
    """Numbered items named by a short phrase (`2.  Constipation.  He is …`, `3. Ileus, resolving.`); items
    that start with a pronoun or an order (`Recommend …`, `We will …`) are plan steps, not problems."""
    items = [m.group("item") for line in assessment_and_plan.splitlines() if (m := _NUMBERED_ITEM.match(line))]
    names = [re.split(r":|\.\s|,|\.$", item, maxsplit=1)[0].strip(" .") for item in items]
    names = [name for name in names if 0 < len(name.split()) <= 6 and not _PLAN_STEP.match(name)]
    return names if len(names) >= 2 else []


def load_cases(limit: int | None) -> list[Case]:
    cases: list[Case] = []
    for note in mtsamples_notes(limit=limit):
        ap = _section(note.text, _AP_HEADINGS, r"^{}:\s*(?P<body>.*?)(?=^[A-Z][A-Z /&()-]{{2,}}:|\Z)")
        if note.chief_complaint is None and note.plan is None and ap is None:
            continue  # nothing to measure on this record
        cases.append(Case(note, mt_problems(ap) if ap else [], note.plan or ap))
    gold_ap = {json.loads(line)["encounter_id"]: json.loads(line)["assessment_and_plan"]
               for line in open(DATA / "aci_bench_dev.jsonl", encoding="utf-8")}
    for note in aci_notes(limit=limit):
        ap = gold_ap.get(note.note_id.removeprefix("aci-"), "")
        ap_body = ap.split("\n", 1)[1] if "\n" in ap else ap  # without its heading line
        problems = aci_problems(ap) if ap.startswith(("ASSESSMENT AND PLAN", "ASSESSMENT & PLAN")) else []
        cases.append(Case(note, problems, note.plan or ap_body or None))
    cases += [Case(note) for note in cmb_notes(limit=limit)]
    return cases


def _squash(text: str) -> str:
    # OCR drops spaces between Latin words (RapidOCR #723): compare letters and digits only.
    return re.sub(r"[^a-z0-9\u3400-\u9fff]", "", text.lower())


def plan_recall(predicted: str, gold: str) -> float:  # with the arguments swapped: precision
    """Share of the gold plan's letters and digits found, in order, in the plan field (longest common
    subsequence): word tokens would punish OCR's dropped spaces, which are not the sectionizer's doing."""
    g, p = _squash(gold), _squash(predicted)
    return LCSseq.similarity(g, p) / len(g) if g else 1.0


def heading_in(chief_complaint: str) -> bool:
    """A line shaped like a section heading of the source records, or any line after the first that the
    app itself reads as a known heading (catches OCR-garbled ones)."""
    lines = [line for line in chief_complaint.splitlines() if line.strip()]
    return any(_RECORD_HEADING.match(line) for line in lines) or any(
        (m := match_line(line)) is not None and m.kind == KNOWN for line in lines[1:])


@dataclass
class Row:
    set_name: str
    note_id: str
    cc_f1: float | None
    cc_heading: bool
    problems_found: int
    problems_total: int
    plan_recall: float | None
    plan_precision: float | None  # share of the plan field found in the gold plan (None: field empty)


def score(case: Case, summary: Summary) -> Row:
    cc = summary.chief_complaint.text
    diagnosis = _squash(summary.diagnosis.text)
    found = sum(1 for name in case.problems if _squash(name) and _squash(name) in diagnosis)
    return Row(case.set_name, case.note.note_id,
               token_f1(cc, case.note.chief_complaint) if case.note.chief_complaint else None,
               bool(cc) and heading_in(cc), found, len(case.problems),
               plan_recall(summary.plan.text, case.plan) if case.plan else None,
               plan_recall(case.plan, summary.plan.text) if case.plan and summary.plan.text.strip() else None)


def ocr_pages(pipeline: Pipeline, case: Case, seed: int, cache: Path, dpi: int) -> list[PageResult]:
    key = hashlib.sha256(f"{dpi}:{seed}:{case.note.text}".encode()).hexdigest()[:20]
    path = cache / f"{key}.json"
    if path.exists():
        pages = json.loads(path.read_text(encoding="utf-8"))
        return [PageResult(**{**p, "blocks": [Block(**b) for b in p["blocks"]]}) for p in pages]
    style = "serif" if case.note.language == "en" else "sans"
    images = [scan_damage(page, seed=seed + i) for i, page in enumerate(render_pages(case.note.text, dpi=dpi,
                                                                                     style=style))]
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "note.pdf"
        save_pdf_from_images(images, pdf, dpi=dpi)
        result = pipeline.run(pdf)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(p) for p in result.pages]), encoding="utf-8")
    return result.pages


def ocr_sample(cases: list[Case], size: int) -> list[Case]:
    """Every set in turn and, within a set, problem-oriented notes and notes with a chief complaint in turn,
    so that a modest sample measures all four numbers on every set. Deterministic (file order)."""
    queues: dict[str, list[list[Case]]] = {}
    for case in cases:
        kind = 0 if case.problems else 1 if case.note.chief_complaint else 2
        queues.setdefault(case.set_name, [[], [], []])[kind].append(case)
    turns = {name: 0 for name in queues}
    sample: list[Case] = []
    while len(sample) < size and any(any(q) for qs in queues.values() for q in qs):
        for name, kinds in queues.items():
            filled = [q for q in kinds[:2] if q] or [q for q in kinds if q]
            if filled and len(sample) < size:
                sample.append(filled[turns[name] % len(filled)].pop(0))
                turns[name] += 1
    return sample


def _mean(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f} ({len(values)})" if values else "–"


def table(title: str, rows: list[Row]) -> str:
    out = [f"\n{title}\n", "| set | notes | CC F1 (n) | CC with a heading | problem names in diagnosis | "
           "plan recall (n) | plan precision (n) |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in ("mt", "aci", "cmb", "all"):
        subset = rows if name == "all" else [r for r in rows if r.set_name == name]
        if not subset:
            continue
        found, total = sum(r.problems_found for r in subset), sum(r.problems_total for r in subset)
        problems = f"{found / total:.3f} ({found}/{total})" if total else "–"
        out.append(f"| {name} | {len(subset)} | {_mean([r.cc_f1 for r in subset if r.cc_f1 is not None])} | "
                   f"{sum(r.cc_heading for r in subset)} | {problems} | "
                   f"{_mean([r.plan_recall for r in subset if r.plan_recall is not None])} | "
                   f"{_mean([r.plan_precision for r in subset if r.plan_precision is not None])} |")
    return "\n".join(out)


_HEADERS = {"en": ["PROGRESS NOTE   03/02/2024", "CLINIC NOTE   Date of visit: 04/11/2024",
                    "DISCHARGE SUMMARY   05/20/2024"],
            "zh": ["门诊病历", "门诊病历  就诊日期：2024-03-09", "出院记录"]}


def note_boundaries(cases: list[Case], pipeline: Pipeline) -> str:
    """Each record is one note: how many are wrongly split. Then pairs of consecutive records of one set,
    each under a note header (three header styles in turn): how many pairs come out as exactly the two
    notes, and the second note's chief-complaint F1 (its own, not the first note's)."""
    false_splits = sum(len(split_notes(case.note.text)) > 1 for case in cases)
    right, f1 = 0, []
    pairs = [(a, b) for a, b in zip(cases, cases[1:], strict=False) if a.set_name == b.set_name]
    for i, (first, second) in enumerate(pairs):
        headers = _HEADERS[first.note.language]
        text = (f"{headers[i % 3]}\n{first.note.text.strip()}\n{headers[(i + 1) % 3]}\n"
                f"{second.note.text.strip()}\n")
        summary = pipeline.summarize_text(text)
        right += len(summary.notes) == 2 and summary.notes[1].start == text.index(f"\n{headers[(i + 1) % 3]}\n") + 1
        if second.note.chief_complaint and len(summary.notes) == 2:
            f1.append(token_f1(summary.notes[1].chief_complaint.text, second.note.chief_complaint))
    return (f"\nNote boundaries (source text): {false_splits} of {len(cases)} single records split; "
            f"{right} of {len(pairs)} joined pairs split exactly at the second header; second note's "
            f"chief-complaint F1 {statistics.mean(f1) if f1 else float('nan'):.3f} ({len(f1)})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="notes per source (0 = all)")
    parser.add_argument("--ocr", type=int, default=0, help="also OCR a sample of this many notes")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder for cached OCR pages")
    parser.add_argument("--verbose", action="store_true", help="one line per imperfect note (stderr)")
    args = parser.parse_args()
    cases = load_cases(args.limit or None)
    pipeline = Pipeline()

    text_rows = [score(case, pipeline.summarize_text(case.note.text)) for case in cases]
    if args.verbose:
        _explain(cases, text_rows, [pipeline.summarize_text(c.note.text) for c in cases])
    print(table(f"Source text, {len(cases)} notes", text_rows))
    print(note_boundaries(cases, pipeline))

    if args.ocr:
        sample = ocr_sample(cases, args.ocr)
        rows, summaries, started = [], [], time.perf_counter()
        for i, case in enumerate(sample):
            pages = ocr_pages(pipeline, case, seed=i, cache=args.cache, dpi=args.dpi)
            summaries.append(pipeline.summarize_text(DocumentText(pages)))
            rows.append(score(case, summaries[-1]))
        if args.verbose:
            _explain(sample, rows, summaries)
        same_text = [score(case, pipeline.summarize_text(case.note.text)) for case in sample]
        print(table(f"The same {len(sample)} notes as source text", same_text))
        print(table(f"Rendered, scan-damaged, OCR'd at {args.dpi} dpi: {len(sample)} notes "
                    f"({time.perf_counter() - started:.0f} s incl. cached OCR)", rows))
    return 0


def _explain(cases: list[Case], rows: list[Row], summaries: list[Summary]) -> None:
    for case, row, summary in zip(cases, rows, summaries, strict=True):
        if (row.cc_f1 is not None and row.cc_f1 < 0.95) or row.cc_heading:
            print(f"{row.note_id:10} CC F1 {row.cc_f1:.2f} gold={case.note.chief_complaint[:60]!r} "
                  f"got={summary.chief_complaint.text[:80]!r}", file=sys.stderr)
        if row.problems_found < row.problems_total:
            print(f"{row.note_id:10} problems {row.problems_found}/{row.problems_total} gold={case.problems} "
                  f"got={summary.diagnosis.text[:120]!r}", file=sys.stderr)
        if row.plan_recall is not None and row.plan_recall < 0.85:
            print(f"{row.note_id:10} plan recall {row.plan_recall:.2f} got={summary.plan.text[:80]!r} "
                  f"gold={case.plan[:80]!r}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
