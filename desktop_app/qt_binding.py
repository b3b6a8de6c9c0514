"""A known-broken Qt binding, detected by behaviour rather than by version number. QtCore only, so
`emr-assist doctor` can ask without loading the GUI."""

from __future__ import annotations

import sys


def binding_is_broken() -> bool:
    """PySide6 6.12.0 on Python < 3.12 drops a reference to `None` on every call of a method that
    returns nothing; the interpreter then aborts after a few thousand calls ("none_dealloc"), losing
    the user's work."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(50):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 25


def qt_binding_problem() -> str | None:
    """Why the app refuses to start on this binding, or None. Better a clear message than a crash."""
    if not binding_is_broken():
        return None
    import PySide6

    return (f"PySide6 {PySide6.__version__} is broken on Python {sys.version_info.major}."
            f"{sys.version_info.minor} (reference-count bug; the app would crash). "
            "Install another version: pip install 'PySide6-Essentials>=6.6,<6.12'")
