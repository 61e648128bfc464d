#!/usr/bin/env bash
# The test suite's environment, in one place: `make test` calls this, and so can a developer for a subset
# (scripts/pytest.sh tests/core -x). TEST_DATABASE_URL picks the database (SQLite in var/ by default);
# PYTEST (default .venv/bin/pytest) picks the runner.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p var
export DATABASE_URL="${TEST_DATABASE_URL:-sqlite:///$PWD/var/test.sqlite3}"
# Two-factor is required in production; the tests that need it switch it on (tests/core/test_twofactor.py).
export DEBUG=0 SAMHANDLING_INSECURE_DEV_KEY=1 SAMHANDLING_STRICT_PERMISSIONS=1 USE_TLS=0 SAMHANDLING_REQUIRE_2FA=0
export TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
export WHITENOISE_USE_FINDERS=1 STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage
exec "${PYTEST:-.venv/bin/pytest}" "$@"
