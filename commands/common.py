"""What every command shares: settings, the database, the clock, errors → exit codes, output."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import fields, is_dataclass
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from config.loader import CampaignFileError
from config.settings import Settings, load_settings
from models.db import make_engine
from notify.masking import LinkTokenFilter, SecretMaskingFilter, env_secrets
from rules.errors import DomainError, InvalidInput
from services.campaigns import config_error
from services.uow import Database

#: options most commands share (one definition, one wording)
CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="活动编号（只有一个活动时可省略）")]
NowOpt = Annotated[str | None, typer.Option("--now", help="当前时间（ISO 8601），默认真实时钟")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON")]

log = logging.getLogger("chuangwei.cli")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")


class Context:
    """Settings and a lazily built database for one command invocation."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._db: Database | None = None

    @classmethod
    def from_environment(cls) -> Context:
        """Settings read from the environment, and the log file set up."""
        settings = load_settings()
        setup_logging(settings)
        return cls(settings)

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = Database(make_engine(self.settings.resolved_database_url()))
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


#: the running command's Context: set by ``handles_errors`` for one invocation, then reset
_current: ContextVar[Context | None] = ContextVar("cw_command_context", default=None)


def context() -> Context:
    """The running command's context (one per invocation, made by ``handles_errors``)."""
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("context() is only available inside a command wrapped by @handles_errors")
    return ctx


def setup_logging(settings: Settings) -> None:
    """English detail to ``<data_dir>/logs/cw.log``; users see Chinese messages on the console."""
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger("chuangwei")
    if root.handlers:
        return
    handler = logging.FileHandler(settings.log_dir / "cw.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    # the configured credentials themselves, wherever a line holds them (not a guess by parameter name)
    handler.addFilter(SecretMaskingFilter(env_secrets(os.environ)))
    handler.addFilter(LinkTokenFilter())
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    root.propagate = False  # the console is for Chinese messages; Prefect configures the root logger


def parse_now(value: str | None) -> dt.datetime:
    """``--now``: an ISO 8601 time (naive means Asia/Shanghai); default the real clock."""
    if not value:
        return dt.datetime.now(dt.UTC)
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--now 的时间格式不正确：{value}（示例：2025-05-01T00:05:00+08:00）") from None
    return t if t.tzinfo else t.replace(tzinfo=DEFAULT_TZ)


def fail(error: DomainError) -> NoReturn:
    err.print(f"[bold red]错误：[/]{error.message}", highlight=False)
    for d in error.details:
        err.print(f"  - {d}", highlight=False)
    log.warning("%s: %s | %s", type(error).__name__, error.log_detail or error.message, error.details[:20])
    raise typer.Exit(error.exit_code)


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Run the command with its own Context; map domain errors to their exit code and print them
    in Chinese; log everything else."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx = Context.from_environment()
        token = _current.set(ctx)
        try:
            return fn(*args, **kwargs)
        except CampaignFileError as e:
            fail(config_error(e))
        except DomainError as e:
            fail(e)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception:
            log.exception("unexpected error in %s", fn.__name__)
            logfile = ctx.settings.log_dir / "cw.log"
            err.print(f"[bold red]内部错误：[/]{sys.exc_info()[1]!r}。详细信息见日志 {logfile}", highlight=False)
            raise typer.Exit(1) from None
        finally:
            _current.reset(token)
            ctx.close()

    return wrapper


def print_json(data: Any) -> None:
    """Machine-readable output: one JSON document on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def json_ready(value: Any) -> Any:
    """A read service's result for ``print_json``: dataclasses as dicts by field name, datetimes in ISO 8601."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_ready(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    return value.isoformat() if isinstance(value, dt.datetime) else value
