"""Optional history of processed documents, encrypted at rest — or none at all.

Off by default; the caller opens it only when the user turned it on. Each entry (document text,
summary, page images) is sealed with AES-256-GCM (`cryptography`) under a key kept in the OS
keyring (`keyring`), never on disk. If the only keyring backend is the fail backend or a plaintext
one (keyrings.alt), history stays off and `unavailable()` says why (a typed error, zh + en).

Storage: SQLite in WAL mode with synchronous=FULL, one transaction per entry, so a crash (even
`kill -9`) mid-write loses only the entry being written and never leaves an unreadable database.
Entries older than the retention period (default 30 days) are purged when history opens;
`delete_all()` removes every entry, the database files and the key.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from desktop_app import errors, paths

KEYRING_SERVICE = "EMRSummaryAssistant"
KEYRING_USERNAME = "history-encryption-key"
RETENTION_DAYS = 30
_DAY = 86400.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    nonce BLOB NOT NULL,
    payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_created ON entries(created);
"""
# Backends that do not protect a secret: refusing them keeps the key off plain disk.
_INSECURE_MODULE_PREFIXES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def default_path() -> Path:
    return paths.data_dir() / "history.sqlite3"


def backend_insecure(backend: object) -> bool:
    module = type(backend).__module__
    name = type(backend).__name__.lower()
    return module.startswith(_INSECURE_MODULE_PREFIXES) or "plaintext" in name


def unavailable() -> errors.HistoryUnavailable | None:
    """Why history cannot be turned on here (a typed error, zh + en), or None if it can."""
    try:
        import keyring
        from keyring.backends import chainer
    except ImportError:
        return errors.HistoryPackageMissing(package="keyring")
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: F401
    except ImportError:
        return errors.HistoryPackageMissing(package="cryptography")
    backend = keyring.get_keyring()
    backends = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    if not backends or all(backend_insecure(b) for b in backends):
        names = ", ".join(type(b).__module__ + "." + type(b).__name__ for b in backends) or "none"
        return errors.NoSecureKeyring(found=names)
    return None


def unavailable_reason(language: str = "en") -> str | None:
    """Why history cannot be turned on here, in `language` ("en" / "zh…"), or None if it can."""
    problem = unavailable()
    return problem.reason(language) if problem is not None else None


def delete_stored(db_path: Path | None = None) -> None:
    """"Delete all history" without opening it: the database files and the key, whatever state
    they are in (a key missing from the keyring, a keyring that cannot be used any more)."""
    db_path = Path(db_path) if db_path else default_path()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    try:
        import keyring

        keyring.delete_password(KEYRING_SERVICE, KEYRING_USERNAME)
    except Exception:  # no key, no keyring, or the fail backend: nothing left to remove
        pass


def _make_private(db_path: Path) -> None:
    """0600 for the database and its WAL files, whatever the umask was when they were created
    (sealed entries still reveal how many documents were read, and when)."""
    for suffix in ("", "-wal", "-shm"):
        try:
            os.chmod(str(db_path) + suffix, 0o600)
        except FileNotFoundError:
            pass


@dataclass(frozen=True)
class EntryInfo:
    id: int
    created: float


class History:
    """Open with `History.open()`; not thread-safe (one per worker thread)."""

    def __init__(self, connection: sqlite3.Connection, key: bytes, db_path: Path,
                 retention_days: float) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._db = connection
        self._aead = AESGCM(key)
        self.path = db_path
        self.retention_days = retention_days

    @classmethod
    def open(cls, db_path: Path | None = None, *, retention_days: float = RETENTION_DAYS,
             now: float | None = None) -> History:
        """Open (creating if needed) and purge expired entries. Raises `errors.HistoryUnavailable`."""
        problem = unavailable()
        if problem is not None:
            raise problem
        import keyring
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        db_path = Path(db_path) if db_path else default_path()
        paths.private_dir(db_path.parent)
        try:
            stored = keyring.get_password(KEYRING_SERVICE, KEYRING_USERNAME)
        except Exception as exc:  # a locked or broken keyring: history stays off
            raise errors.KeyringUnreadable(kind=type(exc).__name__) from None
        connection = sqlite3.connect(db_path, timeout=10, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.executescript(_SCHEMA)
            _make_private(db_path)
            if stored is None:
                (count,) = connection.execute("SELECT COUNT(*) FROM entries").fetchone()
                if count:
                    raise errors.HistoryKeyMissing()
                key = AESGCM.generate_key(bit_length=256)
                keyring.set_password(KEYRING_SERVICE, KEYRING_USERNAME, base64.b64encode(key).decode("ascii"))
            else:
                key = base64.b64decode(stored)
        except BaseException:
            connection.close()
            raise
        history = cls(connection, key, db_path, retention_days)
        history.purge_expired(now=now)
        return history

    # --- entries --------------------------------------------------------------------------

    def add(self, record: dict, *, images: list[bytes] = (), now: float | None = None) -> int:
        """Seal and store one entry (a JSON-able dict: text, summary, sha256 …) and its page images.
        Committed when this returns."""
        uid = uuid.uuid4().hex
        body = json.dumps({"record": record, "images": [base64.b64encode(i).decode("ascii") for i in images]},
                          ensure_ascii=False).encode("utf-8")
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, body, uid.encode("ascii"))  # the row id is bound as AAD
        created = time.time() if now is None else now
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            cursor = self._db.execute(
                "INSERT INTO entries (uid, created, nonce, payload) VALUES (?, ?, ?, ?)",
                (uid, created, nonce, sealed))
        return int(cursor.lastrowid)

    def entries(self) -> list[EntryInfo]:
        rows = self._db.execute("SELECT id, created FROM entries ORDER BY created DESC, id DESC")
        return [EntryInfo(int(i), float(c)) for i, c in rows]

    def get(self, entry_id: int) -> tuple[dict, list[bytes]]:
        from cryptography.exceptions import InvalidTag

        row = self._db.execute("SELECT uid, nonce, payload FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise KeyError(entry_id)
        uid, nonce, sealed = row
        try:
            body = json.loads(self._aead.decrypt(nonce, sealed, uid.encode("ascii")))
        except InvalidTag:
            raise errors.HistoryEntryDamaged(entry=entry_id) from None
        return body["record"], [base64.b64decode(i) for i in body["images"]]

    def purge_expired(self, now: float | None = None) -> int:
        cutoff = (time.time() if now is None else now) - self.retention_days * _DAY
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            deleted = self._db.execute("DELETE FROM entries WHERE created < ?", (cutoff,)).rowcount
        if deleted:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted

    def delete_all(self) -> None:
        """Remove every entry, the database files and the key. The object is closed afterwards."""
        import keyring
        from keyring.errors import PasswordDeleteError

        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM entries")
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        try:
            keyring.delete_password(KEYRING_SERVICE, KEYRING_USERNAME)
        except PasswordDeleteError:
            pass

    def integrity_ok(self) -> bool:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.close()
        except sqlite3.ProgrammingError:
            pass
