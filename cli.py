"""The ``cw`` command: parse → service → print. Groups live in ``commands/``."""

from __future__ import annotations

import typer

from commands import (
    assess,
    brief,
    data,
    deploy,
    escalation,
    inspections,
    notify,
    ops,
    rehearsal,
    report,
    runs,
    standard,
    survey,
    tasks,
    users,
    web,
)
from commands import open311 as open311_commands
from demo import command as demo

app = typer.Typer(name="cw", help="创卫活动引擎（chuangwei）：时段、任务、督查、督办、通知、地图与简报。",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.command("init")(data.init)
app.command("check")(data.check)
app.command("status")(data.status)
app.command("run")(runs.run)
app.command("serve")(runs.serve)
app.command("doctor")(ops.doctor)
app.command("demo")(demo.demo)
app.add_typer(ops.db_app, name="db")
app.add_typer(deploy.deploy_app, name="deployments")
app.add_typer(data.import_app, name="import")
app.add_typer(data.export_app, name="export")
app.add_typer(tasks.task_app, name="task")
app.add_typer(runs.phase_app, name="phase")
app.add_typer(users.users_app, name="users")
app.command("web")(web.web)
app.add_typer(brief.brief_app, name="brief")
app.add_typer(report.report_app, name="report")
app.add_typer(assess.assess_app, name="assess")
app.add_typer(notify.notify_app, name="notify")
escalation.register(app)  # problem, extension, sanctions
inspections.register(app)  # inspections, findings, complaints, ledger, import places
open311_commands.register(app)  # open311 keys
app.add_typer(standard.standard_app, name="standard")
app.add_typer(rehearsal.rehearsal_app, name="rehearsal")
app.add_typer(survey.survey_app, name="survey")


def main() -> None:
    from config.prefect_env import configure_prefect_env
    from config.settings import load_settings

    configure_prefect_env(load_settings().data_dir)
    app()


if __name__ == "__main__":
    main()
