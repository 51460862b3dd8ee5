# lakelab: `make demo` and `make test` each do all of their own setup on a fresh clone.
PYTHON ?= python3
VENV := .venv
DBT_VENV := .venv-dbt
AIRFLOW_VENV := .venv-airflow
DBT_SPARK_VENV := .venv-dbt-spark
BIN := $(VENV)/bin

.PHONY: setup demo test lint typecheck unit clean

setup: $(VENV)/.installed $(DBT_VENV)/.installed $(DBT_SPARK_VENV)/.installed $(AIRFLOW_VENV)/.installed \
	node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(DBT_VENV)/.installed: workloads/dbt/requirements.txt
	$(PYTHON) -m venv $(DBT_VENV)
	$(DBT_VENV)/bin/pip install --quiet -r workloads/dbt/requirements.txt
	touch $@

# dbt-spark with PySpark, for the Synapse dbt step's target on local Spark (the pool's adapter).
$(DBT_SPARK_VENV)/.installed: workloads/dbt/requirements-spark.txt
	$(PYTHON) -m venv $(DBT_SPARK_VENV)
	$(DBT_SPARK_VENV)/bin/pip install --quiet -r workloads/dbt/requirements-spark.txt
	touch $@

# Airflow 3 has a venv of its own: it brings its own typer, click and SQLAlchemy, and lakelab
# must not depend on it (the DAG calls `lakelab pipeline step`). Plain pip resolves it; the
# upstream constraints files are not needed.
$(AIRFLOW_VENV)/.installed: workloads/airflow/requirements.txt
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/pip install --quiet --upgrade pip
	$(AIRFLOW_VENV)/bin/pip install --quiet -r workloads/airflow/requirements.txt
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
	rm -rf $(VENV) $(DBT_VENV) $(DBT_SPARK_VENV) $(AIRFLOW_VENV) node_modules .mypy_cache .pytest_cache
