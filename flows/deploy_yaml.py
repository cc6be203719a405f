"""``prefect.yaml`` for a Prefect server with a process work pool, generated from the registry.

Without campaigns, one deployment per flow serves every campaign in the database; with
campaigns, each gets its own deployments and schedules (several counties side by side).
"""

from __future__ import annotations

import yaml

from flows.registry import FLOWS

POOL = "chuangwei"
TIMEZONE = "Asia/Shanghai"
HEADER = """\
# Prefect deployments of every chuangwei flow (generated: cw deployments yaml > prefect.yaml).
# On each worker machine the code is checked out at $CW_PROJECT_DIR with its .venv, and the
# worker runs with the same CW_* settings as the web app:
#   prefect work-pool create chuangwei --type process
#   prefect worker start --pool chuangwei --limit 2
#   prefect --no-prompt deploy --all
"""


def deployments(campaigns: list[str] | None = None, pool: str = POOL) -> list[dict]:
    out = []
    codes: list[str | None] = [*campaigns] if campaigns else [None]
    for code in codes:
        for entry in FLOWS:
            out.append({
                "name": entry.name if code is None else f"{entry.name}-{code}",
                "description": entry.description,
                "entrypoint": entry.entrypoint,
                "parameters": {"campaign": code},
                "schedules": [{"cron": entry.cron, "timezone": TIMEZONE}],
                "concurrency_limit": {"limit": 1, "collision_strategy": "CANCEL_NEW"},
                "work_pool": {"name": pool, "work_queue_name": "default"},
                "tags": ["chuangwei"] + ([code] if code else []),
            })
    return out


def prefect_yaml(campaigns: list[str] | None = None, pool: str = POOL) -> str:
    """The text of prefect.yaml."""
    doc = {
        "name": "chuangwei",
        "prefect-version": "3.8.8",
        "build": None,
        "push": None,
        "pull": [{"prefect.deployments.steps.set_working_directory": {"directory": "{{ $CW_PROJECT_DIR }}"}}],
        "deployments": deployments(campaigns, pool),
    }
    return HEADER + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
