"""An append-only audit log: one JSON object per line, each sealed with a key and chained to the one
before, with an anchor kept apart from the log.

What is recorded: time (UTC), OS user, action, document sha256, engine names, outcome. Never a file
name, a patient name or any text: `record()` accepts only those fields and checks their shape.
Copy is audited because copying is how data leaves the app.

Tamper evidence, against someone who can edit files:
- Each entry's `hash` is an HMAC-SHA256 over the entry (which holds the previous entry's seal), under
  a key from the OS keyring when a secure one exists, else from a 0600 key file in the anchor folder
  (`paths.anchor_dir()`, apart from the data folder). Without the key an edited, removed or reordered
  entry cannot be re-sealed: recomputing the chain with plain hashes is reported as a downgrade.
- The anchor (`<anchor folder>/<log id>.json`, sealed with the same key) holds how many entries the
  log had and the last seal. A cut tail, a rewritten end, or a log deleted outright is detected from
  it ("log missing" once a log existed). A mismatch seen while appending is kept in the anchor, so
  appending after an attack does not hide it.
- A crash or a full disk mid-append leaves a torn last line: the next append cuts it off and records
  the gap as an `audit_recovered` entry, so `verify` passes and the loss stays visible.
Limits: a user who reads the key (the key file, or their own unlocked keyring) and rewrites log and
anchor together is not detected; that needs storage the user cannot write (a server, WORM media).
Logs written before keys existed verify as before (plain SHA-256), but only ahead of the first sealed
entry.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from desktop_app import paths

ACTIONS = frozenset({"open", "ocr", "summarize", "copy", "copy_deidentified", "export", "settings_change",
                     "history_on", "history_off", "history_delete_all", "history_purge", "batch",
                     "audit_recovered"})
GENESIS = "0" * 64
SEAL = "hmac-sha256"  # the `alg` of sealed entries; entries without `alg` are the old plain SHA-256 chain
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# ">" joins a fallback chain such as "llm>sections" (the LLM answer was replaced by the extractor).
_ENGINE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/+>-]{0,79}$")
_lock = threading.Lock()
KEYRING_SERVICE = "EMRSummaryAssistant"
KEYRING_USERNAME = "audit-log-key"
KEY_FILE = "audit.key"

try:  # POSIX: also serialise appends between processes (CLI and GUI at once)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


def default_path() -> Path:
    return paths.data_dir() / "audit.jsonl"


# --- the key ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    source: str  # "OS keyring" | "key file"

    @property
    def key_id(self) -> str:
        """Names the key in each entry without revealing it (a wrong key is told from an edit)."""
        return hmac.new(self.secret, b"emr-assist audit key id", hashlib.sha256).hexdigest()[:16]

    def seal(self, body: dict) -> str:
        return hmac.new(self.secret, _canonical(body), hashlib.sha256).hexdigest()


def _secure_keyring():
    """The keyring module when a backend that protects secrets exists, else None (headless Linux)."""
    from desktop_app.privacy.history import backend_insecure

    try:
        import keyring
        from keyring.backends import chainer
    except ImportError:
        return None
    backend = keyring.get_keyring()
    backends = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    return keyring if any(not backend_insecure(b) for b in backends) else None


def _keyring_key(create: bool) -> AuditKey | None:
    keyring = _secure_keyring()
    if keyring is None:
        return None
    try:
        stored = keyring.get_password(KEYRING_SERVICE, KEYRING_USERNAME)
        if stored is None and create:
            stored = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
            keyring.set_password(KEYRING_SERVICE, KEYRING_USERNAME, stored)
    except Exception:  # a locked or broken keyring: the key file takes over
        return None
    return AuditKey(base64.b64decode(stored), "OS keyring") if stored is not None else None


def _file_key(create: bool) -> AuditKey | None:
    key_path = paths.anchor_dir() / KEY_FILE
    try:
        return AuditKey(base64.b64decode(key_path.read_bytes()), "key file")
    except FileNotFoundError:
        if not create:
            return None
    paths.private_dir(key_path.parent)
    try:  # O_EXCL: two processes creating the first key at once keep the same one
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(32)))
            handle.flush()
            os.fsync(handle.fileno())
    except FileExistsError:
        pass
    return AuditKey(base64.b64decode(key_path.read_bytes()), "key file")


def load_key(create: bool) -> AuditKey | None:
    """The key new entries are sealed with: the OS keyring when it is secure, else the key file in
    the anchor folder. `create`: make one if there is none (appending); verifying never creates one."""
    return _keyring_key(create) or _file_key(create)


def known_keys() -> dict[str, AuditKey]:
    """Every key that may have sealed entries, by id: a keyring that appears later (a desktop
    session set up after the first run) must not make the older, file-sealed entries fail."""
    return {key.key_id: key for key in (_keyring_key(False), _file_key(False)) if key is not None}


# --- entries ---------------------------------------------------------------------------------


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _hash(entry: dict) -> str:
    """The plain SHA-256 of an entry written before seals existed."""
    return hashlib.sha256(_canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers, services)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line number in the log (the end of the log: entries + 1)
    kind: str  # see MESSAGES


@dataclass(frozen=True)
class Verification:
    path: Path
    entries: int
    problem: Problem | None
    key_source: str | None = None  # where the key came from; None: no key (an old or empty log)
    anchored: bool = False  # an anchor outside the log's folder was checked

    @property
    def ok(self) -> bool:
        return self.problem is None


class AuditLog:
    def __init__(self, path: Path | None = None, anchor_dir: Path | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self.head_path = self.path.with_name(self.path.stem + ".head.json")
        log_id = hashlib.sha256(str(self.path.resolve()).encode("utf-8")).hexdigest()[:24]
        self.anchor_path = Path(anchor_dir or paths.anchor_dir()) / f"{log_id}.json"

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
        key = load_key(create=True)
        keys = {**known_keys(), key.key_id: key}
        paths.private_dir(self.path.parent)
        with _lock:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
            with os.fdopen(descriptor, "r+b") as handle:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    os.chmod(self.path, 0o600)  # a log from an older version may be 0644
                    anchor = self._read_anchor(keys)
                    seq, prev, torn, last_sealed = self._last(handle)
                    tampered = anchor.get("tampered") if anchor else None
                    if tampered is None:
                        tampered = self._mismatch(anchor, seq, prev, existed=seq > 0 or torn is not None,
                                                  last_sealed=last_sealed)
                    # from which entry on every entry must be sealed (a plain one there is a re-chain)
                    sealed_from = (anchor or {}).get("sealed_from") or seq + 1
                    if torn is not None:  # a crash or a full disk mid-append: cut it off, record the gap
                        handle.truncate(torn)
                        gap = self._append(handle, key, seq, prev, "audit_recovered", None, {}, "torn_line")
                        seq, prev = gap["seq"], gap["hash"]
                    entry = self._append(handle, key, seq, prev, action, sha256, engines, outcome)
                    self._write_head(entry["seq"], entry["hash"])
                    self._write_anchor(key, entry["seq"], entry["hash"], tampered, sealed_from)
                    return entry
                finally:
                    if fcntl is not None:
                        fcntl.flock(handle, fcntl.LOCK_UN)

    def _append(self, handle, key: AuditKey, seq: int, prev: str, action: str, sha256: str | None,
                engines: dict[str, str], outcome: str) -> dict:
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        entry = {"seq": seq + 1, "time": now, "user": _os_user(), "action": action, "sha256": sha256,
                 "engines": engines, "outcome": outcome, "prev": prev, "alg": SEAL, "key": key.key_id}
        entry["hash"] = key.seal(entry)
        handle.seek(0, os.SEEK_END)
        handle.write((json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
        return entry

    @staticmethod
    def _last(handle) -> tuple[int, str, int | None, bool]:
        """(seq, seal) of the last whole entry, where a torn last line starts (None: not torn), and
        whether that entry is sealed. Reads only the file's tail."""
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        if size == 0:
            return 0, GENESIS, None, False
        start = max(0, size - 65536)
        handle.seek(start)
        tail = handle.read()
        lines = tail.split(b"\n")
        torn = None
        if lines[-1].strip() or (len(lines) > 1 and not _parses(lines[-2])):
            # no newline at the end (a write cut short), or a last line that is not an entry
            cut = lines[-1] if lines[-1].strip() else lines[-2] + b"\n"
            torn = size - len(cut)
            lines = tail[: torn - start].split(b"\n")
        for line in reversed(lines):
            if line.strip():
                try:
                    last = json.loads(line)
                    return int(last["seq"]), str(last["hash"]), torn, last.get("alg") == SEAL
                except (ValueError, KeyError, TypeError):
                    # damage further up: chain on from its raw bytes so verify() still shows it
                    return 0, hashlib.sha256(line).hexdigest(), torn, False
        return 0, GENESIS, torn, False

    @staticmethod
    def _mismatch(anchor: dict | None, seq: int, last_hash: str, existed: bool, last_sealed: bool) -> dict | None:
        """What an append finds wrong with the log's end, against the anchor (kept as `tampered`)."""
        if anchor is None:
            # sealed entries are only ever written together with an anchor
            return {"kind": "anchor_missing", "line": 0} if last_sealed else None
        if anchor.get("forged"):
            return {"kind": "anchor_forged", "line": 0}
        expected = int(anchor.get("entries", 0))
        if not existed and expected:
            return {"kind": "missing", "line": 0}
        if seq < expected:
            return {"kind": "truncated", "line": seq + 1}
        if seq == expected and last_hash != anchor.get("last_hash"):
            return {"kind": "head_mismatch", "line": seq}
        return None  # the same end, or longer (a crash between writing the entry and the anchor)

    def _write_head(self, count: int, last_hash: str) -> None:
        paths.write_private(self.head_path, json.dumps({"entries": count, "last_hash": last_hash}).encode("utf-8"))

    def _write_anchor(self, key: AuditKey, count: int, last_hash: str, tampered: dict | None,
                      sealed_from: int) -> None:
        body = {"log": str(self.path.resolve()), "entries": count, "last_hash": last_hash, "tampered": tampered,
                "key": key.key_id, "sealed_from": sealed_from}
        body["seal"] = key.seal(body)
        paths.private_dir(self.anchor_path.parent)
        paths.write_private(self.anchor_path, json.dumps(body, sort_keys=True).encode("utf-8"))

    def _read_anchor(self, keys: dict[str, AuditKey]) -> dict | None:
        """The anchor, or None if there is none. One that does not carry a valid seal comes back
        as {"forged": True}."""
        try:
            anchor = json.loads(self.anchor_path.read_text(encoding="utf-8"))
            stated = anchor.pop("seal")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            return {"forged": True}
        key = keys.get(str(anchor.get("key")))
        if key is None:  # sealed with a key that is gone (deleted key file), or an id made up
            return {"forged": True, "key_missing": True}
        if not hmac.compare_digest(str(stated), key.seal(anchor)):
            return {"forged": True}
        return anchor

    # --- verify ---------------------------------------------------------------------------

    def verify(self) -> Verification:
        keys = known_keys()
        current = load_key(create=False)
        anchor = self._read_anchor(keys)
        source = current.source if current else None

        def result(count: int, problem: Problem | None) -> Verification:
            return Verification(self.path, count, problem, source, anchor is not None)

        if anchor is not None and anchor.get("forged"):
            return result(0, Problem(0, "key_missing" if anchor.get("key_missing") else "anchor_forged"))
        if not self.path.exists():
            if anchor is not None or self.head_path.exists():
                return result(0, Problem(0, "missing"))
            return result(0, None)
        prev, count, sealed, hash_at_anchor = GENESIS, 0, False, None
        expected = int(anchor.get("entries", 0)) if anchor else 0
        sealed_from = int(anchor.get("sealed_from") or 1) if anchor else None
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    stated_hash, stated_prev, seq = entry["hash"], entry["prev"], entry["seq"]
                except (ValueError, KeyError, TypeError):
                    return result(count, Problem(number, "not_json"))
                must_be_sealed = sealed or (sealed_from is not None and count + 1 >= sealed_from)
                problem = self._check_seal(entry, keys, must_be_sealed)
                if problem:
                    return result(count, Problem(number, problem))
                sealed = sealed or entry.get("alg") == SEAL
                if stated_prev != prev or seq != count + 1:
                    return result(count, Problem(number, "broken_link"))
                prev, count = stated_hash, count + 1
                if count == expected:
                    hash_at_anchor = stated_hash
        if anchor is None and sealed:
            return result(count, Problem(0, "anchor_missing"))
        if anchor is not None:
            tampered = anchor.get("tampered")
            if tampered:
                return result(count, Problem(int(tampered.get("line", 0)), str(tampered.get("kind"))))
            if expected > count:
                return result(count, Problem(count + 1, "truncated"))
            if expected and hash_at_anchor != anchor.get("last_hash"):
                return result(count, Problem(expected, "head_mismatch"))
        head = self._read_head()
        if head is not None:
            if head.get("entries", 0) > count:
                return result(count, Problem(count + 1, "truncated"))
            if head.get("entries") == count and head.get("last_hash") != prev:
                return result(count, Problem(count, "head_mismatch"))
        return result(count, None)

    @staticmethod
    def _check_seal(entry: dict, keys: dict[str, AuditKey], must_be_sealed: bool) -> str | None:
        if entry.get("alg") != SEAL:
            if must_be_sealed:  # a plain entry where seals were written: re-chained without the key
                return "downgraded"
            return None if _hash(entry) == entry["hash"] else "edited"
        if not keys:
            return "key_missing"
        key = keys.get(str(entry.get("key")))
        if key is None:
            return "wrong_key"
        body = {k: v for k, v in entry.items() if k != "hash"}
        return None if hmac.compare_digest(str(entry["hash"]), key.seal(body)) else "edited"

    def _read_head(self) -> dict | None:
        try:
            return json.loads(self.head_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None


def _parses(line: bytes) -> bool:
    if not line.strip():
        return True
    try:
        entry = json.loads(line)
        return isinstance(entry, dict) and "seq" in entry and "hash" in entry
    except ValueError:
        return False


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
    "missing": {"en": "the log is missing: it existed and was deleted",
                "zh": "日志缺失：它曾经存在，已被删除"},
    "downgraded": {"en": "line {line} is not sealed, though the log was written sealed: the chain was "
                         "recomputed without the key",
                   "zh": "第 {line} 行未加密封，而该日志写入时已加密封：哈希链被无密钥地重新计算"},
    "wrong_key": {"en": "line {line} was sealed with another key", "zh": "第 {line} 行使用了其他密钥封存"},
    "key_missing": {"en": "the log's key is missing, so its seals cannot be checked",
                    "zh": "日志的密钥缺失，无法校验封存"},
    "anchor_forged": {"en": "the log's anchor was changed or replaced", "zh": "日志的锚点记录被修改或替换"},
    "anchor_missing": {"en": "the log's anchor is missing: it was deleted, or this log was moved or copied here",
                       "zh": "日志的锚点记录缺失：已被删除，或此日志是从别处移动或复制而来"},
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
