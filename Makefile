# Granite Dictate — two commands for a fresh machine: `make run` and `make test`.
# Both create or refresh .venv at the repo root from requirements/lock.txt (a universal lock:
# mlx with Metal on macOS, mlx[cpu] on Linux, chosen by environment markers).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
LOCK := requirements/lock.txt

# Python 3.12+ (PySide6 6.12 on 3.11 aborts after a few hundred Signal.emit calls).
# Development machines here carry pyenv's 3.12.1; elsewhere the first python3.12+ on PATH.
ifneq ($(wildcard $(HOME)/.pyenv/versions/3.12.1/bin/python3.12),)
BOOT_PYTHON ?= $(HOME)/.pyenv/versions/3.12.1/bin/python3.12
else
BOOT_PYTHON ?= $(shell for p in python3.13 python3.12; do command -v $$p && break; done)
endif

.PHONY: run test lint typecheck pytest venv lock bench screenshot tiny-model clean

$(VENV)/.stamp: $(LOCK) pyproject.toml
	@test -n "$(BOOT_PYTHON)" || { echo "Python 3.12 or newer is required (python3.12 not found)."; exit 1; }
	@test -x $(PY) || $(BOOT_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip sync --quiet --python $(PY) $(LOCK)
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	@touch $@

venv: $(VENV)/.stamp

run: venv
	$(PY) -m app

lint: venv
	$(VENV)/bin/ruff check app tests
	$(VENV)/bin/ruff format --check app tests
	$(VENV)/bin/lint-imports

typecheck: venv
	$(VENV)/bin/mypy

pytest: venv
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# Regenerate the lock after changing dependencies in pyproject.toml.
lock: venv
	$(VENV)/bin/uv pip compile --quiet --universal --python-version 3.12 --extra dev \
		pyproject.toml -o $(LOCK)

tiny-model: venv
	$(PY) -m tests.support.tiny_model build/tiny-model

bench: venv
	$(PY) tests/bench/run_all.py

# Render the main window with sample content to the README screenshot.
screenshot: venv
	QT_QPA_PLATFORM=offscreen $(PY) -m app.ui.screenshot resources/screenshot.png

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
