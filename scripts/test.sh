#!/usr/bin/env bash
# Sets everything up, runs the static gates (ruff, mypy, import-linter: any finding fails the
# build), then the whole test suite (unit, integration on SQLite and PostgreSQL, web, flows,
# browser, end to end). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> ruff"
.venv/bin/ruff check --no-cache .
echo "==> mypy"
.venv/bin/mypy
echo "==> import-linter"
.venv/bin/lint-imports --no-cache
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false \
       PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=90 \
       PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW=ignore
exec .venv/bin/python -m pytest "$@"
