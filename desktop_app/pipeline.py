"""document → pages → OCR → text → summary. One code path for the CLI, the GUI worker and tests.

Engines load lazily, once per `Pipeline`, so a batch or a GUI session pays for a model load once.
A page that fails is recorded on the result; a document that fails is recorded as the result's
error. Only cancellation raises (`errors.Cancelled`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from desktop_app import errors
from desktop_app.cancel import NEVER_CANCELLED, CancelToken
from desktop_app.evidence import DocumentText
from desktop_app.ingest import Document, SourcePage, open_document
from desktop_app.labs.extract import extract_results
from desktop_app.models import DocumentResult, PageResult, Summary, SummaryWarning
from desktop_app.ocr import registry as ocr_registry
from desktop_app.ocr.base import OcrEngine
from desktop_app.progress import NULL_PROGRESS, ProgressSink
from desktop_app.settings import EngineSettings, IngestLimits
from desktop_app.summarize import registry as summary_registry
from desktop_app.summarize.base import Summarizer
from desktop_app.summarize.guard import check_ocr_doubt, check_summary
from desktop_app.summarize.notes import split_notes, summarize_by_note
from desktop_app.summarize.sections import detect_language

log = logging.getLogger(__name__)

Opener = Callable[[str | Path, IngestLimits, int], Document]  # (path, limits, dpi) -> an opened document


class Pipeline:
    def __init__(self, settings: EngineSettings | None = None, *, ui_language: str = "en",
                 ocr_engine: OcrEngine | None = None, summarizer: Summarizer | None = None) -> None:
        self.settings = settings or EngineSettings()
        self.ui_language = ui_language
        self._ocr = ocr_engine
        self._text_layer: OcrEngine | None = None
        self._summarizer = summarizer
        self.config_error: errors.ConfigError | None = None  # the last one `run_answering_every_input` met

    # --- engines, created on first use --------------------------------------------------

    def check_engines(self) -> None:
        """Fail fast on an unknown engine name, before any document is read (loads nothing)."""
        if self.settings.ocr != "auto":
            ocr_registry.find(self.settings.ocr)
        summary_registry.find(self.settings.summarizer)

    def ocr_engine(self) -> OcrEngine:
        if self._ocr is None:
            self._ocr = ocr_registry.resolve(self.settings).create(self.settings)
        return self._ocr

    def text_layer_engine(self) -> OcrEngine:
        if self._text_layer is None:
            self._text_layer = ocr_registry.find(ocr_registry.TEXT_LAYER_ENGINE).create(self.settings)
        return self._text_layer

    def summarizer(self) -> Summarizer:
        if self._summarizer is None:
            self._summarizer = summary_registry.find(self.settings.summarizer).create(self.settings)
        return self._summarizer

    # --- running ------------------------------------------------------------------------

    def run(self, path: str | Path, *, progress: ProgressSink = NULL_PROGRESS,
            cancel: CancelToken = NEVER_CANCELLED, opener: Opener = open_document) -> DocumentResult:
        """`opener` (as `ingest.open_document`) lets the GUI worker share the opened document with
        the page view (jobs/shared_documents.py)."""
        result = DocumentResult(source=str(path))
        started = time.perf_counter()
        progress.update("open", 0, 1)
        try:
            document = opener(path, self.settings.limits, self.settings.dpi)
        except errors.DocumentError as exc:
            return self._failed(result, exc, started)
        result.sha256 = document.sha256
        result.page_count = document.page_count
        result.timings["open"] = round(time.perf_counter() - started, 4)
        with document:
            ocr_started = time.perf_counter()
            for page in document.pages():
                cancel.raise_if_cancelled()
                progress.update("ocr", page.index, document.page_count)
                result.pages.append(self._read_page(page, cancel, progress))
                # Nothing keeps the page image: the next page renders only now (flat memory).
            progress.update("ocr", document.page_count, document.page_count)
            result.timings["ocr"] = round(time.perf_counter() - ocr_started, 4)

        if all(page.status == "failed" for page in result.pages):
            first = result.pages[0]
            result.error = first.error
            result.error_code = first.error_code
            result.error_messages = dict(first.error_messages)
        cancel.raise_if_cancelled()
        summarize_started = time.perf_counter()
        text = DocumentText(result.pages)
        result.text = text.text
        if result.error is None and not text.text.strip():
            # Nothing read anywhere (a blank or sideways scan): an error the reader sees, never three
            # "not documented" fields that could be taken for a note without them.
            failed = next((page.error_messages or page.error for page in result.pages if page.status == "failed"), None)
            return self._failed(result, errors.NoTextFound(path=str(path), pages=len(result.pages), failed=failed),
                                started)
        try:
            result.summary = self.summarize_text(text, cancel=cancel, progress=progress)
        except (errors.Cancelled, errors.ConfigError):
            raise
        except errors.EmrError as exc:
            return self._failed(result, exc, started)
        for page in result.pages:
            if page.status == "failed":  # page.error is already the whole sentence, "Page 2 could not be read: …"
                result.summary.warnings.append(SummaryWarning("page_failed", page.error or ""))
            elif not page.text.strip():
                empty = errors.PageNoText(page=page.index + 1)
                result.summary.warnings.append(SummaryWarning(empty.code, empty.message(self.ui_language),
                                                              messages=empty.messages()))
            # The OCR engine's notes (a retry with the plain prompt, a token-cap cut): each names its page.
            languages = page.warning_messages or [{} for _ in page.warnings]
            result.summary.warnings.extend(SummaryWarning("ocr_warning", note, messages=messages)
                                           for note, messages in zip(page.warnings, languages, strict=True))
        # Lab results tables, on any page and from any OCR engine, restated row by row with their boxes.
        result.summary.results, lab_warnings = extract_results(result.pages, text, self.ui_language)
        result.summary.warnings.extend(lab_warnings)
        result.timings["summarize"] = round(time.perf_counter() - summarize_started, 4)
        result.timings["total"] = round(time.perf_counter() - started, 4)
        log.info("document done: %d pages, %d failed, %.2fs", len(result.pages),
                 sum(p.status == "failed" for p in result.pages), result.timings["total"])
        return result

    def run_answering_every_input(self, path: str | Path, *, progress: ProgressSink = NULL_PROGRESS,
                                  cancel: CancelToken = NEVER_CANCELLED) -> DocumentResult:
        """`run` for the CLI: an engine or model problem (a ConfigError, e.g. a damaged model folder)
        becomes this document's error instead of ending the run, so every input gets its answer.
        `config_error` keeps the last one (the run's exit code)."""
        try:
            return self.run(path, progress=progress, cancel=cancel)
        except errors.ConfigError as exc:
            self.config_error = exc
            log.info("document failed: %s", exc.code)
            return DocumentResult(source=str(path), error=exc.message(self.ui_language), error_code=exc.code,
                                  error_messages=exc.messages())

    def summarize_text(self, text: DocumentText | str, *, cancel: CancelToken = NEVER_CANCELLED,
                       progress: ProgressSink = NULL_PROGRESS) -> Summary:
        """Summarize assembled text (or text the physician corrected, which has no boxes)."""
        document_text = text if isinstance(text, DocumentText) else DocumentText.from_plain(text)
        language = self.settings.output_language or detect_language(document_text.text)

        def summarize_checked(text: str) -> Summary:
            summary = self.summarizer().summarize(text, language=language, cancel=cancel, progress=progress)
            # Every summarizer's output is checked against the document it came from.
            return check_summary(summary, text, ui_language=self.ui_language)

        def check_doubts(summary: Summary) -> Summary:
            # Text the OCR was unsure of is flagged in every field that holds it (never corrected).
            return check_ocr_doubt(summary, document_text.doubts, document_text.text, ui_language=self.ui_language)

        # A file holding several notes is summarized note by note (see summarize/notes.py).
        notes = split_notes(document_text.text)
        if len(notes) > 1:
            summary = summarize_by_note(document_text.text, notes, summarize_checked, language,
                                        check_in_document=check_doubts)
        else:
            summary = check_doubts(summarize_checked(document_text.text))
        if not document_text.text.strip():
            summary.warnings.append(SummaryWarning("no_text", "No text was found in the document."))
        return document_text.attach(summary)

    def _read_page(self, page: SourcePage, cancel: CancelToken, progress: ProgressSink) -> PageResult:
        use_layer = self.settings.use_text_layer and page.text_layer_usable
        started = time.perf_counter()
        engine_name = ocr_registry.TEXT_LAYER_ENGINE if use_layer else self.settings.ocr
        try:
            engine = self.text_layer_engine() if use_layer else self.ocr_engine()
            engine_name = engine.name
            output = engine.recognize(page, cancel=cancel, progress=progress)
        except errors.Cancelled:
            raise
        except errors.PageError as exc:
            return PageResult(page.index, engine_name, "failed", error=exc.message(self.ui_language),
                              error_code=exc.code, error_messages=exc.messages(), width=page.width, height=page.height,
                              seconds=round(time.perf_counter() - started, 4))
        except errors.ConfigError:
            raise
        except Exception as exc:  # an engine bug must not end the batch; record it on the page
            log.exception("page %d: %s failed", page.index + 1, engine_name)
            failure = errors.PageError(page=page.index + 1, detail=f"unexpected {type(exc).__name__}")
            return PageResult(page.index, engine_name, "failed", error=failure.message(self.ui_language),
                              error_code=failure.code, error_messages=failure.messages(), width=page.width,
                              height=page.height)
        return PageResult(page.index, engine_name, "ok", text=output.text, blocks=output.blocks,
                          width=page.width, height=page.height, seconds=round(time.perf_counter() - started, 4),
                          warnings=[notice.message(self.ui_language) if isinstance(notice, errors.EmrError)
                                    else str(notice) for notice in output.warnings],
                          warning_messages=[notice.messages() if isinstance(notice, errors.EmrError) else {}
                                            for notice in output.warnings])

    def _failed(self, result: DocumentResult, exc: errors.EmrError, started: float) -> DocumentResult:
        result.error = exc.message(self.ui_language)
        result.error_code = exc.code
        result.error_messages = exc.messages()
        result.timings["total"] = round(time.perf_counter() - started, 4)
        log.info("document failed: %s", exc.code)
        return result
