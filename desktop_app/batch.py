"""`emr-assist batch`: every document below a folder → one JSON + one Markdown each, resumable.

Outputs are named `<relative path>.<sha256[:12]>.json|md`, so a document already done (same path
and content) is skipped on the next run; a document that failed is tried again. Each file is
written to a temporary name and renamed, so a full disk never leaves a half-written output.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from dataclasses import asdict
from pathlib import Path

from tqdm import tqdm

from desktop_app import batch_workers, errors
from desktop_app.errors import ExitCode
from desktop_app.ingest import check_regular_file, file_sha256
from desktop_app.models import DocumentResult
from desktop_app.pipeline import Pipeline
from desktop_app.report import render_markdown
from desktop_app.settings import EngineSettings

LOCK_NAME = ".emr-assist-batch.lock"


def find_documents(root: Path) -> list[Path]:
    """Every entry below `root` that is not a folder or hidden — dangling links, pipes and devices
    too: each gets its own answer ("not found", "not a document") instead of being skipped."""
    return sorted(p for p in root.rglob("*") if not p.name.startswith(".") and not p.is_dir())


def output_stem(root: Path, path: Path, sha256: str) -> str:
    relative = path.relative_to(root).as_posix().replace("/", "__")
    return f"{relative}.{sha256[:12]}"


def atomic_write(target: Path, content: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise errors.OutputWriteError(path=str(target), detail=exc.strerror or type(exc).__name__) from None


def _succeeded(json_path: Path) -> bool:
    """Resume skips documents done before; failed ones are tried again."""
    try:
        return json.loads(json_path.read_text(encoding="utf-8")).get("error") is None
    except (OSError, ValueError):
        return False


def run_batch(in_dir: Path, out_dir: Path, settings: EngineSettings, ui_language: str = "en",
              audit=None) -> int:
    """`audit`: where each document's summarize and export entries go (`cli.CliAudit`; None = none).
    `settings.concurrency`: how many documents at once (server engines only).
    One batch at a time per --out folder (a lock file in it, released when the process ends, even
    by `kill -9`); temporary files a killed run left there are removed first."""
    from filelock import FileLock, Timeout

    if not in_dir.is_dir():
        print(f"emr-assist: {errors.FileNotFound(path=str(in_dir)).message(ui_language)}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = FileLock(out_dir / LOCK_NAME, timeout=0)
        lock.acquire()
    except Timeout:
        print(f"emr-assist: {errors.BatchLocked(path=str(out_dir)).message(ui_language)}", file=sys.stderr)
        return ExitCode.USAGE
    except OSError as exc:
        error = errors.OutputWriteError(path=str(out_dir), detail=exc.strerror or type(exc).__name__)
        print(f"emr-assist: {error.message(ui_language)}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        for leftover in out_dir.glob(".tmp-*"):  # only a dead run's: the lock says no other is writing
            leftover.unlink(missing_ok=True)
        return _run_locked(in_dir, out_dir, settings, ui_language, audit)
    finally:
        lock.release()


def _unreadable_result(in_dir: Path, path: Path, error: errors.DocumentError, ui_language: str) -> DocumentResult:
    return DocumentResult(source=str(path.relative_to(in_dir)), error=error.message(ui_language),
                          error_code=error.code)


def _run_locked(in_dir: Path, out_dir: Path, settings: EngineSettings, ui_language: str, audit) -> int:
    """Documents run through `batch_workers` (up to `settings.concurrency` at once on server engines); each
    output is written here, in this process, as its document finishes. The report lists failures in
    document order whatever order they finished in. When a server stops answering, the batch waits for
    the documents in flight, sends ONE more (a probe) and, if that fails the same way, starts no more:
    those not started get no output and the next run picks them up with the failed ones."""
    from desktop_app.privacy import network

    documents = find_documents(in_dir)
    Pipeline(settings, ui_language=ui_language).check_engines()
    concurrency = settings.concurrency
    if concurrency > 1 and not batch_workers.allows_concurrency(settings):
        print(f"emr-assist: {errors.ConcurrencyInProcess(asked=concurrency).message(ui_language)}",
              file=sys.stderr)
        concurrency = 1
    done = skipped = failed = 0
    failures: dict[int, str] = {}
    config_exit: int | None = None
    usage: dict[str, int] = {}
    server_down = False  # a document just failed because a server did not answer
    down_failed = 0  # documents failed that way in this run
    pending = list(enumerate(documents))[::-1]  # popped from the end: document order
    in_flight: dict[Future, tuple[int, Path, str]] = {}
    probing: int | None = None  # the index of the probe document while one is out
    stopped = False

    def write(index: int, path: Path, stem: str, result: DocumentResult) -> None:
        nonlocal done, failed
        json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
        if audit is not None:
            audit.document("summarize", result)
        try:
            atomic_write(json_path, json.dumps(asdict(result), ensure_ascii=False, indent=1))
            atomic_write(md_path, render_markdown(result, settings.output_language))
        except errors.OutputWriteError as exc:
            failed += 1
            failures[index] = f"failed: {path}: {exc.message(ui_language)}"
            if audit is not None:
                audit.record("export", sha256=result.sha256 or None, engines={"output": "json+md"},
                             outcome=exc.code)
            return
        if audit is not None:
            audit.record("export", sha256=result.sha256 or None, engines={"output": "json+md"})
        if result.ok:
            done += 1
        else:
            failed += 1
            failures[index] = f"failed: {path}: {result.error}"

    executor = batch_workers.make_executor(settings, ui_language, concurrency, guard=network.is_installed())
    with executor, tqdm(total=len(documents), unit="doc", file=sys.stderr, disable=None) as bar:
        while True:
            # Fill the pool (bounded: never more than `concurrency` documents submitted, one while probing).
            while pending and not stopped and len(in_flight) < concurrency:
                if server_down and in_flight:
                    break  # the server is down: let the documents in flight finish, then probe with one
                index, path = pending.pop()
                try:
                    check_regular_file(path)  # before hashing: reading a FIFO would block for ever
                    sha256 = file_sha256(path)
                except errors.DocumentError as exc:
                    # no content hash: named after the path alone, tried again next run
                    write(index, path, output_stem(in_dir, path, "unreadable"),
                          _unreadable_result(in_dir, path, exc, ui_language))
                    bar.update(1)
                    continue
                except OSError:
                    write(index, path, output_stem(in_dir, path, "unreadable"),
                          _unreadable_result(in_dir, path, errors.FileNotFound(path=str(path)), ui_language))
                    bar.update(1)
                    continue
                stem = output_stem(in_dir, path, sha256)
                if (out_dir / f"{stem}.md").exists() and _succeeded(out_dir / f"{stem}.json"):
                    skipped += 1
                    bar.update(1)
                    continue
                if server_down:
                    probing = index
                try:
                    in_flight[executor.submit(batch_workers.run_document, path)] = (index, path, stem)
                except BrokenExecutor:  # a worker died earlier: this document was never started
                    pending.append((index, path))
                    stopped = True
            if not in_flight:
                break
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: in_flight[f][0]):
                index, path, stem = in_flight.pop(future)
                try:
                    outcome: batch_workers.Outcome = future.result()
                except BrokenExecutor as exc:  # the worker process died (e.g. killed for memory)
                    lost = errors.BatchWorkerLost(detail=type(exc).__name__)
                    outcome = batch_workers.Outcome(DocumentResult(source=str(path), error=lost.message(ui_language),
                                                                   error_code=lost.code))
                    stopped = True  # the pool is gone: start no more; the next run retries these
                result = outcome.result
                result.source = str(path.relative_to(in_dir))
                if outcome.config_exit_code is not None:
                    config_exit = outcome.config_exit_code
                for key, value in outcome.usage.items():
                    usage[key] = usage.get(key, 0) + value
                down = batch_workers.mark_server_down(result)
                write(index, path, stem, result)
                bar.update(1)
                if down:
                    server_down, down_failed = True, down_failed + 1
                    stopped = stopped or probing == index
                elif probing == index:  # the server answers again: full speed
                    server_down, probing = False, None
    for index in sorted(failures):
        print(failures[index], file=sys.stderr)
    not_started = len(pending) if stopped else 0
    if not_started and server_down:
        stop = errors.BatchServerStopped(failed=down_failed, left=not_started)
        print(f"emr-assist: {stop.message(ui_language)}", file=sys.stderr)
    if usage.get("requests"):
        print(_usage_line(usage), flush=True)
    line = f"{len(documents)} documents: {done} summarized, {skipped} skipped (already done), {failed} failed"
    if not_started:
        line += f", {not_started} not started (run again to resume)"
    print(line, flush=True)
    if config_exit is not None:  # an engine or model that cannot run here: its own exit code
        return config_exit
    return ExitCode.INPUT_FAILED if failed or not_started else ExitCode.OK


def _usage_line(usage: dict[str, int]) -> str:
    """The summary server's prompt tokens and how many its prefix cache served (operator's view)."""
    line = f"summary server: {usage['requests']} requests, {usage.get('prompt_tokens', 0)} prompt tokens"
    if usage.get("cache_reported"):
        cached, total = usage.get("cached_prompt_tokens", 0), usage.get("prompt_tokens", 0)
        share = f" ({100 * cached / total:.0f} %)" if total else ""
        return f"{line}, {cached} served from the server's prefix cache{share}"
    return f"{line}; the server does not report cached tokens (vLLM: --enable-prompt-tokens-details)"
