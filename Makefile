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
	$(BIN)/python -m pip install --quiet -e '.[test,synapse]'
	touch $(STAMP)

install: $(STAMP)

# The pre-holiday continuity drill, end to end on the sandbox (started if it is not running,
# stopped afterwards if the drill started it), then the readiness review of that drill.
# --force: on the sandbox, the plan's blackout windows (class hours at the lycée) disturb
# nobody. A drill whose expectations are not all met (exit 1) is still a demo that ran; an
# invalid plan (2), a refusal (3) or a stopped drill (4) is not (docs/exit-codes.md).
demo: install
	mkdir -p .entdrill
	$(BIN)/entdrill drill run --force drills/pre_holiday.yaml || test $$? -eq 1
	$(BIN)/entdrill review --drill "$$($(BIN)/entdrill drill list --last 1 -q)" --out .entdrill/review.html
	@echo "review: .entdrill/review.html"

lint: install
	$(BIN)/ruff check --no-cache src actions tests bench
	$(BIN)/ruff format --check src actions tests bench

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: lint typecheck unit

clean:
	-$(BIN)/entdrill sandbox down 2>/dev/null
	rm -rf $(VENV) .entdrill .pytest_cache .mypy_cache .ruff_cache
