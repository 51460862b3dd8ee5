# lakelab: `make demo` and `make test` each do all of their own setup on a fresh clone.
PYTHON ?= python3
VENV := .venv
DBT_VENV := .venv-dbt
BIN := $(VENV)/bin

.PHONY: setup demo test lint typecheck unit clean

setup: $(VENV)/.installed $(DBT_VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(DBT_VENV)/.installed: workloads/dbt/requirements.txt
	$(PYTHON) -m venv $(DBT_VENV)
	$(DBT_VENV)/bin/pip install --quiet -r workloads/dbt/requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/python scripts/demo.py

lint: setup
	$(BIN)/ruff check infra lakelab policies localcloud workloads/spark labs scripts tests
	$(BIN)/ruff format --check infra lakelab policies localcloud workloads/spark labs scripts tests

typecheck: setup
	$(BIN)/mypy infra lakelab policies localcloud

unit: setup
	$(BIN)/pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) $(DBT_VENV) node_modules .mypy_cache .pytest_cache
