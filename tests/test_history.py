"""Encrypted history: sealed at rest, key in the keyring, refused without a secure keyring,
retention, delete-all, and no loss or damage when the writer is killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from desktop_app import errors
from desktop_app.privacy import history
from desktop_app.privacy.history import KEYRING_SERVICE, KEYRING_USERNAME, History

ROOT = Path(__file__).resolve().parents[1]
DAY = 86400.0

# Also used, as source text, by the child process of the kill -9 test.
FILE_KEYRING = textwrap.dedent('''
    import json
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    class FileKeyring(KeyringBackend):
        """A test stand-in for the OS keyring that two processes can share."""
        priority = 1

        def __init__(self, path):
            super().__init__()
            self.path = path

        def _load(self):
            try:
                with open(self.path, encoding="utf-8") as handle:
                    return json.load(handle)
            except FileNotFoundError:
                return {}

        def get_password(self, service, username):
            return self._load().get(service + "/" + username)

        def set_password(self, service, username, password):
            data = self._load()
            data[service + "/" + username] = password
            with open(self.path, "w", encoding="utf-8") as handle:
                json.dump(data, handle)

        def delete_password(self, service, username):
            data = self._load()
            if data.pop(service + "/" + username, None) is None:
                raise PasswordDeleteError(username)
            with open(self.path, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
''')
_namespace: dict = {}
exec(FILE_KEYRING, _namespace)  # our own constant source, shared with the child process
FileKeyring = _namespace["FileKeyring"]


class PlaintextKeyring(KeyringBackend):
    """Looks like keyrings.alt's plaintext file backend."""

    priority = 1

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise AssertionError("history must never store its key in a plaintext keyring")

    def delete_password(self, service, username):
        pass


PlaintextKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def use_keyring():
    previous = keyring.get_keyring()

    def use(backend):
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


@pytest.fixture
def secure_keyring(use_keyring, tmp_path):
    return use_keyring(FileKeyring(str(tmp_path / "keyring.json")))


RECORD = {"sha256": "ab" * 32, "text": "姓名：张三 主诉：右下腹痛3小时", "summary": {"plan": "急诊手术"}}


def test_entries_are_encrypted_at_rest(secure_keyring, tmp_path):
    db = tmp_path / "history.sqlite3"
    with History.open(db) as store:
        entry = store.add(RECORD, images=[b"\x89PNG fake page"])
        assert store.get(entry) == (RECORD, [b"\x89PNG fake page"])
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("history.sqlite3*"))
    assert "张三".encode() not in raw and b"right" not in raw and b"PNG fake" not in raw
    assert secure_keyring.get_password(KEYRING_SERVICE, KEYRING_USERNAME)  # the key lives in the keyring
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_tampered_entry_is_refused(secure_keyring, tmp_path):
    db = tmp_path / "history.sqlite3"
    with History.open(db) as store:
        entry = store.add(RECORD)
    with sqlite3.connect(db) as raw:
        (payload,) = raw.execute("SELECT payload FROM entries WHERE id = ?", (entry,)).fetchone()
        flipped = bytes([payload[0] ^ 1]) + payload[1:]
        raw.execute("UPDATE entries SET payload = ? WHERE id = ?", (flipped, entry))
    with History.open(db) as store, pytest.raises(errors.HistoryUnavailable):
        store.get(entry)


@pytest.mark.parametrize("backend", [fail.Keyring(), PlaintextKeyring()], ids=["fail", "plaintext"])
def test_history_stays_off_without_a_secure_keyring(use_keyring, tmp_path, backend):
    use_keyring(backend)
    reason = history.unavailable_reason()
    assert reason and "keyring" in reason
    with pytest.raises(errors.HistoryUnavailable) as info:
        History.open(tmp_path / "history.sqlite3")
    assert info.value.code == "history_unavailable" and "历史记录已关闭" in info.value.message("zh")
    assert not (tmp_path / "history.sqlite3").exists()


def test_retention_purges_old_entries_at_open(secure_keyring, tmp_path):
    db = tmp_path / "history.sqlite3"
    now = 1_800_000_000.0
    with History.open(db, now=now) as store:
        old = store.add({"n": "old"}, now=now - 31 * DAY)
        recent = store.add({"n": "recent"}, now=now - 29 * DAY)
    with History.open(db, now=now) as store:
        assert [e.id for e in store.entries()] == [recent]
        with pytest.raises(KeyError):
            store.get(old)


def test_delete_all_removes_entries_files_and_key(secure_keyring, tmp_path):
    db = tmp_path / "history.sqlite3"
    store = History.open(db)
    store.add(RECORD)
    store.delete_all()
    assert list(tmp_path.glob("history.sqlite3*")) == []
    assert secure_keyring.get_password(KEYRING_SERVICE, KEYRING_USERNAME) is None
    with History.open(db) as fresh:  # a new, empty history with a new key
        assert fresh.entries() == []


def test_missing_key_for_existing_entries_is_not_silently_replaced(secure_keyring, tmp_path):
    db = tmp_path / "history.sqlite3"
    with History.open(db) as store:
        store.add(RECORD)
    secure_keyring.delete_password(KEYRING_SERVICE, KEYRING_USERNAME)
    with pytest.raises(errors.HistoryUnavailable):
        History.open(db)
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 1


CHILD = FILE_KEYRING + textwrap.dedent('''
    import sys
    from pathlib import Path

    import keyring

    keyring.set_keyring(FileKeyring(sys.argv[1]))
    from desktop_app.privacy.history import History

    store = History.open(Path(sys.argv[2]))
    filler = "病历文本 " * 20000
    i = 0
    while True:
        store.add({"i": i, "text": filler})
        print(i, flush=True)  # printed only after the entry is committed
        i += 1
''')


def test_kill_9_mid_write_loses_nothing_committed(secure_keyring, tmp_path):
    # GIVEN a child process writing large entries as fast as it can
    db = tmp_path / "history.sqlite3"
    child = subprocess.Popen([sys.executable, "-c", CHILD, secure_keyring.path, str(db)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    committed = -1
    try:
        for line in child.stdout:
            committed = int(line)
            if committed >= 25:
                break
        # WHEN it is killed with SIGKILL in the middle of its next write
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert committed >= 25, child.stderr.read()
    # THEN every entry it reported committed is there and readable, and the database is sound
    with History.open(db) as store:
        assert store.integrity_ok()
        numbers = {store.get(entry.id)[0]["i"] for entry in store.entries()}
    assert set(range(committed + 1)) <= numbers
    assert json.dumps(sorted(numbers)) == json.dumps(list(range(len(numbers))))  # no gap, no half entry


def test_history_files_are_private(secure_keyring, tmp_path):
    import stat

    folder = tmp_path / "data"
    with History.open(folder / "h.sqlite3") as store:
        store.add(RECORD)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
