"""The committed prefect.yaml is exactly what ``cw deployments yaml`` generates from the registry."""

from __future__ import annotations

from pathlib import Path

import yaml

from flows.deploy_yaml import prefect_yaml
from flows.registry import FLOWS

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_prefect_yaml_is_current():
    assert (ROOT / "prefect.yaml").read_text(encoding="utf-8") == prefect_yaml()


def test_every_flow_has_a_deployment_with_one_run_at_a_time_on_the_process_pool():
    doc = yaml.safe_load(prefect_yaml(["a-county", "b-county"]))
    names = {d["name"] for d in doc["deployments"]}
    assert names == {f"{f.name}-{c}" for f in FLOWS for c in ("a-county", "b-county")}
    for d in doc["deployments"]:
        assert d["concurrency_limit"]["limit"] == 1 and d["work_pool"]["name"] == "chuangwei"
        assert d["parameters"]["campaign"] in ("a-county", "b-county")
        assert (ROOT / d["entrypoint"].split(":")[0]).is_file()
