# entdrill: `make demo` runs the main job on the embedded sandbox; `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck unit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's metadata changes.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	mkdir -p .entdrill
	$(BIN)/chaos --log-file .entdrill/chaostoolkit.log run --journal-path .entdrill/journal-smoke.json experiments/smoke.json

lint: install
	$(BIN)/ruff check src actions tests bench
	$(BIN)/ruff format --check src actions tests bench

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: lint typecheck unit

clean:
	-$(BIN)/entdrill sandbox down 2>/dev/null
	rm -rf $(VENV) .entdrill .pytest_cache .mypy_cache .ruff_cache
