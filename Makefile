# `make run` and `make test` each build .venv when it is missing, then do everything else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint openapi bench load install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files make re-installs happen only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/signpost init-db
	$(BIN)/signpost seed --demo
	$(BIN)/signpost run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

openapi: install
	$(BIN)/signpost openapi write

# Search at 10,000 and 50,000 synthetic services: prints build time and p50/p95/p99 per query class.
bench: install-dev
	$(BIN)/python -m bench.search

# `signpost serve` (2 workers) at 50,000 synthetic services under 16 clients for 60 s of mixed
# search / triage / service reads, then /health: prints req/s, p50/p95/p99 and errors.
# LOAD_ARGS="--database-url postgresql+psycopg://..." for PostgreSQL.
load: install-dev
	$(BIN)/python -m bench.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) instance build *.egg-info
