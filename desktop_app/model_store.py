"""The app's own models folder: import a model folder (e.g. from a USB drive), list, verify.

Layout: `paths.models_dir()/<kind>/<name>/` with kind `ocr` or `summary`; each imported folder holds
a SHA-256 manifest (`MANIFEST_NAME`) of every file it had when imported.

An import is all-or-nothing: the folder is checked with `model_check` first, copied into a hidden
temporary folder beside the destination (same file system), hashed while it is copied, checked again,
and only then renamed into place. A cancelled, failed or disk-full copy removes the temporary folder
and raises a typed error, so a half-imported model never shows up in `list` or in the app.

Plain Python (no Qt): the CLI drives it with a tqdm bar, the GUI from a worker thread.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app import engines, errors, paths
from desktop_app.cancel import NEVER_CANCELLED, CancelToken
from desktop_app.model_check import CheckReport, check_model
from desktop_app.progress import NULL_PROGRESS, ProgressSink

KINDS = engines.KINDS
MANIFEST_NAME = "emr-assist-manifest.json"
MANIFEST_FORMAT = 1
TEMP_PREFIX = ".importing-"
CHUNK = 4 * 2**20
FREE_SPACE_MARGIN = 64 * 2**20  # keep some room: a full disk breaks more than this import
SKIPPED_DIRS = frozenset({".git", ".cache", "__pycache__"})  # VCS and hub-download bookkeeping
STAGE = "import"  # the progress stage; done / total are bytes


def models_root(root: Path | None = None) -> Path:
    return Path(root) if root is not None else paths.models_dir()


# --- manifest ------------------------------------------------------------------------------


@dataclass
class Manifest:
    kind: str
    name: str
    source: str
    imported_at: str
    model_type: str | None
    files: dict[str, dict]  # relative posix path -> {"size": int, "sha256": hex}

    @property
    def total_bytes(self) -> int:
        return sum(int(info["size"]) for info in self.files.values())

    def to_json(self) -> str:
        data = {"format": MANIFEST_FORMAT, "kind": self.kind, "name": self.name, "source": self.source,
                "imported_at": self.imported_at, "model_type": self.model_type, "files": self.files}
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        """The folder's manifest, or None when it has none or it is unreadable."""
        try:
            data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
            return cls(kind=str(data["kind"]), name=str(data["name"]), source=str(data.get("source", "")),
                       imported_at=str(data.get("imported_at", "")), model_type=data.get("model_type"),
                       files={str(k): dict(v) for k, v in data["files"].items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None


def iter_model_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """(relative posix path, path) of every regular file below `folder`, sorted; symlinks to files are
    followed (a Hugging Face cache snapshot is made of them), the manifest and VCS folders skipped."""
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for filename in filenames:
            path = Path(dirpath) / filename
            relative = path.relative_to(folder).as_posix()
            if relative == MANIFEST_NAME or not path.is_file():
                continue
            found.append((relative, path))
    yield from sorted(found)


def sha256_file(path: Path, cancel: CancelToken = NEVER_CANCELLED, on_bytes=None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            cancel.raise_if_cancelled()
            digest.update(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))
    return digest.hexdigest()


# --- import --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    path: Path
    manifest: Manifest
    report: CheckReport
    seconds: float


class _ByteProgress:
    def __init__(self, sink: ProgressSink, total: int) -> None:
        self.sink, self.total, self.done = sink, total, 0

    def __call__(self, count: int) -> None:
        self.done += count
        self.sink.update(STAGE, self.done, self.total)


def default_name(source: Path) -> str:
    return safe_name(Path(source).expanduser().resolve().name)


def safe_name(name: str) -> str:
    """A folder name that stays one path component on every OS."""
    cleaned = "".join(c if c.isalnum() or c in "-_.+" else "_" for c in name.strip()).strip("._")
    return cleaned or "model"


def _kind_problem(report: CheckReport, kind: str) -> str | None:
    """The kind this model is for, when it is not `kind` (None when it fits). The engine registry says
    which kind each model type is for; a type no engine names fits a kind with an engine that loads any
    causal LM transformers supports natively (the llm summarizer)."""
    meant = engines.kind_of_model_type(report.model_type)
    if meant is None:
        open_kinds = engines.any_causal_lm_kinds()
        meant = kind if kind in open_kinds or not open_kinds else open_kinds[0]
    return None if meant == kind else meant


def import_model(source: str | Path, kind: str, *, name: str | None = None, root: Path | None = None,
                 replace: bool = False, progress: ProgressSink = NULL_PROGRESS,
                 cancel: CancelToken = NEVER_CANCELLED) -> ImportResult:
    """Check `source`, copy it to `<root>/<kind>/<name>` with a SHA-256 manifest, all or nothing.

    Raises `ModelFolderInvalid` (the check failed), `ModelKindMismatch`, `ModelAlreadyImported`,
    `ModelDiskFull`, `ModelImportError` (any other I/O failure) or `Cancelled`; in every case nothing
    is left in `root`. Progress: `progress.update("import", bytes_done, bytes_total)`. May run in a
    worker thread; checks `cancel` between chunks.
    """
    started = time.monotonic()
    if kind not in KINDS:
        raise errors.ModelImportError(source=str(source), detail=f"kind must be one of {', '.join(KINDS)}")
    source = Path(source).expanduser()
    if not source.is_dir():
        raise errors.ModelFolderInvalid(path=str(source), detail="not a folder (import copies a folder)")
    report = check_model(source)
    if not report.ok:
        raise errors.ModelFolderInvalid(path=str(source), detail="; ".join(report.problems))
    suggested = _kind_problem(report, kind)
    if suggested:
        raise errors.ModelKindMismatch(source=str(source), role=report.role or report.model_type or "?",
                                       kind=kind, suggested=suggested)
    name = safe_name(name) if name else default_name(source)
    parent = models_root(root) / kind
    destination = parent / name
    if destination.exists() and not replace:
        raise errors.ModelAlreadyImported(kind=kind, name=name, path=str(destination))

    files = list(iter_model_files(source))
    total = sum(path.stat().st_size for _, path in files)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(parent, name)
        free = shutil.disk_usage(parent).free
    except OSError as exc:
        raise errors.ModelImportError(source=str(source), detail=_describe(exc)) from exc
    if free < total + FREE_SPACE_MARGIN:
        raise errors.ModelDiskFull(path=str(parent), needed_gib=total / 2**30, free_gib=free / 2**30)

    temp = parent / f"{TEMP_PREFIX}{name}-{uuid.uuid4().hex[:8]}"
    try:
        temp.mkdir()
        counter = _ByteProgress(progress, total)
        progress.update(STAGE, 0, total)
        entries: dict[str, dict] = {}
        for relative, path in files:
            entries[relative] = _copy_hashing(path, temp / relative, cancel, counter)
        copied = check_model(temp)  # the copy must pass the same check (e.g. a shard cut short)
        if not copied.ok:
            raise errors.ModelImportError(source=str(source), detail="the copy failed the model check: "
                                          + "; ".join(copied.problems))
        manifest = Manifest(kind=kind, name=name, source=str(source.resolve()),
                            imported_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), model_type=report.model_type,
                            files=entries)
        _write_synced(temp / MANIFEST_NAME, manifest.to_json().encode("utf-8"))
        _install(temp, destination, replace)
    except BaseException as exc:  # cancelled, Ctrl+C, disk full: leave nothing behind
        shutil.rmtree(temp, ignore_errors=True)
        if isinstance(exc, OSError):
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise errors.ModelDiskFull(path=str(parent), needed_gib=total / 2**30,
                                           free_gib=_free(parent) / 2**30) from exc
            raise errors.ModelImportError(source=str(source), detail=_describe(exc)) from exc
        raise
    return ImportResult(destination, manifest, copied, time.monotonic() - started)


def _copy_hashing(source: Path, target: Path, cancel: CancelToken, counter: _ByteProgress) -> dict:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            cancel.raise_if_cancelled()
            writer.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            counter(len(chunk))
        writer.flush()
        os.fsync(writer.fileno())  # a power cut after the rename must not leave empty shards
    shutil.copystat(source, target, follow_symlinks=True)
    return {"size": size, "sha256": digest.hexdigest()}


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _install(temp: Path, destination: Path, replace: bool) -> None:
    """Rename the finished copy into place; an old copy (with --replace) goes only once the new one is in."""
    old = None
    if destination.exists():
        if not replace:
            raise errors.ModelAlreadyImported(kind=destination.parent.name, name=destination.name,
                                              path=str(destination))
        old = destination.with_name(f"{TEMP_PREFIX}{destination.name}-old-{uuid.uuid4().hex[:8]}")
        os.replace(destination, old)
    try:
        os.replace(temp, destination)
    except OSError:
        if old is not None:
            os.replace(old, destination)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_stale_temps(parent: Path, name: str) -> None:
    """Temporary folders a killed import (power cut, kill -9) of the same name left behind."""
    for stale in parent.glob(f"{TEMP_PREFIX}{name}-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _free(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return 0


def _describe(exc: OSError) -> str:
    return f"{exc.strerror or type(exc).__name__}" + (f" ({exc.filename})" if exc.filename else "")


# --- list and verify -----------------------------------------------------------------------


@dataclass
class InstalledModel:
    kind: str
    name: str
    path: Path
    manifest: Manifest | None

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"


def list_models(root: Path | None = None) -> list[InstalledModel]:
    """Imported model folders, by kind then name (temporary folders of running imports are hidden)."""
    base = models_root(root)
    found = []
    for kind in KINDS:
        folder = base / kind
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.is_dir() and not entry.name.startswith("."):
                found.append(InstalledModel(kind, entry.name, entry, Manifest.read(entry)))
    return found


def find_model(name: str, root: Path | None = None) -> InstalledModel:
    """`name` or `kind/name`; raises `ModelNotFound` (also when a bare name is ambiguous)."""
    matches = [m for m in list_models(root) if name in (m.name, m.label)]
    if len(matches) != 1:
        raise errors.ModelNotFound(name=name, root=str(models_root(root)))
    return matches[0]


@dataclass
class VerifyResult:
    model: InstalledModel
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    problem: str | None = None  # no or unreadable manifest

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.problem)


def verify_model(model: InstalledModel, *, progress: ProgressSink = NULL_PROGRESS,
                 cancel: CancelToken = NEVER_CANCELLED) -> VerifyResult:
    """Re-hash every file against the manifest. A size mismatch counts as changed without hashing."""
    result = VerifyResult(model)
    manifest = model.manifest
    if manifest is None:
        result.problem = f"no readable {MANIFEST_NAME} (not imported with `models import`?)"
        return result
    present = dict(iter_model_files(model.path))
    result.extra = sorted(set(present) - set(manifest.files))
    counter = _ByteProgress(progress, manifest.total_bytes)
    for relative, info in sorted(manifest.files.items()):
        path = present.get(relative)
        if path is None:
            result.missing.append(relative)
            continue
        if path.stat().st_size != int(info["size"]):
            result.changed.append(relative)
            counter(int(info["size"]))
            continue
        if sha256_file(path, cancel, counter) != info["sha256"]:
            result.changed.append(relative)
    return result


def format_verify(result: VerifyResult) -> str:
    head = f"{result.model.label}: "
    if result.problem:
        return head + "CANNOT VERIFY, " + result.problem
    if result.ok:
        return head + f"OK ({len(result.model.manifest.files)} files match the manifest)"
    lines = [head + "CHANGED since import"]
    lines += [f"  changed: {name}" for name in result.changed]
    lines += [f"  missing: {name}" for name in result.missing]
    lines += [f"  extra:   {name}" for name in result.extra]
    lines.append("  Import the model again (models import SRC --as KIND --replace).")
    return "\n".join(lines)


def format_list(models: list[InstalledModel], root: Path | None = None) -> str:
    if not models:
        return (f"No models imported in {models_root(root)} "
                "(emr-assist models import SRC_DIR --as ocr|summary).")
    lines = [f"Models in {models_root(root)}:"]
    for model in models:
        if model.manifest is None:
            lines.append(f"  {model.label:32} (no manifest)  {model.path}")
            continue
        size = model.manifest.total_bytes / 2**30
        lines.append(f"  {model.label:32} {model.manifest.model_type or '?':14} {size:7.2f} GiB  "
                     f"{len(model.manifest.files):4} files  imported {model.manifest.imported_at[:10]}")
    return "\n".join(lines)
