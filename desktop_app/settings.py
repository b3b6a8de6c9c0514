"""The settings types, derived from `desktop_app.settings_table` (each setting is declared there once).

- `IngestLimits`: what a document may be (the table's LIMIT rows).
- `EngineSettings`: what the pipeline runs (the ENGINE rows, plus `limits`). Model engines read their own
  fields; the embedded engines ignore them.
- `Preferences`: the desktop app's saved settings (every row with a QSettings key), in the GUI's terms:
  text for paths and URLs ("" = not set), `none_as` for an engine's None ("none", "note").
  `Preferences.engine_settings()` turns them into `EngineSettings`.

Qt-free and standard library only (the CLI and the pipeline import it); QSettings load/save is in
`desktop_app.qt_settings`.
"""

from __future__ import annotations

from dataclasses import field, make_dataclass, replace
from pathlib import Path

from desktop_app.settings_table import ENGINE, LIMIT, Setting, in_scope, saved, setting


def _annotation(item: Setting) -> object:
    base = tuple[str, ...] if item.type is tuple else item.type
    return base | None if item.default is None else base


def _field(name: str, annotation: object, default: object) -> tuple[str, object, object]:
    return name, annotation, field(default=default)  # every default is immutable (str, int, tuple, None)


def _derived(name: str, fields: list, doc: str, **kwargs) -> type:
    cls = make_dataclass(name, fields, **kwargs)
    cls.__module__ = __name__  # pickled by name (batch worker processes receive EngineSettings)
    cls.__doc__ = doc
    return cls


IngestLimits = _derived(
    "IngestLimits", [_field(s.name, _annotation(s), s.default) for s in in_scope(LIMIT)],
    "What a document may be (desktop_app.settings_table, LIMIT rows).", frozen=True)

EngineSettings = _derived(
    "EngineSettings",
    [*(_field(s.name, _annotation(s), s.default) for s in in_scope(ENGINE)),
     ("limits", IngestLimits, field(default_factory=IngestLimits))],
    "What to run (desktop_app.settings_table, ENGINE rows).")


# --- the desktop app's preferences -----------------------------------------------------------------------

def preference_default(item: Setting) -> object:
    """The saved form of a setting's default: text for paths, `none_as` for None."""
    if item.default is None:
        return item.none_as
    return str(item.default) if item.type is Path else item.default


def preference_type(item: Setting) -> type:
    return str if item.type is Path else item.type


def preference_choices(name: str) -> tuple | None:
    """The values a preference may hold (None = any): the table's choices, plus `none_as` first when
    the engine's default is None."""
    item = setting(name)
    if item.choices is None:
        return None
    return (item.none_as, *item.choices) if item.default is None else item.choices


def _engine_value(item: Setting, value: object) -> object:
    if item.default is None and value == item.none_as:
        return None
    if value in ("", None):  # an empty saved engine name or device: the built-in default
        return item.default
    if item.type is tuple:
        return tuple(value)
    return item.type(value)


def _engine_settings(self) -> EngineSettings:
    """The pipeline's settings for these preferences (the table's defaults for everything else)."""
    values = {s.name: _engine_value(s, getattr(self, s.preference)) for s in saved() if s.scope == ENGINE}
    return replace(EngineSettings(), **values)


Preferences = _derived(
    "Preferences", [_field(s.preference, preference_type(s), preference_default(s)) for s in saved()],
    "The desktop app's saved settings (desktop_app.settings_table rows with a key), as the GUI edits them.",
    frozen=True, namespace={"engine_settings": _engine_settings})
