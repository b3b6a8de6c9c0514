"""The command-line options of the settings, derived from `desktop_app.settings_table`.

Every option defaults to None ("not given"), so that `fill_from_saved` can tell a flag given on the command
line from one the desktop app's saved settings should fill in; the table's default applies last, in
`engine_settings`. Standard library only: `--help` stays light.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from desktop_app import settings_table
from desktop_app.settings import EngineSettings, IngestLimits
from desktop_app.settings_table import ENGINE, LIMIT, Setting

_DEFAULT = {"en": "default", "zh": "默认"}
_SAVED_DEFAULT = {"en": "default: the desktop app's setting, else {}", "zh": "默认：桌面应用的设置，否则 {}"}
_SAVED_ONLY = {"en": "default: the desktop app's setting", "zh": "默认：桌面应用的设置"}


def options(command: str, scope: str | None = None) -> tuple[Setting, ...]:
    """The settings `command` takes a flag for (of one scope, or all), in table order."""
    return tuple(item for item in settings_table.SETTINGS
                 if item.flag and command in item.commands and scope in (None, item.scope))


def _at_least(minimum: int):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = minimum - 1
        if number < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number of {minimum} or more, got '{value}'")
        return number

    return parse


def _shown_default(item: Setting) -> str | None:
    if item.default is None or item.type in (bool, tuple):
        return None
    if item.unit != 1:
        return f"{item.default / item.unit:g}"
    return str(item.default)


def _help(item: Setting, language: str) -> str:
    text = item.help_zh if language == "zh" else item.help_en
    shown = _shown_default(item)
    if item.saved and item.type not in (bool, tuple):
        note = (_SAVED_DEFAULT if shown else _SAVED_ONLY)[language].format(shown)
    elif shown is not None:
        note = f"{_DEFAULT[language]} {shown}"
    else:
        return text
    return f"{text}（{note}）" if language == "zh" else f"{text} ({note})"


def add_options(parser, command: str, language: str = "en", scope: str | None = None) -> None:
    """Add the flags of `command` (to an ArgumentParser or an argument group); help in `language`
    ("zh"/"en")."""
    for item in options(command, scope):
        kwargs: dict = {"dest": item.name, "default": None, "help": _help(item, language)}
        if item.type is bool:  # a switch away from the default, e.g. --no-text-layer
            kwargs.update(action="store_const", const=not item.default)
        elif item.type is tuple:
            kwargs.update(action="append", metavar=item.metavar)
        else:
            if item.minimum is not None:
                kwargs["type"] = _at_least(item.minimum)
            elif item.unit != 1:
                kwargs["type"] = float
            elif item.type is not str:
                kwargs["type"] = item.type
            if item.choices and item.cli_choices:
                kwargs["choices"] = item.choices
            if item.metavar:
                kwargs["metavar"] = item.metavar
        parser.add_argument(item.flag, **kwargs)


def given(args: argparse.Namespace, command: str) -> dict[str, object]:
    """The settings given on the command line, in the engine's terms (limits in bytes and pixels)."""
    values: dict[str, object] = {}
    for item in options(command):
        value = getattr(args, item.name, None)
        if value is None:
            continue
        if item.type is tuple:
            value = tuple(value)
        elif item.unit != 1:
            value = int(value * item.unit)
        values[item.name] = value
    return values


def fill_from_saved(args: argparse.Namespace, command: str, saved_settings) -> None:
    """Options not given take the desktop app's saved value (`EngineSettings`); the allow-lists add up."""
    for item in options(command):
        if not item.saved or item.scope != ENGINE:
            continue
        value = getattr(saved_settings, item.name)
        if item.type is tuple:
            setattr(args, item.name, list(dict.fromkeys([*(getattr(args, item.name) or ()), *value])))
        elif getattr(args, item.name, None) is None and value is not None:
            setattr(args, item.name, value)


def engine_settings(args: argparse.Namespace, command: str) -> EngineSettings:
    """`EngineSettings` from the options given (the table's defaults for the rest)."""
    values = given(args, command)
    limits = {item.name: values.pop(item.name) for item in options(command)
              if item.scope == LIMIT and item.name in values}
    return replace(EngineSettings(), **values, limits=replace(IngestLimits(), **limits))
