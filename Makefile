# Two entry points for a fresh machine: `make run` and `make test`.
# Both create or refresh .venv/ from pyproject.toml and install what they need.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench system-deps clean installer

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:
	bash scripts/ensure-system-deps.sh

run: $(STAMP) system-deps
	bash scripts/run-local.sh

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The Linux application bundle: dist/reeldrop/ and dist/reeldrop-linux-x86_64.tar.gz.
installer: $(STAMP)
	bash installer/build-linux.sh

$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

# Not part of `make test`: BENCH_QUICK=1 for a smoke run, BENCH_SIZES_MB / BENCH_REPEATS to size it.
bench: $(VENV)/.bench-installed system-deps
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
