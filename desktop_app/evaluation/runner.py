"""Runs each config over the same documents through `desktop_app.pipeline.Pipeline`.

Resumable: each (config, document) result is cached as JSON under REPORT_DIR/cache/, keyed by the
config's name and settings fingerprint and the document's sha256, and written atomically. A cached
result is reused, a failed document too (its failure is the measurement); `retry_failed` runs
documents that failed as a whole again (e.g. after a model server was down).
Only what scoring and the report need is kept: the text, the fields, the warnings, page statuses,
timings and peak memory (no boxes). Metrics are computed from the cache at report time, so
correcting a label never needs a re-run.

A config whose engine cannot run (model not configured, not installed, server refused) is recorded
as failed with its message; the other configs go on.
"""

from __future__ import annotations

import gc
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app import errors
from desktop_app.batch import atomic_write
from desktop_app.evaluation.configs import EvalConfig
from desktop_app.evaluation.labels import DocumentLabel, LabelSet
from desktop_app.ingest import file_sha256
from desktop_app.models import DocumentResult

CACHE_VERSION = 1
LOOP_ERROR_CODE = errors.OcrLoopDetected.code


@dataclass
class EvaluationRun:
    labels: LabelSet
    configs: list[EvalConfig]
    records: dict[str, dict[str, dict]] = field(default_factory=dict)  # config → document file → record
    config_errors: dict[str, str] = field(default_factory=dict)  # config → why it could not run
    reused: int = 0  # results taken from the cache
    ran: int = 0


class PeakMemory:
    """Samples this process's resident memory in a thread while a document runs (MB).

    Uses psutil when installed, else /proc/self/statm; None where neither is available. Also the CUDA
    allocator's peak when torch is already loaded (model configs)."""

    interval = 0.05

    def __init__(self) -> None:
        self.peak_mb: float | None = None
        self.gpu_peak_mb: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._reader = _rss_reader()

    def __enter__(self) -> PeakMemory:
        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        self._take()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._take()
        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            self.gpu_peak_mb = round(torch.cuda.max_memory_allocated() / 2**20, 1)

    @staticmethod
    def current_mb() -> float | None:
        reader = _rss_reader()
        value = reader() if reader else None
        return round(value / 2**20, 1) if value is not None else None

    def _take(self) -> None:
        if self._reader is None:
            return
        value = self._reader()
        if value is not None:
            self.peak_mb = round(max(self.peak_mb or 0.0, value / 2**20), 1)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self._take()


def _rss_reader():
    try:
        import psutil

        process = psutil.Process()
        return lambda: process.memory_info().rss
    except ImportError:
        pass
    statm = Path("/proc/self/statm")
    if statm.exists():
        import os

        page = os.sysconf("SC_PAGE_SIZE")

        def read() -> int | None:
            try:
                return int(statm.read_text().split()[1]) * page
            except (OSError, ValueError, IndexError):
                return None
        return read
    return None


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", name).strip("_") or "_"


def cache_path(out_dir: Path, config: EvalConfig, label: DocumentLabel, sha256: str) -> Path:
    return (out_dir / "cache" / f"{_safe(config.name)}-{config.fingerprint()}"
            / f"{_safe(label.file)}.{sha256[:16]}.json")


def record_from_result(result: DocumentResult, config: EvalConfig, label: DocumentLabel, seconds: float,
                       memory: PeakMemory) -> dict:
    summary = result.summary
    return {
        "version": CACHE_VERSION,
        "config": config.name,
        "fingerprint": config.fingerprint(),
        "file": label.file,
        "sha256": result.sha256,
        "page_count": result.page_count,
        "pages": [{"index": p.index, "engine": p.engine, "status": p.status, "error": p.error,
                   "error_code": p.error_code, "seconds": p.seconds} for p in result.pages],
        "text": result.text,
        "fields": ({name: {"text": f.text, "status": f.status} for name, f in summary.fields().items()}
                   if summary else {}),
        "warnings": ([{"code": w.code, "field": w.field, "message": w.message} for w in summary.warnings]
                     if summary else []),
        "error": result.error,
        "error_code": result.error_code,
        "seconds": round(seconds, 4),
        "timings": result.timings,
        "peak_rss_mb": memory.peak_mb,
        "gpu_peak_mb": memory.gpu_peak_mb,
    }


def _cached(path: Path, retry_failed: bool) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not there yet, or cut short: run it
    if record.get("version") != CACHE_VERSION or (retry_failed and record.get("error") is not None):
        return None
    return record


def run_evaluation(labels: LabelSet, configs: list[EvalConfig], out_dir: Path, *, ui_language: str = "en",
                   show_progress: bool | None = None, retry_failed: bool = False,
                   pipeline_factory=None) -> EvaluationRun:
    """Run every config over every labelled document, reusing cached results.

    `show_progress` None = a tqdm bar on stderr when it is a terminal. `pipeline_factory(settings,
    ui_language)` builds the pipeline (tests pass fakes); default `desktop_app.pipeline.Pipeline`."""
    from tqdm import tqdm

    if pipeline_factory is None:
        from desktop_app.pipeline import Pipeline

        def pipeline_factory(settings, ui_language):
            return Pipeline(settings, ui_language=ui_language)

    run = EvaluationRun(labels, configs)
    hashes = {label.file: file_sha256(labels.document_path(label)) for label in labels.documents}
    total = len(configs) * len(labels.documents)
    disable = None if show_progress is None else not show_progress
    with tqdm(total=total, unit="doc", file=sys.stderr, disable=disable, dynamic_ncols=True) as bar:
        for config in configs:
            bar.set_description(config.name)
            records = run.records.setdefault(config.name, {})
            pipeline = None
            baseline = PeakMemory.current_mb()  # what earlier configs left in this process
            for label in labels.documents:
                path = cache_path(out_dir, config, label, hashes[label.file])
                record = _cached(path, retry_failed)
                if record is not None:
                    records[label.file] = record
                    run.reused += 1
                    bar.update(1)
                    continue
                if config.name in run.config_errors:
                    bar.update(1)
                    continue
                try:
                    if pipeline is None:
                        pipeline = pipeline_factory(config.settings, ui_language)
                        pipeline.check_engines()
                    started = time.perf_counter()
                    with PeakMemory() as memory:
                        result = pipeline.run(labels.document_path(label))
                    seconds = time.perf_counter() - started
                except errors.ConfigError as exc:  # this config cannot run here; the others go on
                    run.config_errors[config.name] = exc.message(ui_language)
                    bar.write(f"{config.name}: {run.config_errors[config.name]}", file=sys.stderr)
                    bar.update(1)
                    continue
                record = record_from_result(result, config, label, seconds, memory)
                record["baseline_rss_mb"] = baseline
                atomic_write(path, json.dumps(record, ensure_ascii=False, indent=1))
                records[label.file] = record
                run.ran += 1
                bar.update(1)
            del pipeline  # free one config's models before the next loads its own
            gc.collect()
    return run
