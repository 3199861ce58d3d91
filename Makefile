# Two commands for people: `make demo` and `make test`. Both install everything they need
# from the lock file on a machine that has only Python 3.11 and make.

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install demo test lint typecheck unit dags integration bench airflow clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The locked environment (uv.lock), the project installed editable.
install: $(UV)
	$(UV) sync --locked --python $(PYTHON)

# Run every sample dataset's DAG for the demo date through Airflow, then print the catalog.
demo: install
	$(BIN)/pubdata demo

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit

# The embedded Airflow (api-server, scheduler, dag-processor, triggerer) on http://localhost:8080
# over the demo lake; the admin password is printed on first start and kept in
# .pubdata/airflow/simple_auth_manager_passwords.json.generated.
airflow: install
	eval "$$($(BIN)/pubdata env)" && PATH="$(abspath $(BIN)):$$PATH" airflow standalone

bench: install
	$(BIN)/python bench/parse_dags.py

clean:
	rm -rf .pubdata
