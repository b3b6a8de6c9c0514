"""How the background jobs report what went wrong, without leaking note text.

A log line names the exception's type only (its message could quote the document); the user
gets a typed error's message, in both UI languages so a language switch re-renders it.
"""

from __future__ import annotations

import logging

from desktop_app import errors

log = logging.getLogger("desktop_app.jobs")


def log_unexpected(what: str, exc: Exception) -> None:
    """The exception's type only: its message could quote the document. Traceback at DEBUG."""
    log.error("%s: unexpected %s", what, type(exc).__name__)
    log.debug("%s traceback", what, exc_info=True)


def unexpected_message(language: str, exc: Exception) -> str:
    return _unexpected_error(exc).message(language)


def messages(exc: errors.EmrError) -> dict[str, str]:
    """The error in both UI languages, so a language switch re-renders what is already shown."""
    return {"en": exc.message("en"), "zh": exc.message("zh")}


def unexpected_messages(exc: Exception) -> dict[str, str]:
    return messages(_unexpected_error(exc))


def _unexpected_error(exc: Exception) -> errors.EmrError:
    return errors.EmrError(detail=f"unexpected {type(exc).__name__}")
