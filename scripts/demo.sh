#!/usr/bin/env bash
# Sets everything up, then runs the main job on the bundled example campaign.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false
if .venv/bin/cw demo --help >/dev/null 2>&1; then
  exec .venv/bin/cw demo "$@"
fi
.venv/bin/cw init --config config/examples/demo_county
exec .venv/bin/cw status
