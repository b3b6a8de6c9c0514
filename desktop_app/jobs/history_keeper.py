"""The optional encrypted history (privacy/history.py), kept by the pipeline worker.

Every method runs in the worker thread: the history's SQLite connection belongs to it. What
happens to the history (open, or off and why) is reported through `on_state(open, reason)`; the
reason is empty when the history is off by the user's choice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from desktop_app import errors
from desktop_app.jobs.failures import log_unexpected, unexpected_message


class HistoryKeeper:
    def __init__(self, on_state: Callable[[bool, str], None]) -> None:
        self._on_state = on_state
        self._history = None  # privacy.history.History while the user keeps history
        self._path: Path | None = None

    def open(self, db_path: Path | None, language: str) -> None:
        """Open the history at `db_path` (which purges expired entries), or close it (None)."""
        self.close()
        self._path = db_path
        if db_path is None:
            self._on_state(False, "")
            return
        from desktop_app.privacy import history

        try:
            self._history = history.History.open(db_path)
        except errors.EmrError as exc:  # no secure keyring, or the key is gone
            self._on_state(False, exc.message(language))
            return
        except Exception as exc:  # a damaged database or an unreadable folder: history stays off
            log_unexpected("history open", exc)
            self._on_state(False, unexpected_message(language, exc))
            return
        self._on_state(True, "")

    def delete(self, db_path: Path, language: str) -> None:
        """"Delete all history" at `db_path`: every entry, the database files and the key; a
        history that is on starts again empty, under a new key."""
        from desktop_app.privacy import history

        was_on = self._path
        self.close()
        try:
            history.delete_stored(db_path)
        except OSError as exc:
            log_unexpected("history delete", exc)
        if was_on is not None:
            self.open(was_on, language)

    def close(self) -> None:
        if self._history is not None:
            try:
                self._history.close()
            except Exception:  # already closed
                pass
            self._history = None

    def keep(self, result, language: str) -> None:
        """Store a document that was read; a failed write turns the history off, never costs the result."""
        if self._history is None or not getattr(result, "ok", False):
            return
        try:
            record = json.loads(json.dumps(asdict(result), ensure_ascii=False, default=str))
            self._history.add(record)
        except Exception as exc:
            log_unexpected("history write", exc)
            self.close()
            self._on_state(False, unexpected_message(language, exc))
