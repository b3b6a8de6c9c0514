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


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR))


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


# --- private files ---------------------------------------------------------------------------
# What the app writes can hold note text or who read which document: readable by the user only.

PRIVATE_UMASK = 0o077  # files 0600, folders 0700, for everything the process creates
ANCHOR_DIR_ENV = "EMR_ASSIST_ANCHOR_DIR"  # overrides where the audit log's anchor and key file live


def apply_private_umask() -> None:
    """Files and folders created from now on are private to the user (QSettings, SQLite, exports…)."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) as 0700; an existing folder of ours is tightened to 0700."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if os.name == "posix" and path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError:  # not ours (a shared folder the user chose): leave its mode alone
        pass
    return path


def write_private(target: Path, data: bytes) -> None:
    """Replace `target` atomically with a 0600 file (a temporary name in the same folder, fsynced,
    then renamed: a crash leaves the old file or the new one, and at worst a `.tmp-` leftover that
    `remove_crash_leftovers` deletes)."""
    target = Path(target)
    temp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def anchor_dir() -> Path:
    """Where the audit log's anchor (its expected length and last seal) and, without an OS keyring,
    its key live: apart from the log, so deleting or cutting the log's folder is noticed."""
    override = os.environ.get(ANCHOR_DIR_ENV)
    if override:
        return Path(override).expanduser()
    if os.environ.get(DATA_DIR_ENV):  # a portable or test data folder: its anchor sits beside it
        data = data_dir()
        return data.with_name(data.name + "-anchor")
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "audit-anchor"


PASTE_DIR_PREFIX = "emr-assist-paste-"  # + "<pid>-": the GUI's pasted images (note content)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or not a pid: never ours to clean
    return True


def remove_crash_leftovers() -> list[Path]:
    """Delete what a killed run left behind: temporary files of atomic writes in the app's own
    folders, and pasted-image folders whose process is gone. Returns what was removed (no names
    are logged: they can hold a document's name)."""
    import shutil
    import tempfile

    removed: list[Path] = []
    for folder in (data_dir(), anchor_dir()):
        for leftover in folder.glob(".tmp-*") if folder.is_dir() else ():
            pid = leftover.name.split("-")[2] if leftover.name.count("-") >= 2 else ""
            if pid.isdigit() and _alive(int(pid)):
                continue  # a live run is writing it
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    uid = os.getuid() if hasattr(os, "getuid") else None
    for folder in Path(tempfile.gettempdir()).glob(PASTE_DIR_PREFIX + "*"):
        pid = folder.name[len(PASTE_DIR_PREFIX):].split("-", 1)[0]
        try:
            mine = uid is None or folder.stat().st_uid == uid
        except OSError:
            continue
        if mine and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def new_paste_dir() -> Path:
    """A private (0700) temporary folder for pasted images, named after this process so that a
    later start-up can tell a crashed run's leftovers from a live window's."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f"{PASTE_DIR_PREFIX}{os.getpid()}-"))
