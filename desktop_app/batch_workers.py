"""Where `emr-assist batch` runs its documents: one at a time in this process, or — when every engine
is a server (or needs no model) — up to N at once in worker processes, so a serving engine (vLLM,
llama.cpp's server) has N requests to batch.

Why processes, not threads: the document readers (PyMuPDF) are not thread-safe, and each worker then
holds its own pipeline and engines with no shared state. Workers start with the network guard on
(the same allow-list as the parent), whatever the platform's start method.

Why in-process engines keep one at a time: N copies of a local model would share the same cores and
memory; they would not finish sooner.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.errors import EmrError
from desktop_app.models import DocumentResult
from desktop_app.pipeline import Pipeline
from desktop_app.settings import EngineSettings

SERVER_DOWN_CODES = frozenset({"summary_server_unreachable", "ocr_server_unreachable"})

_pipeline: Pipeline | None = None  # this process's pipeline (a worker's, or the parent's when inline)


def allows_concurrency(settings: EngineSettings) -> bool:
    """Several documents at once only when no engine would load a model into this machine's memory (the
    registry's `loads_weights`): N copies of a local model would only compete for the same cores and RAM.
    (A PDF page with a usable text layer is read by the text-layer reader, which loads nothing.)"""
    from desktop_app import engines

    return not engines.resolve_ocr(settings).loads_weights and not engines.find(
        "summary", settings.summarizer).loads_weights


@dataclass
class Outcome:
    """One document's answer from a worker, plus what the parent needs for its report."""

    result: DocumentResult
    config_exit_code: int | None = None  # the pipeline met a ConfigError (the run's exit code)
    usage: dict[str, int] = field(default_factory=dict)  # summary server tokens for this document


def _init_worker(settings: EngineSettings, ui_language: str, guard: bool) -> None:
    global _pipeline
    if guard:
        from desktop_app.privacy import network

        network.install(settings.allowed_hosts)
    _pipeline = Pipeline(settings, ui_language=ui_language)


def _usage_totals(pipeline: Pipeline) -> dict[str, int]:
    try:
        summarizer = pipeline.summarizer()
    except EmrError:  # not creatable here: the document's own run reports it
        return {}
    totals = getattr(summarizer, "totals", None)  # only server summarizers keep these
    if totals is None:
        return {}
    return {"requests": totals.requests, "prompt_tokens": totals.prompt_tokens,
            "cached_prompt_tokens": totals.cached_prompt_tokens, "cache_reported": int(totals.cache_reported)}


def run_document(path: Path) -> Outcome:
    """Runs in a worker (or inline). Every input gets its answer: errors are the result's data."""
    pipeline = _pipeline
    assert pipeline is not None, "_init_worker was not called"
    before = _usage_totals(pipeline)
    pipeline.config_error = None
    result = pipeline.run_answering_every_input(path)
    after = _usage_totals(pipeline)
    usage = {key: value - before.get(key, 0) for key, value in after.items()}
    if after:
        usage["cache_reported"] = after["cache_reported"]
    error = pipeline.config_error
    return Outcome(result, error.exit_code if error is not None else None, usage)


def mark_server_down(result: DocumentResult) -> bool:
    """Whether the document failed because a server did not answer. A document with only SOME pages
    lost that way is made a failure too (its page error becomes the document's), so that the next run
    retries it instead of keeping a summary with pages missing."""
    if result.error_code in SERVER_DOWN_CODES:
        return True
    lost = next((page for page in result.pages if page.error_code in SERVER_DOWN_CODES), None)
    if lost is None:
        return False
    if result.ok:
        result.error, result.error_code, result.summary = lost.error, lost.error_code, None
    return result.error_code in SERVER_DOWN_CODES


class InlineExecutor(Executor):
    """Runs each call at submit time in this process: concurrency 1 keeps today's behaviour exactly."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        global _pipeline
        _pipeline = None  # the parent does not keep the batch's engines (and any model) after the run


def make_executor(settings: EngineSettings, ui_language: str, concurrency: int, guard: bool) -> Executor:
    """`guard`: whether the parent runs with the network guard on (workers then install it too)."""
    if concurrency <= 1:
        _init_worker(settings, ui_language, guard=False)  # the parent's guard is already in place
        return InlineExecutor()
    # fork where the platform has it (start-up in milliseconds); the initializer installs the guard
    # either way, so a spawned worker is never without it.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=concurrency, mp_context=multiprocessing.get_context(method),
                               initializer=_init_worker, initargs=(settings, ui_language, guard))
