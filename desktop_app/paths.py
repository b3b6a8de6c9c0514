"""Where the app keeps its files, and the offline switches for Hugging Face libraries.

Imported before anything that could import `huggingface_hub` or `transformers`, so that no
model is ever fetched from a hub and no telemetry is sent.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "EMRSummaryAssistant"
APP_AUTHOR = "EMRSummaryAssistant"

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
}


def apply_offline_environment() -> None:
    """Force every Hugging Face library offline and keep its cache inside the app's folder."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    os.environ.setdefault("HF_HOME", str(cache_dir() / "huggingface"))


DATA_DIR_ENV = "EMR_ASSIST_DATA_DIR"  # overrides the data folder (audit log, history, models): tests, portable use


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def models_dir() -> Path:
    return data_dir() / "models"


def resources_dir() -> Path:
    """`resources/` of a source checkout, or the copy bundled next to the package when frozen."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "resources", here / "resources"):
        if candidate.is_dir():
            return candidate
    return here.parent / "resources"


def sample_documents() -> list[Path]:
    return sorted((resources_dir() / "samples").glob("*.*"))
