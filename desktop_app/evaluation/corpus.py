"""Public notes from the team's ../shared/data (development data, not shipped): loaders with the gold
chief complaint, diagnosis and plan cut from each source record by its own headings, independently of
the app's sectionizer. Used by the benchmarks and by scripts/make_eval_starter.py.

A gold field is None when the record has no such section (the note does not document it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop_app.render import mtsamples_to_text

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
_MT_CC = re.compile(r"CHIEF COMPLAINT:\s*,?\s*(?P<cc>.*?)\s*(?:,\s*[A-Z][A-Z /&-]{2,}:|$)", re.S)
# Headings of the converted MTSamples text: `HEADING:` at a line start, the body on the next lines.
_MT_HEADING = re.compile(r"^(?P<heading>[A-Z][A-Z /&()-]{2,}):[ \t]*", re.M)
MT_DIAGNOSIS = ("IMPRESSION", "ASSESSMENT", "DIAGNOSIS", "DIAGNOSES", "FINAL DIAGNOSIS", "FINAL DIAGNOSES",
                "DISCHARGE DIAGNOSIS", "DISCHARGE DIAGNOSES")
MT_PLAN = ("PLAN", "RECOMMENDATIONS", "RECOMMENDATION", "TREATMENT PLAN")
# ACI-Bench: headings are upper-case lines of their own.
_ACI_HEADING = re.compile(r"^(?P<heading>[A-Z][A-Z /&-]{2,})\s*$", re.M)


@dataclass
class Note:
    note_id: str
    language: str
    text: str
    chief_complaint: str | None  # gold, from the source record, not from our sectionizer
    diagnosis: str | None = None
    plan: str | None = None
    source: str = ""  # dataset name, for attribution


def _sections(text: str, pattern: re.Pattern[str]) -> dict[str, str]:
    """Heading → body (first occurrence), each body running to the next heading."""
    matches = list(pattern.finditer(text))
    out: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[match.end():end].strip()
        out.setdefault(match.group("heading").strip(), body)
    return out


def _first(sections: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if sections.get(name):
            return sections[name]
    return None


def _jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _collect(rows: Iterable[dict], note: Callable[[dict], Note], limit: int | None, with_cc: bool) -> list[Note]:
    """The notes of `rows` in order (only those with a gold chief complaint when `with_cc`), at most `limit`."""
    notes = []
    for row in rows:
        item = note(row)
        if with_cc and item.chief_complaint is None:
            continue
        notes.append(item)
        if limit and len(notes) >= limit:
            break
    return notes


def _mtsamples_note(row: dict) -> Note:
    match = _MT_CC.search(row["transcription"])
    text = mtsamples_to_text(row["transcription"])
    sections = _sections(text, _MT_HEADING)
    return Note(f"mt-{row['note_id']}", "en", text, match.group("cc").strip(" ,") if match else None,
                _first(sections, MT_DIAGNOSIS), _first(sections, MT_PLAN), "MTSamples")


def _aci_note(row: dict) -> Note:
    match = re.search(r"CHIEF COMPLAINT\s*\n+(?P<cc>.+?)\n\s*\n", row["note"])
    sections = _sections(row["note"], _ACI_HEADING)
    return Note(f"aci-{row['encounter_id']}", "en", row["note"], match.group("cc").strip() if match else None,
                _first(sections, ("ASSESSMENT", "IMPRESSION")), _first(sections, ("PLAN",)), "ACI-Bench")


def _cmb_note(case: dict) -> Note:
    match = re.search(r"主诉\s*\n\s*(?P<cc>[^\n]+)", case["description"])
    return Note(f"cmb-{case['id']}", "zh", case["description"], match.group("cc").strip() if match else None,
                None, None, "CMB-Clin")


def mtsamples_notes(limit: int | None = None, with_cc: bool = False, data: Path = DATA) -> list[Note]:
    return _collect(_jsonl(data / "mtsamples_dev.jsonl"), _mtsamples_note, limit, with_cc)


def aci_notes(limit: int | None = None, with_cc: bool = False, data: Path = DATA) -> list[Note]:
    return _collect(_jsonl(data / "aci_bench_dev.jsonl"), _aci_note, limit, with_cc)


def cmb_notes(limit: int | None = None, with_cc: bool = False, data: Path = DATA) -> list[Note]:
    """CMB-Clin case descriptions: 主诉 is a section; diagnosis and treatment are only in the experts'
    QA answers (reasoning, not text of the case), so the case documents neither."""
    with open(data / "cmb_clin_dev.json", encoding="utf-8") as handle:
        cases = json.load(handle)
    return _collect(cases, _cmb_note, limit, with_cc)
