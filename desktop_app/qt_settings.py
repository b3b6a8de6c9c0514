"""The GUI's preferences, persisted with QSettings.

Keys are an enum with their defaults declared once; the engine defaults come from
`desktop_app.settings.EngineSettings`, shared with the CLI. QSettings holds preferences only:
never note text, summaries or document paths.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QSettings

from desktop_app.settings import EngineSettings

_ENGINE_DEFAULTS = EngineSettings()


class Key(str, Enum):
    OCR_ENGINE = "engines/ocr"
    SUMMARIZER = "engines/summarizer"
    OCR_MODEL = "models/ocr_folder"
    SUMMARIZER_MODEL = "models/summarizer_folder"
    DEVICE = "engines/device"
    QUANTIZATION = "engines/quantization"
    UI_LANGUAGE = "ui/language"
    OUTPUT_LANGUAGE = "summary/output_language"
    ENDPOINT = "network/endpoint"
    SERVED_MODEL = "network/served_model"
    ALLOWED_HOSTS = "network/allowed_hosts"
    SHOW_BOXES = "view/show_line_boxes"  # renamed: per-line boxes are off by default now
    FONT_SIZE = "view/font_size"
    COPY_LABEL_STYLE = "copy/label_style"
    COPY_SEPARATOR = "copy/separator"
    INBOX_FOLDER = "inbox/folder"
    KEEP_HISTORY = "privacy/keep_history"
    WELCOME_SHOWN = "ui/welcome_shown"  # a state flag, not a Preferences field


UI_LANGUAGES = ("system", "zh_CN", "en")
OUTPUT_LANGUAGES = ("note", "zh", "en")  # "note" = the note's own language
DEVICES = ("auto", "cpu", "cuda")
QUANTIZATIONS = ("none", "8bit", "4bit")
FONT_SIZES = ("0", "10", "11", "12", "14", "16")  # points for the fields and the text; "0" = the system's
COPY_LABEL_STYLES = ("colon", "upper", "brackets")  # "Plan: …", "PLAN: …", "【Plan】…"
COPY_SEPARATORS = ("line", "blank_line")


@dataclass(frozen=True)
class Preferences:
    ocr_engine: str = _ENGINE_DEFAULTS.ocr
    summarizer: str = _ENGINE_DEFAULTS.summarizer
    ocr_model: str = ""
    summarizer_model: str = ""
    device: str = _ENGINE_DEFAULTS.device
    quantization: str = "none"
    ui_language: str = "system"
    output_language: str = "note"
    endpoint: str = ""
    served_model: str = ""
    allowed_hosts: tuple[str, ...] = ()
    show_boxes: bool = False  # the OCR's per-line boxes on the page (View menu)
    font_size: str = "0"  # see FONT_SIZES
    copy_label_style: str = "colon"  # the "Copy all" template
    copy_separator: str = "line"
    inbox_folder: str = ""  # a folder whose new files join the queue ("" = none)
    keep_history: bool = False  # the encrypted history (privacy/history.py); off unless the user turns it on

    def engine_settings(self) -> EngineSettings:
        """The pipeline's settings for these preferences (CLI defaults for everything else)."""
        return replace(
            _ENGINE_DEFAULTS,
            ocr=self.ocr_engine or _ENGINE_DEFAULTS.ocr,
            summarizer=self.summarizer or _ENGINE_DEFAULTS.summarizer,
            ocr_model=Path(self.ocr_model) if self.ocr_model else None,
            summarizer_model=Path(self.summarizer_model) if self.summarizer_model else None,
            device=self.device or "auto",
            quantization=None if self.quantization in ("", "none") else self.quantization,
            output_language=None if self.output_language == "note" else self.output_language,
            endpoint=self.endpoint or None,
            served_model=self.served_model or None,
            allowed_hosts=tuple(self.allowed_hosts),
        )


_FIELDS = {
    Key.OCR_ENGINE: "ocr_engine",
    Key.SUMMARIZER: "summarizer",
    Key.OCR_MODEL: "ocr_model",
    Key.SUMMARIZER_MODEL: "summarizer_model",
    Key.DEVICE: "device",
    Key.QUANTIZATION: "quantization",
    Key.UI_LANGUAGE: "ui_language",
    Key.OUTPUT_LANGUAGE: "output_language",
    Key.ENDPOINT: "endpoint",
    Key.SERVED_MODEL: "served_model",
    Key.ALLOWED_HOSTS: "allowed_hosts",
    Key.SHOW_BOXES: "show_boxes",
    Key.FONT_SIZE: "font_size",
    Key.COPY_LABEL_STYLE: "copy_label_style",
    Key.COPY_SEPARATOR: "copy_separator",
    Key.INBOX_FOLDER: "inbox_folder",
    Key.KEEP_HISTORY: "keep_history",
}
_CHOICES = {
    "ui_language": UI_LANGUAGES,
    "output_language": OUTPUT_LANGUAGES,
    "device": DEVICES,
    "quantization": QUANTIZATIONS,
    "font_size": FONT_SIZES,
    "copy_label_style": COPY_LABEL_STYLES,
    "copy_separator": COPY_SEPARATORS,
}


SETTINGS_FILE_ENV = "EMR_ASSIST_SETTINGS"  # an ini file used instead of the user's store (tests, portable use)


def default_qsettings() -> QSettings:
    """The user's settings store (registry / plist / ini in the platform's config folder), or the
    ini file named by $EMR_ASSIST_SETTINGS."""
    import os

    from desktop_app.paths import APP_AUTHOR, APP_NAME

    override = os.environ.get(SETTINGS_FILE_ENV)
    if override:
        return QSettings(override, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, APP_AUTHOR, APP_NAME)


def load(store: QSettings) -> Preferences:
    """Read preferences; a missing or malformed value falls back to its default."""
    defaults = Preferences()
    values: dict[str, object] = {}
    for key, name in _FIELDS.items():
        default = getattr(defaults, name)
        raw = store.value(key.value, None)
        if raw is None:
            continue
        if isinstance(default, bool):
            values[name] = raw if isinstance(raw, bool) else str(raw).lower() in ("true", "1", "yes")
        elif isinstance(default, tuple):
            items = raw if isinstance(raw, list) else str(raw).replace(",", "\n").splitlines()
            values[name] = tuple(str(item).strip() for item in items if str(item).strip())
        else:
            text = str(raw)
            if name in _CHOICES and text not in _CHOICES[name]:
                continue
            values[name] = text
    return replace(defaults, **values)


def save(store: QSettings, prefs: Preferences) -> None:
    for key, name in _FIELDS.items():
        value = getattr(prefs, name)
        store.setValue(key.value, list(value) if isinstance(value, tuple) else value)
    store.sync()


def resolved_ui_language(prefs: Preferences, system_locale: str) -> str:
    """"zh_CN" or "en": the preference, or the system locale when it is "system"."""
    if prefs.ui_language != "system":
        return prefs.ui_language
    return "zh_CN" if system_locale.lower().startswith("zh") else "en"


def welcome_pending(store: QSettings) -> bool:
    """True until the first-run welcome has been shown once."""
    raw = store.value(Key.WELCOME_SHOWN.value, False)
    return not (raw is True or str(raw).lower() in ("true", "1", "yes"))


def mark_welcome_shown(store: QSettings) -> None:
    store.setValue(Key.WELCOME_SHOWN.value, True)
    store.sync()
