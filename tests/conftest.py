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
os.environ["EMR_ASSIST_ANCHOR_DIR"] = os.path.join(_SESSION_DIR, "audit-anchor")
# Never the user's own keyring (the audit key, the history key); also keeps the test modules' stand-in
# backends (any KeyringBackend subclass is a candidate) from becoming the default by accident.
# Tests that need a secure keyring set one with keyring.set_keyring().
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

# Native telemetry off and PyMuPDF's onnxruntime-loading extras blocked before any test module
# imports pymupdf itself (see desktop_app/privacy/telemetry.py).
import desktop_app  # noqa: E402, F401
