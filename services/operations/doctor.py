"""``cw doctor``: check the configured setup without changing or sending anything."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from sqlalchemy import Engine, select, text

from config.campaign import CampaignFile
from config.prefect_env import DEFAULT_PREFECT_API
from models import Campaign
from services import schema
from services.campaigns.context import load_context
from services.campaigns.working_calendar import WARN_DAYS, uncovered_years
from services.operations.schedule_health import read_schedules

OK, NOTE, ERROR = "正常", "提示", "错误"


@dataclass
class Finding:
    level: str
    subject: str
    message: str


@dataclass
class DoctorReport:
    findings: list[Finding] = field(default_factory=list)

    def add(self, level: str, subject: str, message: str) -> None:
        self.findings.append(Finding(level, subject, message))

    @property
    def broken(self) -> bool:
        return any(f.level == ERROR for f in self.findings)


def check_database(engine: Engine, report: DoctorReport) -> bool:
    try:
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
    except Exception as e:  # noqa: BLE001 — any driver error means the database is unusable
        report.add(ERROR, "数据库", f"无法连接 {engine.url.render_as_string(hide_password=True)}：{e.__class__.__name__}")
        return False
    current, head = schema.current_revision(engine), schema.head_revision(engine)
    if current != head:
        report.add(ERROR, "数据库", f"结构版本 {current or '（空库）'}，最新为 {head}：请运行 cw init 升级")
        return False
    report.add(OK, "数据库", f"{engine.dialect.name}，结构版本 {head}")
    return True


def check_campaigns(engine: Engine, report: DoctorReport, now: dt.datetime) -> None:
    with engine.connect() as c:
        from sqlalchemy.orm import Session

        with Session(bind=c) as s:
            campaigns = list(s.scalars(select(Campaign).order_by(Campaign.code)))
            if not campaigns:
                report.add(NOTE, "活动", "数据库中还没有活动（cw init --config …）")
            for camp in campaigns:  # one context per campaign: the doctor's unit of work spans them all
                ctx = load_context(s, campaign=camp)
                spec = ctx.spec
                today = now.astimezone(ctx.calendar.tz).date()
                for year in uncovered_years(spec):
                    days = (dt.date(year, 1, 1) - today).days
                    level = ERROR if days <= WARN_DAYS else NOTE
                    report.add(level, f"工作日历（{camp.code}）", f"缺少 {year} 年节假日数据（{max(days, 0)} 天后需要）")
                if not uncovered_years(spec):
                    report.add(OK, f"工作日历（{camp.code}）", "活动期间的节假日数据齐全")
                check_targets(camp.code, spec, report)


def check_targets(code: str, spec: CampaignFile, report: DoctorReport) -> None:
    """Every target's environment variables are set and its URL looks right (nothing is sent)."""
    targets = spec.notifications.targets
    if not targets:
        report.add(NOTE, f"通知目标（{code}）", "未配置通知目标")
        return
    for t in targets:
        missing = [v for v in (t.url_env, t.secret_env) if v and not os.environ.get(v)]
        url = os.environ.get(t.url_env, "") if t.url_env else (t.url or "")
        if missing:
            report.add(NOTE, f"通知目标 {t.name}", f"环境变量 {'、'.join(missing)} 未设置：发往该目标的消息将进入死信")
        elif t.channel != "email" and url and not url.startswith(("http://", "https://")):
            report.add(ERROR, f"通知目标 {t.name}", "地址不是 http(s) 网址")
        else:
            report.add(OK, f"通知目标 {t.name}", f"{t.channel} 已配置")


def check_prefect(report: DoctorReport, now: dt.datetime) -> None:
    """The Prefect server answers, and its scheduler makes runs for the served deployments."""
    import httpx

    url = os.environ.get("PREFECT_API_URL") or ""
    if not url:
        try:
            httpx.get(f"{DEFAULT_PREFECT_API}/health", timeout=2)
        except httpx.HTTPError:
            report.add(NOTE, "Prefect", "未设置 PREFECT_API_URL，本机也没有运行中的 cw serve：cw serve 会自行启动 Prefect 服务器")
            return
        url = DEFAULT_PREFECT_API
    try:
        ok = httpx.get(url.rstrip("/") + "/health", timeout=5).status_code == 200
    except httpx.HTTPError as e:
        report.add(ERROR, "Prefect", f"无法连接 {url}：{e.__class__.__name__}")
        return
    report.add(OK if ok else ERROR, "Prefect", f"{url} {'正常' if ok else '健康检查失败'}")
    if ok:
        check_schedules(url, report, now)


def check_schedules(url: str, report: DoctorReport, now: dt.datetime) -> None:
    import httpx

    try:
        schedules = read_schedules(url, now=now)
    except httpx.HTTPError as e:
        report.add(ERROR, "Prefect 计划", f"无法读取部署和运行记录：{e.__class__.__name__}")
        return
    if not schedules.deployments:
        report.add(NOTE, "Prefect 计划", "服务器上还没有按计划运行的部署（cw serve 或 prefect deploy 后才有）")
        return
    for d in schedules.starved:
        report.add(ERROR, f"Prefect 计划 {d.name}",
                   "调度服务没有为该部署创建计划运行，流程不会自动执行：请查看 Prefect 服务器日志（调度服务报错）")
    healthy = [d for d in schedules.deployments if d not in schedules.starved]
    if healthy:
        done = sum(d.completed for d in healthy)
        report.add(OK, "Prefect 计划", f"{len(healthy)} 个部署已排好计划运行，近一天自动完成 {done} 次")


def run_doctor(engine: Engine, *, now: dt.datetime, writable: list[tuple[str, os.PathLike]]) -> DoctorReport:
    report = DoctorReport()
    if check_database(engine, report):
        check_campaigns(engine, report, now)
    for label, path in writable:
        try:
            os.makedirs(path, exist_ok=True)
            probe = os.path.join(path, ".cw-doctor")
            with open(probe, "w") as f:
                f.write("ok")
            os.remove(probe)
            report.add(OK, label, str(path))
        except OSError as e:
            report.add(ERROR, label, f"{path} 不可写：{e.strerror}")
    check_prefect(report, now)
    return report
