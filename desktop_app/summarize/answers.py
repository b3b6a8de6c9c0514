"""What every model summarizer does after its transport: fall back to the embedded extractor, visibly,
when the model never returned the JSON object asked for. Shared by the in-process `llm` summarizer and
the server `openai` summarizer (the prompts, the parser and the merge are in prompts.py and llm.py)."""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.jobs.cancel import CancelToken
from desktop_app.jobs.progress import ProgressSink
from desktop_app.models import Summary, SummaryWarning
from desktop_app.settings import EngineSettings
from desktop_app.summarize import prompts
from desktop_app.summarize.chunking import Chunk


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
