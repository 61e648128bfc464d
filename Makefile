# Samhandling — the two commands that matter are `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEV_STAMP := $(VENV)/.dev-installed
RUN_STAMP := $(VENV)/.run-installed
export DEBUG ?= 1
HOST ?= 127.0.0.1
# make test runs the suite in this many processes (pytest-xdist; each has its own test database).
TEST_PROCESSES ?= 2
PORT ?= 8000

.DEFAULT_GOAL := help

help: ## List the make targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.lock pyproject.toml | $(PY)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(DEV_STAMP): requirements-dev.lock pyproject.toml | $(PY)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP) ## Create .venv with the locked runtime dependencies

install-dev: $(DEV_STAMP) ## Create .venv with runtime and test dependencies

migrate: $(RUN_STAMP) ## Create or update the database (SQLite in var/ unless DATABASE_URL is set)
	@mkdir -p var
	$(PY) manage.py migrate --no-input

reference-data: migrate ## Load the public reference data (idempotent)
	$(PY) manage.py load_reference_data

demo: reference-data ## Demo data for Vestfold: invented people, deviations, meetings, synthetic indicators, a projection, events, a newsletter, an action plan, agreements and a consultation
	$(PY) manage.py demo --with-cases
	$(PY) manage.py demo_governance
	$(PY) manage.py demo_indicators
	$(PY) manage.py demo_projections
	$(PY) manage.py demo_news
	$(PY) manage.py demo_plans
	$(PY) manage.py demo_agreements

# The demo runs as production would show it (DEBUG off: the product's own 404 and 500 pages, not Django's debug
# pages), with the few conveniences a laptop needs: the derived key, plain http, e-mail printed to the console,
# static files straight from the source folders, and the "this is a demo" notice.
DEMO_ENV := DEBUG=0 SAMHANDLING_INSECURE_DEV_KEY=1 USE_TLS=0 SAMHANDLING_DEMO_NOTICE=1 SAMHANDLING_REQUIRE_2FA=0 \
	EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend WHITENOISE_USE_FINDERS=1 \
	STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage SAMHANDLING_BASE_URL=http://$(HOST):$(PORT)

run: demo ## Demo data, a task worker and the web server on http://127.0.0.1:8000 (SQLite, DEBUG off)
	@$(DEMO_ENV) $(PY) manage.py samhandling_worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

worker: migrate ## Run a background task worker (imports, indicator runs, e-mail, webhooks, reminders, periodic jobs)
	$(PY) manage.py samhandling_worker

test: $(DEV_STAMP) ## Run the whole test suite, browser tests included (TEST_DATABASE_URL picks the database)
	@scripts/ensure_test_tools.sh
	PYTEST=$(BIN)/pytest scripts/pytest.sh -n $(TEST_PROCESSES) --durations=25 $(PYTEST_ARGS)

STRICT_MODULES := samhandling/core/workflow.py samhandling/core/queue.py samhandling/core/disclosure.py \
	samhandling/core/http.py samhandling/core/permissions.py samhandling/core/navigation.py

typecheck: $(DEV_STAMP) ## mypy (strict on core's shared mechanisms) and docs/permissions.md up to date
	DEBUG=1 $(BIN)/mypy $(STRICT_MODULES)
	DEBUG=1 $(PY) manage.py permissions_doc --check

check: typecheck ## Before a commit: ruff, typecheck, and the fast tests (all but the browser and Spark tests)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTEST=$(BIN)/pytest scripts/pytest.sh -q --ignore=tests/e2e --ignore=tests/indicators/test_engine_spark.py --ignore=tests/projections/test_engine_spark.py $(PYTEST_ARGS)

lint: $(DEV_STAMP) ## Ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP) ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(DEV_STAMP) ## Extract translatable strings into locale/nb and locale/nn, then compile them
	cd samhandling && ../$(PY) ../manage.py makemessages -l nb -l nn --no-obsolete --add-location file
	cd samhandling && ../$(PY) ../manage.py compilemessages -l nb -l nn

vendor: ## Refresh the committed front-end files under samhandling/static/vendor (needs Node and npm)
	scripts/vendor_assets.sh

lock: $(DEV_STAMP) ## Re-resolve requirements.lock and requirements-dev.lock from pyproject.toml
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml -p 3.11 -q -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev -p 3.11 -q -o requirements-dev.lock

bench: $(DEV_STAMP) ## Load benchmark: gunicorn on loopback, prints requests/s and p50/p95 per page
	$(PY) bench/load_pages.py

bench-indicators: $(DEV_STAMP) ## Indicator engine vs hand-written SQL and pandas at national scale (BENCH_SCALE=1.0)
	$(PY) bench/indicators.py --scale $${BENCH_SCALE:-1.0}

clean: ## Remove the virtual environment and local databases
	rm -rf $(VENV) var

.PHONY: help install install-dev migrate reference-data demo run worker test typecheck check lint format messages vendor lock bench clean
