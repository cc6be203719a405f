"""``cw web``: the web app (pages and JSON API) under uvicorn; defaults from settings."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.common import context, handles_errors, out


@handles_errors
def web(host: Annotated[str | None, typer.Option("--host", help="监听地址（默认 CW_WEB_HOST）")] = None,
        port: Annotated[int | None, typer.Option("--port", help="端口（默认 CW_WEB_PORT）")] = None,
        workers: Annotated[int, typer.Option("--workers", help="工作进程数（PostgreSQL 时可设为 CPU 核数）")] = 1) -> None:
    """启动网页服务：手机打卡页面、核查页面和 JSON 接口（/docs）。"""
    import uvicorn

    settings = context().settings
    host, port = host or settings.web_host, port or settings.web_port
    out.print(f"网页服务：http://{host}:{port}/   接口文档：http://{host}:{port}/docs")
    if workers > 1:  # one socket per process: the kernel spreads connections evenly (web.workers)
        from web.workers import serve

        raise typer.Exit(serve("web.app:app_from_env", host=host, port=port, workers=workers,
                               log_level=settings.log_level.lower(), proxy_headers=True))
    from web.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level.lower(), proxy_headers=True)
