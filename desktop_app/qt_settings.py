"""The desktop app's preferences, persisted with QSettings (QtCore only: no widgets).

The keys, types and defaults come from `desktop_app.settings_table` (through `Preferences`); this module
only reads and writes them. QSettings holds preferences only: never note text, summaries or document paths.
"""

from __future__ import annotations

import os
from dataclasses import replace
from enum import Enum

from PySide6.QtCore import QSettings

from desktop_app.settings import EngineSettings, Preferences, preference_choices, preference_type
from desktop_app.settings_table import Setting, saved

__all__ = ["Key", "Preferences", "default_qsettings", "load", "save", "saved_engine_settings"]

# One key per saved setting, named after its Preferences field (Key.UI_LANGUAGE = "ui/language").
Key = Enum("Key", [(item.preference.upper(), item.key) for item in saved()], type=str, module=__name__)
WELCOME_SHOWN = "ui/welcome_shown"  # a state flag, not a preference

SETTINGS_FILE_ENV = "EMR_ASSIST_SETTINGS"  # an ini file used instead of the user's store (tests, portable use)


def default_qsettings() -> QSettings:
    """The user's settings store (registry / plist / ini in the platform's config folder), or the
    ini file named by $EMR_ASSIST_SETTINGS."""
    from desktop_app.paths import APP_AUTHOR, APP_NAME

    override = os.environ.get(SETTINGS_FILE_ENV)
    if override:
        return QSettings(override, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, APP_AUTHOR, APP_NAME)


def _as_bool(raw: object) -> bool:
    return raw if isinstance(raw, bool) else str(raw).lower() in ("true", "1", "yes")


def _parsed(item: Setting, raw: object) -> object | None:
    """A stored value in the preference's type, or None when it is malformed (the default then applies)."""
    kind = preference_type(item)
    if kind is bool:
        return _as_bool(raw)
    if kind is tuple:
        items = raw if isinstance(raw, list) else str(raw).replace(",", "\n").splitlines()
        return tuple(str(one).strip() for one in items if str(one).strip())
    if kind is int:
        try:
            number = int(str(raw))
        except ValueError:
            return None
        return number if item.minimum is None or number >= item.minimum else None
    text = str(raw)
    choices = preference_choices(item.name)
    return None if choices is not None and text not in choices else text


def load(store: QSettings) -> Preferences:
    """Read preferences; a missing or malformed value falls back to its default."""
    values: dict[str, object] = {}
    for item in saved():
        raw = store.value(item.key, None)
        value = None if raw is None else _parsed(item, raw)
        if value is not None:
            values[item.preference] = value
    return replace(Preferences(), **values)


def save(store: QSettings, prefs: Preferences) -> None:
    for item in saved():
        value = getattr(prefs, item.preference)
        store.setValue(item.key, list(value) if isinstance(value, tuple) else value)
    store.sync()


def saved_engine_settings() -> EngineSettings:
    """The engine settings the desktop app saved (its defaults where it saved none). Shared by
    `emr-assist summarize/batch/evaluate`; imports QtCore only, never widgets or a QApplication."""
    return load(default_qsettings()).engine_settings()


def resolved_ui_language(prefs: Preferences, system_locale: str) -> str:
    """"zh_CN" or "en": the preference, or the system locale when it is "system"."""
    if prefs.ui_language != "system":
        return prefs.ui_language
    return "zh_CN" if system_locale.lower().startswith("zh") else "en"


def welcome_pending(store: QSettings) -> bool:
    """True until the first-run welcome has been shown once."""
    return not _as_bool(store.value(WELCOME_SHOWN, False))


def mark_welcome_shown(store: QSettings) -> None:
    store.setValue(WELCOME_SHOWN, True)
    store.sync()
