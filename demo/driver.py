"""``cw demo``: a whole campaign on a virtual clock, through the real services and flows.

Phase transitions and the first brief issued in each sub-phase are real Prefect flow runs (visible
in Prefect afterwards: a flow run costs about half a second of API round trips, so every weekly brief
as one would add a third to the demo's time); the other briefs, the high-frequency sweep, relay,
recurring tasks, plans and ratings run the same flow code directly at their cadence in virtual time. Notifications go through the real outbox, relay and
adapters to local receivers (notify/sandbox.py) that answer like the platforms, with a few
transient failures so retries are exercised. Nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update

from config.loader import load_campaign
from demo.clock import VirtualClock
from demo.people import People, rng
from demo.summary import write_outputs
from models import Campaign, OutboxMessage, Phase, Problem, Task
from models.outbox import PENDING
from services import schema
from services.campaigns.loading import get_campaign, init_campaign
from services.uow import Database

#: the first message due (any campaign: the relay serves them all)
_NEXT_RELAY = select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.state == PENDING)
_NOW = bindparam("now", type_=Task.deadline.type)
#: ... and the campaign's next ladder limit and task deadline after ``now``
_NEXT_AFTER_SWEEP = select(
    _NEXT_RELAY.scalar_subquery(),
    select(func.min(Problem.level_deadline)).where(Problem.campaign_id == bindparam("cid"), Problem.status == "open",
                                                   Problem.level_deadline > _NOW).scalar_subquery(),
    select(func.min(Task.deadline)).where(Task.campaign_id == bindparam("cid"), Task.status == "open",
                                          Task.deadline > _NOW).scalar_subquery())

SANDBOX_SECRETS = ("DINGTALK_SECRET", "FEISHU_SECRET")
SMTP_USER, SMTP_PASSWORD = "demo", "demo-password"


@dataclass
class DemoOptions:
    config: Path
    out: Path
    seed: int = 7
    until: dt.date | None = None


@dataclass
class DemoState:
    """What the driver keeps between steps (all counts are re-read from the database at the end)."""

    flow_runs: int = 0
    #: the next brief issued runs as a real flow run (the first of the campaign and of each sub-phase)
    brief_run_due: bool = True
    direct_runs: int = 0
    relays: int = 0
    steps: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    interrupted: bool = False


def _sandbox_env(spec: dict, platforms: Any, smtp: Any) -> dict[str, str]:
    """Point every notification target of the campaign at the local receiver of its kind."""
    from demo import sandbox

    env: dict[str, str] = {}
    for t in spec.get("notifications", {}).get("targets", []):
        url = {"wecom": platforms.wecom_url(), "dingtalk": platforms.dingtalk_url(),
               "feishu": platforms.feishu_url(), "webhook": platforms.webhook_url(t["name"]),
               "email": f"127.0.0.1:{smtp.port}"}[t["channel"]]
        secret = {"dingtalk": sandbox.DINGTALK_SECRET, "feishu": sandbox.FEISHU_SECRET,
                  "email": SMTP_PASSWORD}.get(t["channel"])
        if t.get("url_env"):
            env[t["url_env"]] = url
        if t.get("secret_env") and secret:
            env[t["secret_env"]] = secret
    return env


def _demo_targets(spec: dict) -> dict:
    """A campaign without notification targets gets one local receiver per channel kind."""
    notes = spec.setdefault("notifications", {})
    if notes.get("targets"):
        for t in notes["targets"]:
            if t["channel"] == "email":  # the local SMTP receiver speaks plain SMTP with AUTH
                t.update(smtp_security="none", username=SMTP_USER)
        return spec
    notes["targets"] = [
        {"name": "演示-企业微信", "channel": "wecom", "url_env": "CW_DEMO_WECOM_URL"},
        {"name": "演示-钉钉", "channel": "dingtalk", "url_env": "CW_DEMO_DINGTALK_URL",
         "secret_env": "CW_DEMO_DINGTALK_SECRET", "keyword": "创卫"},
        {"name": "演示-飞书", "channel": "feishu", "url_env": "CW_DEMO_FEISHU_URL",
         "secret_env": "CW_DEMO_FEISHU_SECRET", "keyword": "创卫"},
        {"name": "演示-邮件", "channel": "email", "url_env": "CW_DEMO_SMTP", "secret_env": "CW_DEMO_SMTP_PASSWORD",
         "username": SMTP_USER, "smtp_security": "none", "sender": "创卫办 <cwb@example.gov.cn>",
         "recipients": ["联络员 <llj@example.gov.cn>"]},
        {"name": "演示-平台", "channel": "webhook", "url_env": "CW_DEMO_WEBHOOK_URL"},
    ]
    notes["office_targets"] = ["演示-企业微信", "演示-平台"]
    notes["default_targets"] = ["演示-平台", "演示-钉钉", "演示-飞书"]
    return spec


class Demo:
    """Runs one campaign from its first day to its last on a virtual clock."""

    def __init__(self, options: DemoOptions, progress: Callable[[dt.datetime, dict], None] | None = None):
        self.o, self.progress = options, progress or (lambda *_: None)
        self.state = DemoState()
        self.db_path = options.out / "demo.db"

    # -- setup ---------------------------------------------------------------------------------

    def _fresh_database(self) -> Database:
        self.o.out.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{self.db_path.resolve()}"
        os.environ["CW_DATABASE_URL"] = url
        os.environ["CW_OUTPUT_DIR"] = str(self.o.out.resolve())
        from models.db import make_engine

        db = Database(make_engine(url))
        schema.upgrade(db.engine)
        return db

    def _load(self, db: Database, start: dt.datetime) -> str:
        loaded = load_campaign(self.o.config)
        with db.unit_of_work() as s:
            report = init_campaign(s, loaded=loaded, now=start - dt.timedelta(days=1))
            c = get_campaign(s, report.campaign)
            c.spec = _demo_targets(json.loads(json.dumps(c.spec)))
        return report.campaign

    # -- the run -------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        wall = time.monotonic()
        loaded = load_campaign(self.o.config)
        spec = loaded.spec
        tz = ZoneInfo(spec.campaign.timezone)
        phases = spec.phases()
        first = phases[0][1].start if phases else spec.stages[0].start
        last = phases[-1][1].end if phases else spec.stages[-1].end
        if self.o.until:
            last = min(last, self.o.until)
        start = dt.datetime.combine(first, dt.time(0, 0), tzinfo=tz)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
        db = self._fresh_database()
        code = self._load(db, start)
        with ExitStack() as stack:
            from demo.sandbox import FakePlatforms, smtp_server

            platforms = stack.enter_context(FakePlatforms())
            smtp = stack.enter_context(smtp_server(username=SMTP_USER, password=SMTP_PASSWORD))
            with db.reader() as s:
                os.environ.update(_sandbox_env(get_campaign(s, code).spec, platforms, smtp))
            clock = VirtualClock(start, end, tz)
            self._schedule_calendar(clock, db, code)
            from config.prefect_env import heartbeats_off

            stack.enter_context(heartbeats_off())  # once for every real flow run (Prefect rebuilds its settings)
            from services.briefs.render import rendering_in_background

            try:
                with rendering_in_background(), _fewer_collections():  # maps and Word files on the second core
                    self._loop(clock, db, code, platforms)
            except KeyboardInterrupt:
                self.state.interrupted = True
            summary = write_outputs(db, code=code, out=self.o.out, platforms=platforms, smtp=smtp,
                                    start=start, end=min(clock.now, end), state=self.state,
                                    wall_seconds=time.monotonic() - wall)
        db.dispose()
        return summary

    def _schedule_calendar(self, clock: VirtualClock, db: Database, code: str) -> None:
        """The fixed slots: boundaries, weeks, months and working days."""
        from services.campaigns.context import load_context

        with db.reader() as s:
            c = get_campaign(s, code)
            cal = load_context(s, campaign=c).calendar
            boundaries = [p.start_date for p in s.scalars(select(Phase).where(Phase.campaign_id == c.id))]
        day = clock.start.date()
        while clock.local(day, "00:00") < clock.end:
            if day in boundaries or day == clock.start.date():
                clock.at(clock.local(day, "00:05"), "advance")
            if day.weekday() == 0 or day.day == 1:
                clock.at(clock.local(day, "00:10"), "recurring")
            if day.weekday() == 0 and day > clock.start.date():
                clock.at(clock.local(day, "05:30"), "assess")
                clock.at(clock.local(day, "06:00"), "brief")
            if day.weekday() == 0:
                clock.at(clock.local(day, "07:30"), "plan")
            if cal.is_workday(day):
                clock.at(clock.local(day, "08:00"), "morning")  # each recipient's list of what is due today
                clock.at(clock.local(day, "09:00"), "sweep")
                clock.at(clock.local(day, "10:00"), "people_am")
                clock.at(clock.local(day, "16:00"), "people_pm")
                clock.at(clock.local(day, "18:01"), "sweep")  # the minute after close of business, when most limits fall due
            if day.weekday() == 0:
                clock.at(clock.local(day, "11:00"), "office_week")
                clock.at(clock.local(day, "11:30"), "issue_brief")  # 签发 once the week's ratings are confirmed
            if day.weekday() == 4:
                clock.at(clock.local(day, "17:30"), "publish")
            day += dt.timedelta(days=1)

    def _loop(self, clock: VirtualClock, db: Database, code: str, platforms: Any) -> None:
        people = None
        with db.reader() as s:
            cid = get_campaign(s, code).id
        while (ev := clock.pop()) is not None:
            t0 = time.perf_counter()
            now = clock.now
            iso = now.isoformat()
            if ev.kind == "advance":
                self._flow("advance-phases", real=True, campaign=code, now=iso)
                self.state.brief_run_due = True
            elif ev.kind == "recurring":
                self._flow("instantiate-recurring-tasks", campaign=code, now=iso)
            elif ev.kind == "assess":
                self._flow("assess-week", campaign=code, now=iso)
            elif ev.kind == "brief":  # the draft; 签发 follows at 11:30 as a real flow run
                self._flow("weekly-brief", campaign=code, now=iso)
            elif ev.kind == "issue_brief":
                real, self.state.brief_run_due = self.state.brief_run_due, False
                self._flow("issue-brief", real=real, campaign=code, now=iso,
                           out_dir=str((self.o.out / "briefs").resolve()))
            elif ev.kind == "plan":
                week_seed = rng(self.o.seed, "plan", clock.day).randrange(2**31)
                self._flow("plan-inspections", campaign=code, now=iso, seed=week_seed)
            elif ev.kind == "morning":
                self._flow("morning-digest", campaign=code, now=iso)
            elif ev.kind == "sweep":
                self._flow("sweep", campaign=code, now=iso)
            elif ev.kind == "relay":
                self._transient_failures(platforms, now)
                self._flow("deliver-notifications", campaign=code, now=iso)
                self.state.relays += 1
            else:
                with db.unit_of_work() as s:
                    c = get_campaign(s, code)
                    people = people or People(c, self.o.seed, s)
                    people.campaign = c
                    self._people(ev.kind, people, s, now)
            self._schedule_next(clock, db, cid, after_sweep=ev.kind == "sweep")
            self.state.timings[ev.kind] = self.state.timings.get(ev.kind, 0.0) + time.perf_counter() - t0
            self.state.steps += 1
            self.progress(now, {"tally": people.tally if people else None, "state": self.state})
        self.people = people

    def _people(self, kind: str, people: People, s: Any, now: dt.datetime) -> None:
        if kind == "people_am":
            people.tick_tasks(s, now)
            people.inspect(s, now)
            people.complain(s, now)
            people.raise_problems(s, now)
        elif kind == "people_pm":
            people.verify_ticks(s, now)
            people.rectify_and_reinspect(s, now)
            people.visit_complaints(s, now)
            people.work_problems(s, now)
        elif kind == "office_week":
            people.decide_sanctions(s, now)
            from services.briefs.issues import last_week

            people.confirm_ratings(s, last_week(now, people.tz), now)
        elif kind == "publish":
            self._publish_rounds(s, people, now)
            self._office_documents(s, people, now)

    def _office_documents(self, s: Any, people: People, now: dt.datetime) -> None:
        """Friday evening: a few findings go to the 曝光台; each public round gets its 督查通报 (issue 20)."""
        from config.settings import load_settings
        from demo.documents import expose_week, issue_circulars
        from services.campaigns.context import load_context

        ctx = load_context(s, campaign=people.campaign)
        people._try(s, expose_week, s, ctx=ctx, now=now, seed=self.o.seed)
        people._try(s, issue_circulars, s, ctx=ctx, now=now, out_dir=(self.o.out / "briefs").resolve(),
                    photo_dir=load_settings().photo_dir)

    def _publish_rounds(self, s: Any, people: People, now: dt.datetime) -> None:
        """Friday evening: the week's unannounced rounds are published with their findings."""
        from models.inspections import Inspection
        from services.campaigns.context import load_context
        from services.inspections.rounds import publish_inspection

        for insp in s.scalars(select(Inspection).where(Inspection.campaign_id == people.campaign.id,
                                                       Inspection.published_at.is_(None))).all():
            people._try(s, publish_inspection, s, ctx=load_context(s, campaign=people.campaign), inspection_id=insp.id,
                        now=now)

    def _flow(self, name: str, *, real: bool = False, **params: Any) -> Any:
        from flows.registry import find

        flow_obj = find(name).load()
        if real:
            self.state.flow_runs += 1
            return flow_obj(**params)
        self.state.direct_runs += 1
        return flow_obj.fn(**params)

    def _schedule_next(self, clock: VirtualClock, db: Database, cid: int, *, after_sweep: bool) -> None:
        """A relay pass 30 s after the first message due; after a sweep, one more sweep at the next
        ladder limit or deadline that falls before the next fixed one. (One prebuilt statement on a
        plain connection per step: the demo takes 5,000 steps.)"""
        with db.engine.connect() as conn:
            if after_sweep:
                due, *limits = conn.execute(_NEXT_AFTER_SWEEP, dict(cid=cid, now=clock.now)).one()
            else:
                due, limits = conn.execute(_NEXT_RELAY).scalar(), []
        for t in limits:
            if t is not None:
                clock.at(t + dt.timedelta(minutes=1), "sweep")
        if due is not None:
            clock.at(max(due, clock.now) + dt.timedelta(seconds=30), "relay")

    def _transient_failures(self, platforms: Any, now: dt.datetime) -> None:
        """Now and then a platform answers 5xx or rate-limits: the relay must retry."""
        r = rng(self.o.seed, "flaky", now.isoformat())
        if r.random() < 0.03:
            kind = r.choice(["server_error", "rate_limit"])
            platforms.fail_next(r.choice(["wecom", "dingtalk", "feishu", "webhook"]), kind, 1)


#: the loop's collector thresholds (Python's default is 700, 10, 10)
LOOP_GC_THRESHOLDS = (5000, 20, 50)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the loop with what was built before it frozen out of the collector, and collections rarer.

    The loop makes millions of short-lived objects (ORM states, rows, statements); with the default
    thresholds a full collection, walking every object in the process (Prefect, SQLAlchemy's caches),
    ran every few seconds: measured on 2½ virtual months, the collector's time 4.3 → 2.2 s.
    """
    old = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*LOOP_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def reset_running_outbox(db: Database) -> None:
    """After Ctrl-C: a message caught mid-send goes back to pending (it is resent once, same key)."""
    with db.unit_of_work() as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.state == "sending").values(state=PENDING))


def phase_rows(db: Database, code: str) -> list[dict[str, Any]]:
    with db.reader() as s:
        c = get_campaign(s, code)
        rows = []
        for p in s.scalars(select(Phase).where(Phase.campaign_id == c.id).order_by(Phase.seq)):
            total = s.scalar(select(func.count()).select_from(Task).where(Task.phase_id == p.id)) or 0
            verified = s.scalar(select(func.count()).select_from(Task).where(Task.phase_id == p.id,
                                                                             Task.status == "verified")) or 0
            rows.append({"name": p.name, "start": p.start_date.isoformat(), "end": p.end_date.isoformat(),
                         "opened": p.opened_at is not None, "tasks_total": total, "tasks_verified": verified})
        return rows


def campaign_of(db: Database, code: str) -> Campaign:
    with db.reader() as s:
        return get_campaign(s, code)

