"""What both model summarizers do around their transport (the in-process `llm` summarizer's `generate`,
the `openai` summarizer's HTTP request): ask for each chunk's answer, once more with a reminder when it
is not the JSON object asked for, merge the chunk answers, find each field's evidence in the document,
and fall back to the embedded extractor, visibly, when the model never answered. The prompts and the
parser are in prompts.py.

Why a deterministic merge rather than a reduce call: a second model call could rephrase or add
content; the merge keeps each field's text exactly what some chunk answer said, so every part can be
traced back to a span of the note, and it costs no extra prefill. Chief complaint = the first chunk's
that has one (it is stated at the top of a note); diagnosis and plan = the distinct answers in
document order (overlapping chunks repeat themselves, so near-duplicates are dropped). A part that
cannot be found in the document (fuzzily) is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from desktop_app.cancel import CancelToken
from desktop_app.models import FIELD_NAMES, FOUND, Evidence, Summary, SummaryField, SummaryWarning
from desktop_app.progress import ProgressSink
from desktop_app.settings import EngineSettings
from desktop_app.summarize import prompts
from desktop_app.summarize.chunking import DEFAULT_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS, Chunk

DEFAULT_MAX_NEW_TOKENS = 768  # under the JSON constraint: up to ~240 characters per field
FUZZY_MIN_SCORE = 80.0  # rapidfuzz partial_ratio, 0-100
DUPLICATE_SCORE = 90.0
ZH_CHIEF_COMPLAINT_MAX = 20  # characters, the usual rule for a Chinese chief complaint
_PART_SPLIT = re.compile(r"\n+|(?<=[;；。])\s*|(?<=\.)\s+(?=[A-Z0-9])")

Answers = list[tuple[Chunk, prompts.ChunkAnswer]]


def ask_twice(complete: Callable[[bool], str], stats) -> prompts.ChunkAnswer | None:
    """One chunk's answer: the model is asked, and asked once more with the stricter retry prompt when
    its first answer is not the JSON object asked for. `complete(retry)` is the transport (in-process
    generate or an HTTP request); `stats` keeps every raw answer and counts the retries."""
    for retry in (False, True):
        raw = complete(retry)
        stats.raw_answers.append(raw)
        answer = prompts.parse_answer(raw)
        if answer is not None:
            return answer
        if not retry:
            stats.retries += 1
    return None


class ChunkedSummarizer:
    """The Summarizer both transports share. A subclass sets `name` and `stats` (with `raw_answers`
    and `retries`) and implements `complete`. Runs in a worker thread; checks `cancel` between chunks
    (and the transport during one)."""

    name = "llm"

    def __init__(self, settings: EngineSettings | None = None, *, chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
                 overlap_tokens: int = DEFAULT_OVERLAP_TOKENS, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> None:
        self.settings = settings or EngineSettings()
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self.max_new_tokens = max_new_tokens

    def complete(self, chunk: str, language: str, *, retry: bool, cancel: CancelToken,
                 progress: ProgressSink) -> str:
        """The model's raw answer for one chunk (the transport)."""
        raise NotImplementedError

    def answer_chunk(self, chunk: str, language: str, cancel: CancelToken,
                     progress: ProgressSink) -> prompts.ChunkAnswer | None:
        return ask_twice(lambda retry: self.complete(chunk, language, retry=retry, cancel=cancel,
                                                     progress=progress), self.stats)

    def summarize_chunks(self, text: str, chunks: list[Chunk], language: str, cancel: CancelToken,
                         progress: ProgressSink) -> tuple[Summary, Answers]:
        """The summary of `text` from its chunks' answers, and those answers ([] after a fallback)."""
        answers: Answers = []
        for i, chunk in enumerate(chunks):
            cancel.raise_if_cancelled()
            progress.update("summarize", i, len(chunks))
            answer = self.answer_chunk(chunk.text, language, cancel, progress)
            if answer is None:
                return fallback_to_sections(self.settings, self.name, text, language, cancel, progress, chunk), []
            answers.append((chunk, answer))
        progress.update("summarize", len(chunks), len(chunks))
        return build_summary(text, answers, engine=self.name, language=language), answers


def fallback_to_sections(
    settings: EngineSettings,
    engine: str,
    text: str,
    language: str,
    cancel: CancelToken,
    progress: ProgressSink,
    chunk: Chunk,
) -> Summary:
    """The `sections` summary of `text`, named `<engine>>sections`, with an `llm_fallback` warning first
    that names the chunk whose answer failed twice."""
    from desktop_app.summarize.sections import SectionSummarizer

    summary = SectionSummarizer(settings).summarize(text, language=language, cancel=cancel, progress=progress)
    summary.engine = f"{engine}>sections"
    summary.warnings.insert(
        0,
        SummaryWarning(
            "llm_fallback",
            "The summary model did not return a valid answer twice (chunk "
            f"{chunk.index + 1}); the sections were copied by the embedded extractor instead.",
            start=chunk.start,
            end=chunk.end,
        ),
    )
    return summary


def cut_field_warnings(answers: Answers, max_new_tokens: int) -> list[SummaryWarning]:
    """A value as long as the answer schema allows may have been cut there: never let it pass as whole."""
    limit = prompts.answer_schema(max_new_tokens)["properties"]["chief_complaint"]["maxLength"]
    cut = {name for _, answer in answers for name in FIELD_NAMES if len(answer.get(name) or "") >= limit}
    return [
        SummaryWarning("llm_field_cut", f"The model's answer reached the {limit}-character limit and may be "
                       "cut short; check it against the note.", field=name)
        for name in FIELD_NAMES
        if name in cut
    ]


# --- merge and evidence (pure Python) ---------------------------------------------------------------


def _parts(value: str) -> list[str]:
    return [p.strip(" \t-•*,，") for p in _PART_SPLIT.split(value) if p and len(p.strip(" \t-•*,，")) >= 2]


def locate(part: str, text: str, start: int = 0, end: int | None = None) -> tuple[int, int, float] | None:
    """Where `part` is in text[start:end]: exact first, else rapidfuzz's best partial alignment."""
    end = len(text) if end is None else end
    found = text.find(part, start, end)
    if found >= 0:
        return found, found + len(part), 100.0
    lowered = text[start:end].lower().find(part.lower())
    if lowered >= 0:
        return start + lowered, start + lowered + len(part), 100.0
    from rapidfuzz import fuzz

    alignment = fuzz.partial_ratio_alignment(part, text[start:end], score_cutoff=FUZZY_MIN_SCORE)
    if alignment is None:
        return None
    return start + alignment.dest_start, start + alignment.dest_end, alignment.score


def _is_duplicate(value: str, kept: list[str]) -> bool:
    from rapidfuzz import fuzz

    return any(fuzz.ratio(value, other) >= DUPLICATE_SCORE or value in other for other in kept)


def merge_answers(answers: Answers) -> dict[str, list[tuple[Chunk, str]]]:
    merged: dict[str, list[tuple[Chunk, str]]] = {name: [] for name in FIELD_NAMES}
    for chunk, answer in answers:
        for name in FIELD_NAMES:
            value = answer.get(name)
            if not value:
                continue
            if name == "chief_complaint" and merged[name]:
                continue
            if _is_duplicate(value, [v for _, v in merged[name]]):
                continue
            merged[name].append((chunk, value))
    return merged


def build_summary(text: str, answers: Answers, *, engine: str, language: str) -> Summary:
    """Merge chunk answers into the three fields and find each one's evidence in `text`."""
    summary = Summary(engine=engine, language=language)
    for name, values in merge_answers(answers).items():
        if not values:
            setattr(summary, name, SummaryField.not_documented())
            continue
        evidence: list[Evidence] = []
        for chunk, value in values:
            for part in _parts(value) or [value]:
                # Search the chunk the answer came from first, then the whole document.
                hit = locate(part, text, chunk.start, chunk.end) or locate(part, text)
                if hit is None:
                    summary.warnings.append(SummaryWarning(
                        "unsupported_text", f"'{part}' was not found in the document; check it against the source.",
                        field=name))
                    continue
                s, e, _ = hit
                if not any(ev.start <= s and e <= ev.end for ev in evidence):
                    evidence.append(Evidence(s, e))
        evidence.sort(key=lambda ev: ev.start)
        setattr(summary, name, SummaryField(text="\n".join(v for _, v in values), status=FOUND, evidence=evidence))
    cc = summary.chief_complaint
    if language.startswith("zh") and cc.status == FOUND and len(cc.text) > ZH_CHIEF_COMPLAINT_MAX:
        summary.warnings.append(SummaryWarning(
            "long_chief_complaint", f"The chief complaint has {len(cc.text)} characters; a Chinese chief complaint "
            f"is at most {ZH_CHIEF_COMPLAINT_MAX} (symptom + duration).", field="chief_complaint"))
    return summary
