"""An append-only audit log: one JSON object per line, each carrying the hash of the one before.

What is recorded: time (UTC), OS user, action, document sha256, engine names, outcome. Never a file
name, a patient name or any text: `record()` accepts only those fields and checks their shape.
Copy is audited because copying is how data leaves the app.

`verify()` recomputes the chain: an edited line breaks its own hash, a removed or reordered line
breaks the next line's link, and a removed tail is caught by the head file (`audit.head.json`,
rewritten after each append) that holds the count and the last hash.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from desktop_app import paths

ACTIONS = frozenset({"open", "ocr", "summarize", "copy", "copy_deidentified", "export", "settings_change",
                     "history_on", "history_off", "history_delete_all", "history_purge", "batch"})
GENESIS = "0" * 64
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ENGINE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/+-]{0,79}$")
_lock = threading.Lock()

try:  # POSIX: also serialise appends between processes (CLI and GUI at once)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


def default_path() -> Path:
    return paths.data_dir() / "audit.jsonl"


def _hash(entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers, services)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line number in the log (the head file: entries + 1)
    kind: str  # not_json | edited | broken_link | truncated | head_mismatch


@dataclass(frozen=True)
class Verification:
    path: Path
    entries: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


class AuditLog:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self.head_path = self.path.with_name(self.path.stem + ".head.json")

    def record(self, action: str, *, sha256: str | None = None, engines: dict[str, str] | None = None,
               outcome: str = "ok") -> dict:
        """Append one entry and return it. Raises ValueError for a field of the wrong shape (so free
        text can never slip in) and OSError if the log cannot be written."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        if sha256 is not None and not _SHA256.match(sha256):
            raise ValueError("sha256 must be 64 lower-case hex digits")
        engines = dict(engines or {})
        for role, name in engines.items():
            if not _CODE.match(role) or not _ENGINE.match(str(name)):
                raise ValueError("engines must map a role to an engine name")
        if not _CODE.match(outcome):
            raise ValueError("outcome must be a short code such as 'ok' or 'encrypted_pdf'")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, open(self.path, "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                seq, prev = self._last(handle)
                now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
                entry = {"seq": seq + 1, "time": now,
                         "user": _os_user(), "action": action, "sha256": sha256, "engines": engines,
                         "outcome": outcome, "prev": prev}
                entry["hash"] = _hash(entry)
                handle.seek(0, os.SEEK_END)
                handle.write((json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
                self._write_head(entry["seq"], entry["hash"])
            finally:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        return entry

    def _last(self, handle) -> tuple[int, str]:
        """(seq, hash) of the last entry, reading only the file's tail."""
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        if size == 0:
            return 0, GENESIS
        handle.seek(max(0, size - 65536))
        lines = [line for line in handle.read().splitlines() if line.strip()]
        if not lines:
            return 0, GENESIS
        try:
            last = json.loads(lines[-1])
            return int(last["seq"]), str(last["hash"])
        except (ValueError, KeyError, TypeError):
            # A damaged last line (e.g. a crash mid-write): chain on from its raw bytes so the damage
            # stays visible to verify() instead of being silently skipped.
            return 0, hashlib.sha256(lines[-1]).hexdigest()

    def _write_head(self, count: int, last_hash: str) -> None:
        temp = self.head_path.with_name(self.head_path.name + ".tmp")
        temp.write_text(json.dumps({"entries": count, "last_hash": last_hash}), encoding="utf-8")
        os.replace(temp, self.head_path)

    def verify(self) -> Verification:
        if not self.path.exists():
            return Verification(self.path, 0, None)
        prev, count = GENESIS, 0
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    stated_hash, stated_prev, seq = entry["hash"], entry["prev"], entry["seq"]
                except (ValueError, KeyError, TypeError):
                    return Verification(self.path, count, Problem(number, "not_json"))
                if _hash(entry) != stated_hash:
                    return Verification(self.path, count, Problem(number, "edited"))
                if stated_prev != prev or seq != count + 1:
                    return Verification(self.path, count, Problem(number, "broken_link"))
                prev, count = stated_hash, count + 1
        head = self._read_head()
        if head is not None:
            if head.get("entries", 0) > count:
                return Verification(self.path, count, Problem(count + 1, "truncated"))
            if head.get("entries") == count and head.get("last_hash") != prev:
                return Verification(self.path, count, Problem(count, "head_mismatch"))
        return Verification(self.path, count, None)

    def _read_head(self) -> dict | None:
        try:
            return json.loads(self.head_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None


def record_document(log: AuditLog, action: str, result) -> dict:
    """One line for a processed document (`models.DocumentResult`): its sha256, the engines that
    read and summarized it, and its error code or "ok". Raises OSError if the log cannot be written."""
    engines = {}
    page_engines = sorted({page.engine for page in result.pages if page.engine})
    if page_engines:
        engines["ocr"] = "+".join(page_engines)
    if result.summary is not None and result.summary.engine:
        engines["summarizer"] = result.summary.engine
    return log.record(action, sha256=result.sha256 or None, engines=engines,
                      outcome=outcome_code(result.error_code or "ok"))


def outcome_code(code: str | None) -> str:
    """An error code as an audit outcome ("ok" for None); anything not shaped like a code becomes
    "error", so a message can never reach the log in its place."""
    code = code or "ok"
    return code if _CODE.match(code) else "error"


MESSAGES = {
    "ok": {"en": "Audit log OK: {entries} entries, chain intact ({path})",
           "zh": "审计日志完好：共 {entries} 条，哈希链完整（{path}）"},
    "empty": {"en": "No audit log yet ({path})", "zh": "尚无审计日志（{path}）"},
    "not_json": {"en": "line {line} is not a valid entry (damaged or hand-edited)",
                 "zh": "第 {line} 行不是有效记录（已损坏或被手动修改）"},
    "edited": {"en": "line {line} was changed after it was written",
               "zh": "第 {line} 行在写入后被修改"},
    "broken_link": {"en": "the chain breaks at line {line}: a line before it was removed, or lines were "
                          "reordered", "zh": "哈希链在第 {line} 行断开：之前有记录被删除或顺序被调换"},
    "truncated": {"en": "entries after line {last} were removed (the log should have more)",
                  "zh": "第 {last} 行之后的记录被删除（日志应有更多记录）"},
    "head_mismatch": {"en": "the last line does not match the recorded end of the log",
                      "zh": "最后一行与记录的日志结尾不符"},
    "failed": {"en": "Audit log FAILED verification ({path}): {problem}",
               "zh": "审计日志校验失败（{path}）：{problem}"},
}


def describe(result: Verification, language: str = "en") -> str:
    lang = "zh" if language.startswith("zh") else "en"
    if result.ok:
        key = "ok" if result.entries else "empty"
        return MESSAGES[key][lang].format(entries=result.entries, path=result.path)
    problem = MESSAGES[result.problem.kind][lang].format(line=result.problem.line, last=result.entries)
    return MESSAGES["failed"][lang].format(path=result.path, problem=problem)
