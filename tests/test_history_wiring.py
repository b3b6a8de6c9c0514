"""The encrypted history as the app uses it: the Settings switch (and why it is unavailable),
results stored by the worker, retention purge at start-up, "Delete all history", and the
`emr-assist history` command. A secure OS keyring is stood in for by an in-memory backend."""

from __future__ import annotations

import time
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError

from desktop_app import cli
from desktop_app.privacy import history
from desktop_app.privacy.audit import AuditLog
from desktop_app.privacy.history import KEYRING_SERVICE, KEYRING_USERNAME, History

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "samples" / "en_progress_note_text_layer.pdf"
DAY = 86400.0


class MemoryKeyring(KeyringBackend):
    """A secure keyring for tests: secrets in a dict, gone when the test ends."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def secure_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def fail_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def has_key(backend: MemoryKeyring) -> bool:
    return (KEYRING_SERVICE, KEYRING_USERNAME) in backend.secrets


# --- the CLI ----------------------------------------------------------------------------------


def test_history_status_says_why_it_is_off_without_a_secure_keyring(fail_keyring, tmp_path, capsys):
    code = cli.main(["--lang", "en", "history", "status", "--file", str(tmp_path / "h.sqlite3")])
    out = capsys.readouterr().out
    assert code == 0
    assert "History is off" in out and "no secure OS keyring" in out
    assert cli.main(["history", "purge", "--file", str(tmp_path / "h.sqlite3")]) != 0
    assert not (tmp_path / "h.sqlite3").exists()
    capsys.readouterr()
    cli.main(["--lang", "zh", "history", "status", "--file", str(tmp_path / "h.sqlite3")])
    out = capsys.readouterr().out
    assert "历史记录已关闭：没有可用的安全系统密钥环" in out and "no secure" not in out


def test_history_status_purge_and_delete_all(secure_keyring, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EMR_ASSIST_DATA_DIR", str(tmp_path / "data"))
    db = tmp_path / "h.sqlite3"
    now = time.time()
    with History.open(db) as store:
        store.add({"text": "old"}, now=now - 40 * DAY)
        store.add({"text": "new"}, now=now)

    assert cli.main(["history", "status", "--file", str(db)]) == 0
    assert "2 entries" in capsys.readouterr().out  # status does not purge

    assert cli.main(["history", "purge", "--file", str(db)]) == 0
    assert "1 entries older than 30 days removed" in capsys.readouterr().out
    with History.open(db) as store:
        assert len(store.entries()) == 1

    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli.main(["history", "delete-all", "--file", str(db)]) == 2  # no --yes, no terminal: refused
    assert db.exists() and has_key(secure_keyring)
    assert cli.main(["history", "delete-all", "--file", str(db), "--yes"]) == 0
    assert not db.exists() and not has_key(secure_keyring)

    actions = [e["action"] for e in map(__import__("json").loads,
                                          (tmp_path / "data" / "audit.jsonl").read_text().splitlines())]
    assert actions == ["history_purge", "history_delete_all"]


# --- the GUI ----------------------------------------------------------------------------------


@pytest.fixture
def app_window(qtbot, tmp_path):
    pytest.importorskip("pytestqt")
    from PySide6.QtCore import QSettings

    from tests.gui_windows import window_factory

    windows = window_factory(qtbot, tmp_path, audit_log=AuditLog(tmp_path / "audit.jsonl"),
                             history_path=tmp_path / "history.sqlite3")
    make_window = next(windows)

    def make(keep_history: bool = False):
        store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        if keep_history:
            store.setValue("privacy/keep_history", True)
            store.sync()
        return make_window(store=store)

    yield make
    next(windows, None)  # shuts the windows down


def test_settings_show_why_history_is_unavailable(fail_keyring, app_window):
    window = app_window()
    dialog = window.open_settings()
    assert not dialog.keep_history_check.isEnabled() and not dialog.keep_history_check.isChecked()
    assert not dialog.history_reason_label.isHidden()
    assert "no secure OS keyring" in dialog.history_reason_label.text()
    assert dialog.preferences().keep_history is False


def test_history_on_stores_results_off_the_gui_thread_and_can_be_deleted(secure_keyring, app_window, qtbot,
                                                                        tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.ui.queue_list import DONE

    db = tmp_path / "history.sqlite3"
    # GIVEN an entry past the retention period, from an earlier run
    with History.open(db) as store:
        store.add({"text": "expired"}, now=time.time() - 31 * DAY)

    # WHEN the app starts with no history kept, then the user turns it on in Settings
    window = app_window()
    dialog = window.open_settings()
    assert dialog.keep_history_check.isEnabled() and dialog.history_reason_label.isHidden()
    dialog.keep_history_check.setChecked(True)
    with qtbot.waitSignal(window.runner.historyChanged, timeout=10_000) as opened:
        dialog.accept()
    assert opened.args == [True, ""]

    # THEN the expired entry was purged on opening, and a finished document is stored, sealed
    [key] = window.add_paths([str(SAMPLE)])
    qtbot.waitUntil(lambda: window.sessions[key].status == DONE, timeout=30_000)
    qtbot.waitUntil(lambda: _count(db) == 1, timeout=10_000)
    assert b"Progress" not in db.read_bytes() and b"progress" not in db.read_bytes()
    sha = window.sessions[key].result.sha256
    with History.open(db) as store:
        [entry] = store.entries()
        record, _images = store.get(entry.id)
    assert record["sha256"] == sha and record["summary"]["engine"] == "sections"

    # WHEN the user deletes all history and confirms
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog = window.open_settings()
    with qtbot.waitSignal(window.runner.historyChanged, timeout=10_000):  # reopened empty, new key
        assert dialog.confirm_delete_history()

    # THEN nothing is left but a new, empty history
    assert _count(db) == 0
    window.audit.flush()
    actions = [line for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert any('"history_on"' in line for line in actions)
    assert any('"history_delete_all"' in line for line in actions)


def test_delete_needs_confirmation(secure_keyring, app_window, monkeypatch, qtbot):
    from PySide6.QtWidgets import QMessageBox

    window = app_window()
    dialog = window.open_settings()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    with qtbot.assertNotEmitted(dialog.deleteHistoryRequested):
        assert not dialog.confirm_delete_history()


def test_retention_purge_at_start_up(secure_keyring, app_window, qtbot, tmp_path):
    db = tmp_path / "history.sqlite3"
    with History.open(db) as store:
        store.add({"text": "expired"}, now=time.time() - 31 * DAY)
        store.add({"text": "recent"})
    window = app_window(keep_history=True)  # history on: the worker opens it at start-up
    qtbot.waitUntil(lambda: _count(db) == 1, timeout=10_000)
    assert window.prefs.keep_history


def _count(db: Path) -> int:
    """Entries in the database, read without the key (rows only, never their content)."""
    import sqlite3

    if not db.exists():
        return 0
    connection = sqlite3.connect(db, timeout=10)
    try:
        return connection.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        connection.close()


def test_history_is_unavailable_on_this_kind_of_machine(fail_keyring):
    assert history.unavailable_reason()
