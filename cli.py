"""The ``cw`` command: parse → service → print. Groups live in ``commands/``."""

from __future__ import annotations

import typer

from commands import data

app = typer.Typer(name="cw", help="创卫活动引擎（chuangwei）：时段、任务、督查、督办、通知、地图与简报。",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.command("init")(data.init)
app.command("check")(data.check)
app.command("status")(data.status)
app.add_typer(data.import_app, name="import")
app.add_typer(data.export_app, name="export")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
