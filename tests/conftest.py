"""Test-wide set-up: offscreen Qt and offline Hugging Face before anything imports them."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}.items():
    os.environ[_key] = _value
