"""Test-wide set-up: offscreen Qt and offline Hugging Face before anything imports them."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}.items():
    os.environ[_key] = _value

# The audit log, history and saved settings of test runs go to a private folder for this session,
# never to the user's own data folder or settings (in-process CLI runs and child processes alike).
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

_SESSION_DIR = tempfile.mkdtemp(prefix="emr-assist-tests-")
atexit.register(shutil.rmtree, _SESSION_DIR, True)
os.environ["EMR_ASSIST_DATA_DIR"] = os.path.join(_SESSION_DIR, "data")
os.environ["EMR_ASSIST_SETTINGS"] = os.path.join(_SESSION_DIR, "settings.ini")
