"""The embedded OCR (OpenVINO build included, which ships a telemetry package) makes no connection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs in a child process: every way of opening a connection is recorded and refused.
PROBE = """
import json, socket, sys
attempts = []
def refuse(name):
    def _refuse(*args, **kwargs):
        attempts.append(name)
        raise OSError("network disabled for this test")
    return _refuse
socket.socket.connect = refuse("connect")
socket.socket.connect_ex = refuse("connect_ex")
socket.create_connection = refuse("create_connection")
socket.getaddrinfo = refuse("getaddrinfo")
from desktop_app.cli import main
code = main(["summarize", "--json", sys.argv[1]])
print("ATTEMPTS", json.dumps(attempts))
sys.exit(code)
"""


def test_scan_summary_runs_with_every_connection_refused():
    sample = ROOT / "resources" / "samples" / "zh_outpatient_note_scan.jpg"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(sample)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[0])
    assert result["summary"]["chief_complaint"]["text"] == "右下腹痛并自扪及包块3小时。"
    assert "ATTEMPTS []" in done.stdout
