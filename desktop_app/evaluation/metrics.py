"""Scores of one prediction against its label. Pure functions, no engines, no I/O.

- `cer`: character error rate, Levenshtein distance / length of the true text, with whitespace runs
  collapsed (line wrapping and layout are not what is measured). Can exceed 1 when the output is
  much longer than the truth.
- `token_f1`: bag-of-tokens F1 (lower-cased Latin words and digits, single CJK characters); used as
  "word F1" on the whole text and as per-field agreement.
- `FieldScore`/`score_field`: a field labelled with text or as not documented, against the pipeline's
  field; `status_correct` is the not_documented decision (found vs not documented) being right.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_TOKEN = re.compile(r"[a-z0-9]+|[\u3400-\u9fff\uf900-\ufaff]")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (Latin words, digits, single CJK characters) for token F1."""
    return _TOKEN.findall(text.lower())


def token_f1(predicted: str, gold: str) -> float:
    """Bag-of-tokens F1; two texts without tokens agree (1.0)."""
    p, g = Counter(tokens(predicted)), Counter(tokens(gold))
    if not p and not g:
        return 1.0
    common = sum((p & g).values())
    if common == 0:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def cer(predicted: str, gold: str) -> float:
    """Character error rate with whitespace runs collapsed. An empty truth: 0.0 if the output is empty too,
    else 1.0 per character, i.e. len(output)."""
    from rapidfuzz.distance import Levenshtein

    p, g = " ".join(predicted.split()), " ".join(gold.split())
    return Levenshtein.distance(p, g) / max(len(g), 1)


@dataclass
class FieldScore:
    labelled_documented: bool  # the label says the note has this field
    predicted_documented: bool  # the pipeline found it
    f1: float | None  # token F1 when the label has text; None when the label says not documented

    @property
    def status_correct(self) -> bool:
        return self.labelled_documented == self.predicted_documented


def score_field(gold: str | None, predicted_text: str, predicted_status: str) -> FieldScore:
    """`gold` None = the note does not document this field. A field labelled with text but not found
    scores F1 0; a field labelled not documented has no F1, only the status decision."""
    found = predicted_status == "found" and bool(predicted_text.strip())
    if gold is None:
        return FieldScore(False, found, None)
    return FieldScore(True, found, token_f1(predicted_text, gold) if found else 0.0)


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# --- one cached pipeline result against its label, and a config's totals ----------------------

FIELDS = ("chief_complaint", "diagnosis", "plan")


@dataclass
class DocumentScore:
    file: str
    pages: int
    failed: bool  # the document as a whole could not be read
    failed_pages: int
    looping_pages: int
    seconds: float
    peak_rss_mb: float | None
    baseline_rss_mb: float | None = None  # the process's memory when the config started
    gpu_peak_mb: float | None = None  # CUDA allocator peak, model configs on a GPU only
    cer: float | None = None  # None = no true text in the label
    word_f1: float | None = None
    fields: dict[str, FieldScore] = field(default_factory=dict)
    flagged_fields: list[str] = field(default_factory=list)  # fields with a faithfulness warning
    warning_codes: list[str] = field(default_factory=list)

    @property
    def seconds_per_page(self) -> float | None:
        return self.seconds / self.pages if self.pages else None

    def field_f1(self, name: str) -> float | None:
        score = self.fields.get(name)
        return score.f1 if score else None

    @property
    def badness(self) -> float:
        """For "worst first": the larger of the text error and the mean field disagreement."""
        parts = [min(self.cer, 1.0)] if self.cer is not None else []
        f1s = [s.f1 for s in self.fields.values() if s.f1 is not None]
        statuses = [0.0 if s.status_correct else 1.0 for s in self.fields.values()]
        if f1s or statuses:
            parts.append(mean([1 - f for f in f1s] + [x for x in statuses if x]) or 0.0)
        return 1.0 if self.failed else max(parts, default=0.0)


def score_document(record: dict, gold_text: str | None, gold_fields: dict[str, str | None]) -> DocumentScore:
    pages = record.get("pages", [])
    score = DocumentScore(
        file=record["file"], pages=record.get("page_count") or len(pages),
        failed=record.get("error") is not None,
        failed_pages=sum(p["status"] == "failed" for p in pages),
        looping_pages=sum(p.get("error_code") == "ocr_loop" for p in pages),
        seconds=record.get("seconds", 0.0), peak_rss_mb=record.get("peak_rss_mb"),
        baseline_rss_mb=record.get("baseline_rss_mb"), gpu_peak_mb=record.get("gpu_peak_mb"),
    )
    text = record.get("text") or ""
    if gold_text is not None:
        score.cer = cer(text, gold_text)
        score.word_f1 = token_f1(text, gold_text)
    predicted = record.get("fields") or {}
    for name, gold in gold_fields.items():
        got = predicted.get(name) or {}
        score.fields[name] = score_field(gold, got.get("text", ""), got.get("status", "not_documented"))
    warnings = record.get("warnings") or []
    score.warning_codes = [w["code"] for w in warnings]
    score.flagged_fields = sorted({w["field"] for w in warnings if w.get("field")})
    return score


@dataclass
class ConfigTotals:
    documents: int = 0
    pages: int = 0
    failed_documents: int = 0
    failed_pages: int = 0
    looping_pages: int = 0
    cer_mean: float | None = None
    cer_median: float | None = None
    word_f1: float | None = None
    field_f1: dict[str, float | None] = field(default_factory=dict)
    field_n: dict[str, int] = field(default_factory=dict)
    not_documented_accuracy: float | None = None
    not_documented_n: int = 0
    found_fields: int = 0
    flagged_fields: int = 0
    seconds_per_page: float | None = None
    peak_rss_mb: float | None = None
    added_rss_mb: float | None = None  # peak over the memory the process held when the config started
    gpu_peak_mb: float | None = None


def aggregate(scores: list[DocumentScore]) -> ConfigTotals:
    """Means over the documents that have the label (a field's F1 over documents labelled with text)."""
    totals = ConfigTotals(documents=len(scores), pages=sum(s.pages for s in scores))
    totals.failed_documents = sum(s.failed for s in scores)
    totals.failed_pages = sum(s.failed_pages for s in scores)
    totals.looping_pages = sum(s.looping_pages for s in scores)
    cers = [s.cer for s in scores if s.cer is not None]
    totals.cer_mean, totals.cer_median = mean(cers), median(cers)
    totals.word_f1 = mean([s.word_f1 for s in scores if s.word_f1 is not None])
    decisions: list[bool] = []
    for name in FIELDS:
        f1s = [s.fields[name].f1 for s in scores if name in s.fields and s.fields[name].f1 is not None]
        totals.field_f1[name], totals.field_n[name] = mean(f1s), len(f1s)
        decisions += [s.fields[name].status_correct for s in scores if name in s.fields]
    totals.not_documented_n = len(decisions)
    totals.not_documented_accuracy = mean([float(d) for d in decisions])
    totals.found_fields = sum(f.predicted_documented for s in scores for f in s.fields.values())
    totals.flagged_fields = sum(len(s.flagged_fields) for s in scores)
    timed_pages = sum(s.pages for s in scores if not s.failed)
    if timed_pages:
        totals.seconds_per_page = sum(s.seconds for s in scores if not s.failed) / timed_pages
    peaks = [s.peak_rss_mb for s in scores if s.peak_rss_mb is not None]
    totals.peak_rss_mb = max(peaks) if peaks else None
    added = [s.peak_rss_mb - s.baseline_rss_mb for s in scores
             if s.peak_rss_mb is not None and s.baseline_rss_mb is not None]
    totals.added_rss_mb = max(0.0, max(added)) if added else None
    gpu = [s.gpu_peak_mb for s in scores if s.gpu_peak_mb is not None]
    totals.gpu_peak_mb = max(gpu) if gpu else None
    return totals
