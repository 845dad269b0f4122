# The two commands: `make run` and `make test`. Both create .venv and install what they need.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# First Python >= 3.11 on PATH (override: make PYTHON=python3.12 ...).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& echo $$p && break; done)
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test bench lint clean mutation

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python >= 3.11 is required (e.g. apt-get install python3.11 python3.11-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtualenv: install the venv module (Debian/Ubuntu: apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	@$(BIN)/python scripts/check_qt.py
	$(BIN)/station db upgrade
	$(BIN)/station demo seed --if-empty
	$(BIN)/station gui --simulate

test: $(STAMP_DEV)
	@$(BIN)/python scripts/check_qt.py --offscreen
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n auto

bench: $(STAMP_DEV)
	$(BIN)/python bench/bench_rules.py
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/bench_decode.py
	$(BIN)/python bench/bench_daily.py
	$(BIN)/python bench/bench_labels.py
	$(BIN)/python bench/bench_report.py
	$(BIN)/python bench/bench_sync.py
	$(BIN)/python bench/bench_ui.py

# Mutation testing of the invariants ([tool.mutmut] in pyproject.toml); long: not part of `make test`.
mutation: $(STAMP_DEV)
	$(BIN)/python scripts/mutation.py

lint: $(STAMP_DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache mutants
