#!/usr/bin/env bash
# Build the one-folder app into dist/emr-assist/ (not part of CI: it takes a few minutes).
#
#   installer/build.sh                 # uses python3 from PATH; BUILD_VENV=.venv-build by default
#   PYTHON=python3.11 installer/build.sh
#
# A separate virtual environment holds PyInstaller and the project with its GUI extra only, so no
# model library (torch, transformers) can end up in the bundle. Then the built app is smoke-tested:
# `--help`, and a summary of a bundled sample scan with the embedded engines.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_VENV=${BUILD_VENV:-.venv-build}
PYTHON=${PYTHON:-python3}
PY="$BUILD_VENV/bin/python"

if [ ! -x "$PY" ]; then
  "$PYTHON" -m venv "$BUILD_VENV"
  "$PY" -m pip install -q --upgrade pip
fi
"$PY" -m pip install -q 'pyinstaller>=6.10,<7' '.[gui]'
# rapidocr depends on opencv-python, which carries its own Qt 5 and video libraries; the headless
# build is the same cv2 without them (a smaller bundle, and no second Qt beside PySide6).
if "$PY" -m pip show -q opencv-python >/dev/null 2>&1; then
  CV_VERSION=$("$PY" -c "import importlib.metadata as m; print(m.version('opencv-python'))")
  "$PY" -m pip uninstall -q -y opencv-python opencv-python-headless
  "$PY" -m pip install -q "opencv-python-headless==$CV_VERSION"
fi
if "$PY" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)"; then
  echo "build.sh: torch is installed in $BUILD_VENV; the bundle must not contain it. Remove $BUILD_VENV." >&2
  exit 1
fi

# Compiled translations (.qm) from the .ts sources.
for ts in resources/i18n/*.ts; do
  "$BUILD_VENV/bin/pyside6-lrelease" "$ts" -qm "${ts%.ts}.qm" >/dev/null
done

rm -rf dist/emr-assist
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
  installer/emr_assist.spec

# Smoke test of the built app (offscreen: no display needed).
export QT_QPA_PLATFORM=offscreen
dist/emr-assist/emr-assist --help >/dev/null
dist/emr-assist/emr-assist summarize resources/samples/en_progress_note_scan.jpg
du -sh dist/emr-assist
echo "built dist/emr-assist (Linux: see installer/emr-assist.desktop; Windows: iscc installer/emr_assist.iss)"
