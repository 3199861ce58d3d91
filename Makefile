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

.PHONY: install demo test check lint typecheck screenshots unit bench bench-5gb bench-scheduler bench-integrate airflow clean browser reader

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The locked environment (uv.lock), the project installed editable. Bytecode is compiled once
# here (the Dockerfile does the same): an interpreter that finds no .pyc compiles every module it
# imports, ~6 s of CPU for Airflow and Great Expectations in each task and CLI process, and
# PYTHONDONTWRITEBYTECODE (set on many machines and images) keeps it from caching the result.
# The C token loop is compiled into the source tree by the project's build (hatch_build.py); uv
# reuses a cached build of an unchanged project, so a checkout without it asks for a rebuild.
install: $(UV)
	$(UV) sync --locked --compile-bytecode --python $(PYTHON) \
		$(if $(wildcard etl/protect/_hmac.*.so),,--reinstall-package pubdata)
	$(BIN)/python -m compileall -q etl dags plugins deploy/airflow

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

# Every tier, two workers (one per core; a test file stays on one worker, so its module
# fixtures and servers are shared as written), the slowest tests listed at the end.
test: lint typecheck browser
	$(BIN)/pytest -n 2 --dist loadfile --durations=25

# The quick loop: lint, types and the tests that need no Airflow run, server or browser.
check: lint typecheck
	$(BIN)/pytest -n 2 -m "not integration and not e2e and not slow" --durations=10

# Refresh the README's screenshots in docs/img/ from the browser test (the only writer of them).
screenshots: install browser
	PUBDATA_SCREENSHOTS=$(abspath docs/img) $(BIN)/pytest tests/e2e

unit: install
	$(BIN)/pytest tests/unit -m "not slow"

# The embedded Airflow (api-server, scheduler, dag-processor, triggerer) on http://localhost:8080
# over the demo lake; the admin password is printed on first start and kept in
# .pubdata/airflow/simple_auth_manager_passwords.json.generated.
airflow: install
	eval "$$($(BIN)/pubdata env)" && PATH="$(abspath $(BIN)):$$PATH" airflow standalone

bench: install
	$(BIN)/python bench/parse_dags.py
	$(BIN)/python bench/ingest.py

# The memory case of issue #4: a 5 GB register (19.5M rows) end to end, peak RSS against 2 GB.
# Many small datasets through the DAG runner and a LocalExecutor deployment (issue #16).
bench-scheduler: install
	$(BIN)/python bench/scheduler.py

bench-5gb: install
	$(BIN)/python bench/ingest.py --gb 5 --floor-runs 1 --e2e-runs 1

# The population repository (issue #13): three contributors of 1M rows each, a full build and a
# 1% incremental update, against the pyarrow floor measured in the same run.
bench-integrate: install
	$(BIN)/python bench/integrate.py

# The reader on its own (docs/reading.md): dist/pubdata_reader-<version>-py3-none-any.whl, built
# offline by the locked hatchling from the repository's own modules (packages/pubdata-reader).
reader: install
	cd packages/pubdata-reader && $(abspath $(BIN))/hatchling build -t wheel -d $(abspath dist)

clean:
	rm -rf .pubdata
