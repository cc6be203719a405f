"""``cw deployments yaml``: write prefect.yaml for a Prefect server with workers."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from flows.deploy_yaml import POOL, prefect_yaml

deploy_app = typer.Typer(help="Prefect 部署", no_args_is_help=True)


@deploy_app.command("yaml")
def deployments_yaml(
    campaign: Annotated[list[str] | None, typer.Option("--campaign", help="为这些活动各建一套部署（可多次）；省略则一套部署服务所有活动")] = None,
    pool: Annotated[str, typer.Option("--pool", help="工作池名称")] = POOL,
) -> None:
    """输出 prefect.yaml（每个流程一个部署，计划、并发上限、工作池）。"""
    sys.stdout.write(prefect_yaml(campaign or None, pool))
