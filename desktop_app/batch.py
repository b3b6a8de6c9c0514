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
from dataclasses import asdict
from pathlib import Path

from tqdm import tqdm

from desktop_app import errors
from desktop_app.errors import ExitCode
from desktop_app.ingest import file_sha256
from desktop_app.models import DocumentResult
from desktop_app.pipeline import Pipeline
from desktop_app.report import render_markdown
from desktop_app.settings import EngineSettings


def find_documents(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


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
    """`audit`: where each document's summarize and export entries go (`cli.CliAudit`; None = none)."""
    if not in_dir.is_dir():
        print(f"emr-assist: {errors.FileNotFound(path=str(in_dir)).message(ui_language)}", file=sys.stderr)
        return ExitCode.USAGE
    documents = find_documents(in_dir)
    pipeline = Pipeline(settings, ui_language=ui_language)
    pipeline.check_engines()
    done = skipped = failed = 0
    with tqdm(documents, unit="doc", file=sys.stderr, disable=None) as bar:
        for path in bar:
            try:
                sha256 = file_sha256(path)
            except OSError:
                failed += 1
                tqdm.write(f"failed: {path}: {errors.FileNotFound(path=str(path)).message(ui_language)}",
                           file=sys.stderr)
                continue
            stem = output_stem(in_dir, path, sha256)
            json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
            if md_path.exists() and _succeeded(json_path):
                skipped += 1
                continue
            result: DocumentResult = pipeline.run(path)
            result.source = str(path.relative_to(in_dir))
            if audit is not None:
                audit.document("summarize", result)
            try:
                atomic_write(json_path, json.dumps(asdict(result), ensure_ascii=False, indent=1))
                atomic_write(md_path, render_markdown(result, settings.output_language))
            except errors.OutputWriteError as exc:
                failed += 1
                tqdm.write(f"failed: {path}: {exc.message(ui_language)}", file=sys.stderr)
                if audit is not None:
                    audit.record("export", sha256=result.sha256 or None, engines={"output": "json+md"},
                                 outcome=exc.code)
                continue
            if audit is not None:
                audit.record("export", sha256=result.sha256 or None, engines={"output": "json+md"})
            if result.ok:
                done += 1
            else:
                failed += 1
                tqdm.write(f"failed: {path}: {result.error}", file=sys.stderr)
    print(f"{len(documents)} documents: {done} summarized, {skipped} skipped (already done), {failed} failed",
          flush=True)
    return ExitCode.INPUT_FAILED if failed else ExitCode.OK
