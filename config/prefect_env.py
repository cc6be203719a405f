"""Prefect settings the program chooses for its users; set before Prefect is imported."""

from __future__ import annotations

import os
from pathlib import Path

#: where ``cw serve`` starts Prefect's own server when PREFECT_API_URL is not set
DEFAULT_PREFECT_PORT = 4200
DEFAULT_PREFECT_API = f"http://127.0.0.1:{DEFAULT_PREFECT_PORT}/api"

#: a cold Prefect server takes 9–15 s to start on a 2-core machine; the default (20 s) flakes
STARTUP_TIMEOUT_S = "90"


def configure_prefect_env(data_dir: Path) -> None:
    """Prefect's home under the data dir, generous start-up timeouts, no telemetry.

    Values the user already set in the environment win (``setdefault``).
    """
    home = (Path(data_dir) / "prefect").resolve()
    home.mkdir(parents=True, exist_ok=True)
    defaults = {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": STARTUP_TIMEOUT_S,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
        "PREFECT_UI_ENABLED": os.environ.get("PREFECT_UI_ENABLED", "true"),
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def heartbeats_off():
    """A context manager turning flow-run heartbeats off (env vars cannot say None)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})
