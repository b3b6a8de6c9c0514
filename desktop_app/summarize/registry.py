"""The summarizers: the `summary` view of the one engine registry (`desktop_app.engines`)."""

from __future__ import annotations

from desktop_app import engines
from desktop_app.engines import EngineSpec


def names() -> list[str]:
    return engines.names("summary")


def find(name: str) -> EngineSpec:
    return engines.find("summary", name)
