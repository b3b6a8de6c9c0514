"""Benchmark and evaluation pages rendered from the public notes in ../shared/data.

Kept here (not in tests) because benchmarks render more pages than tests should.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from desktop_app.render import mtsamples_to_text

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_MT_CC = re.compile(r"CHIEF COMPLAINT:\s*,?\s*(?P<cc>.*?)\s*(?:,\s*[A-Z][A-Z /&-]{2,}:|$)", re.S)


@dataclass
class Note:
    note_id: str
    language: str
    text: str
    chief_complaint: str | None  # gold, from the source record, not from our sectionizer


def mtsamples_notes(limit: int | None = None, with_cc: bool = False) -> list[Note]:
    notes = []
    for line in open(DATA / "mtsamples_dev.jsonl", encoding="utf-8"):
        row = json.loads(line)
        match = _MT_CC.search(row["transcription"])
        if with_cc and not match:
            continue
        cc = match.group("cc").strip(" ,") if match else None
        notes.append(Note(f"mt-{row['note_id']}", "en", mtsamples_to_text(row["transcription"]), cc))
        if limit and len(notes) >= limit:
            break
    return notes


def aci_notes(limit: int | None = None, with_cc: bool = False) -> list[Note]:
    notes = []
    for line in open(DATA / "aci_bench_dev.jsonl", encoding="utf-8"):
        row = json.loads(line)
        match = re.search(r"CHIEF COMPLAINT\s*\n+(?P<cc>.+?)\n\s*\n", row["note"])
        if with_cc and not match:
            continue
        notes.append(Note(f"aci-{row['encounter_id']}", "en", row["note"], match.group("cc").strip() if match else None))
        if limit and len(notes) >= limit:
            break
    return notes


def cmb_notes(limit: int | None = None, with_cc: bool = False) -> list[Note]:
    notes = []
    for case in json.load(open(DATA / "cmb_clin_dev.json", encoding="utf-8")):
        match = re.search(r"主诉\s*\n\s*(?P<cc>[^\n]+)", case["description"])
        if with_cc and not match:
            continue
        notes.append(Note(f"cmb-{case['id']}", "zh", case["description"], match.group("cc").strip() if match else None))
        if limit and len(notes) >= limit:
            break
    return notes


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (Latin words, digits, single CJK characters) for token F1."""
    return re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]", text.lower())


def token_f1(predicted: str, gold: str) -> float:
    from collections import Counter

    p, g = Counter(tokens(predicted)), Counter(tokens(gold))
    if not p and not g:
        return 1.0
    common = sum((p & g).values())
    if common == 0:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def cer(predicted: str, gold: str) -> float:
    """Character error rate with whitespace runs collapsed (layout is not what is measured)."""
    from rapidfuzz.distance import Levenshtein

    p, g = " ".join(predicted.split()), " ".join(gold.split())
    return Levenshtein.distance(p, g) / max(len(g), 1)
