#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite (unit, integration on SQLite and
# PostgreSQL, web, flows, browser, end to end). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false \
       PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=90 \
       PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW=ignore
exec .venv/bin/python -m pytest "$@"
