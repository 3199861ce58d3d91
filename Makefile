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

.PHONY: install demo test lint typecheck unit dags integration bench bench-5gb airflow clean browser

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
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

# Debian's chromium and a CJK font for the browser tests (tests/e2e, Playwright drives
# /usr/bin/chromium); nothing downloads a browser. Installed once, with apt-get (as root).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wqy; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-zenhei; \
	fi

test: lint typecheck browser
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
	$(BIN)/python bench/ingest.py

# The memory case of issue #4: a 5 GB register (19.5M rows) end to end, peak RSS against 2 GB.
bench-5gb: install
	$(BIN)/python bench/ingest.py --gb 5 --floor-runs 1 --e2e-runs 1

clean:
	rm -rf .pubdata
