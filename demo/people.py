"""Simulated people acting through the real services, for ``cw demo``.

Every decision comes from a random generator seeded with (seed, what, id, day), so the same
seed gives the same campaign whatever order the steps happen in. Units have a diligence:
diligent ones tick before the deadline, laggards late or never, so the ladders, sanctions and
ratings have work. Leaders answer escalations late or not at all.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Campaign, Leader, Problem, ProblemEvent, Segment, Task, Unit
from models.inspections import Complaint, Finding
from models.tasks import DONE, OPEN
from rules import ladders as L
from rules.errors import Conflict, DomainError
from rules.vocabulary import AccStage, OpinionDecision, ProblemVerb, UnitKind
from services.campaigns.context import CampaignContext, load_context
from services.inspections.rounds import office_principal, unit_principal
from services.people.auth import Principal

P = ParamSpec("P")

#: how often inspectors record each kind of problem (小广告 and 暴露垃圾 most common)
CATEGORY_WEIGHTS = {"牛皮癣/小广告": 24, "暴露垃圾": 20, "乱堆乱放": 10, "占道经营": 9, "乱停乱放": 8,
                    "店外经营": 7, "卫生死角": 6, "垃圾桶满溢": 5, "流动摊点": 4, "道路积水": 2,
                    "乱搭乱建": 2, "建筑工地扬尘": 1, "病媒生物痕迹": 1, "公厕不洁": 1}
COMPLAINTS = {"暴露垃圾": "小区门口垃圾堆放多日无人清运", "占道经营": "早市摊贩占用人行道，行人只能走机动车道",
              "乱停乱放": "人行道上电动车、汽车乱停，轮椅无法通过", "牛皮癣/小广告": "电线杆和墙面贴满小广告",
              "道路积水": "雨后路面积水严重，商户门前无法通行", "店外经营": "餐馆在门外摆桌，油污满地"}
#: how much a confirmed sanction lifts the unit's diligence (people do pull themselves together)
LIFT = {"通报批评": 0.08, "黄牌警告": 0.15, "约谈": 0.2}
RAISED_TITLES = ["沿街商户拒不配合门前三包，需协调执法力量", "路段垃圾收集点选址与居民有争议",
                 "背街小巷路面破损需协调资金修复", "夜市占道经营反复回潮，需多部门联合整治"]
UNIT_REASONS = ["涉及执法权限，本单位无法处理，需牵头部门协调", "需多个单位联合整治，请牵头部门统筹",
                "整改需要资金，本单位无法解决"]
LEAD_OPINIONS = ["已召集参与单位现场协调，涉及跨部门职责，建议由县级领导协调城管、市场监管联合执法",
                 "资金缺口较大，建议县级领导协调财政解决"]
LEADER_OPINIONS = {
    "协调解决": ["请牵头部门会同城管、市场监管联合整治，限期一周解决", "同意，由牵头部门牵头协调，相关单位配合"],
    "转创卫办": ["涉及全县统筹，请创卫办提交指挥部研究", "请创卫办协调财政、住建统筹安排"],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
OFFICE = "创卫办"


def rng(seed: int, *key: object) -> random.Random:
    """A generator for one decision, independent of every other decision's order."""
    return random.Random("|".join(str(k) for k in (seed, *key)))


@dataclass
class Tally:
    """What the simulated people did (for the summary and the progress bar)."""

    ticks: int = 0
    verified: int = 0
    rejected: int = 0
    findings: int = 0
    complaints: int = 0
    raised: int = 0
    actions: Counter = field(default_factory=Counter)


class People:
    """The campaign's people: units, inspectors, the office, leaders and citizens."""

    def __init__(self, campaign: Campaign, seed: int, session: Session):
        self.seed, self.campaign = seed, campaign
        self.tz = ZoneInfo(campaign.timezone)
        self.spec = load_context(session, campaign=campaign).spec  # the campaign file, validated once for the run
        self._ctx: CampaignContext | None = None
        self.tally = Tally()
        units = list(session.scalars(select(Unit).where(Unit.campaign_id == campaign.id).order_by(Unit.id)))
        self.units = {u.id: u for u in units}
        self.diligence = {u.id: self._diligence(u) for u in units}
        #: how much a unit pulled itself together after a confirmed 通报批评/黄牌警告/约谈
        self.lift: dict[int, float] = defaultdict(float)
        self.first_day, self.last_day = self._span(session)
        self.leaders = {x.id: x for x in session.scalars(select(Leader).where(Leader.campaign_id == campaign.id))}
        self.segments = list(session.execute(select(Segment.id, Segment.code, Segment.geometry, Segment.kind)
                                             .where(Segment.campaign_id == campaign.id).order_by(Segment.id)))
        known = {c.name for c in self.spec.inspections.taxonomy}
        self.categories = {c: w for c, w in CATEGORY_WEIGHTS.items() if c in known} or {n: 1 for n in known}

    def ctx(self, session: Session) -> CampaignContext:
        """The campaign's context for this step's unit of work: built once per step from the file
        validated at the start (the demo never edits it), not validated again for every action."""
        if self._ctx is None or self._ctx.session is not session:
            self._ctx = CampaignContext(session=session, row=self.campaign, spec=self.spec)
        return self._ctx

    def _span(self, session: Session) -> tuple[dt.date, dt.date]:
        from models import Phase

        first, last = session.execute(select(func.min(Phase.start_date), func.max(Phase.end_date))
                                      .where(Phase.campaign_id == self.campaign.id)).one()
        today = dt.date.today()
        return first or today, last or today

    def progress(self, now: dt.datetime) -> float:
        """How far the campaign is, 0 at its first day, 1 at its last."""
        span = max((self.last_day - self.first_day).days, 1)
        return min(1.0, max(0.0, (now.astimezone(self.tz).date() - self.first_day).days / span))

    def care(self, unit_id: int, now: dt.datetime) -> float:
        """A unit's diligence now: its own, a little better as the campaign goes on, and much better
        once it has been criticised or carded (the point of a sanction)."""
        base = self.diligence.get(unit_id, 0.8)
        return min(0.98, base + 0.12 * self.progress(now) + self.lift[unit_id])

    def _diligence(self, unit: Unit) -> float:
        r = rng(self.seed, "diligence", unit.name)
        if unit.kind in (UnitKind.OFFICE.value,):
            return 1.0
        return 0.35 + 0.3 * r.random() if r.random() < 0.2 else 0.75 + 0.23 * r.random()

    # -- units tick their tasks ----------------------------------------------------------------

    def planned_tick(self, task: Task, now: dt.datetime | None = None) -> dt.datetime | None:
        """When the responsible unit gets round to the task: early, late, or only once it is supervised."""
        d = self.care(task.unit_id, now) if now is not None else self.diligence.get(task.unit_id, 0.8)
        r = rng(self.seed, "tick", task.id)
        span = max((task.deadline - task.created_at).total_seconds(), 3600.0)
        x = r.random()
        if x < d:
            return task.created_at + dt.timedelta(seconds=span * (0.3 + 0.65 * r.random()))
        if x < d + (1 - d) * 0.6:
            return task.deadline + dt.timedelta(days=2 + 15 * r.random())
        if task.acc_stage >= AccStage.SUPERVISED and task.acc_at is not None:  # a 督办单 gets it done
            return task.acc_at + dt.timedelta(days=2 + 6 * r.random())
        return None

    def tick_tasks(self, session: Session, now: dt.datetime) -> None:
        from demo.documents import tick_quantities
        from services.tasks.ticking import tick_task

        ctx = self.ctx(session)

        rows = session.scalars(select(Task).where(Task.campaign_id == self.campaign.id, Task.status == OPEN,
                                                  Task.kind == "plan").order_by(Task.id)).all()
        for task in rows:
            when = self.planned_tick(task, now)
            if task.rework_count:  # a rejected tick is redone a few days later
                when = (task.done_at or task.created_at) + dt.timedelta(days=3)
            if when is None or when > now:
                continue
            who = unit_principal(self.campaign, task.unit_id, self.units[task.unit_id].name)
            note = f"已按要求完成：{task.title}"
            qty = tick_quantities(session, ctx, task, rng(self.seed, "qty", task.id, task.rework_count))  # 台账
            if self._try(session, tick_task, session, principal=who, task_id=task.id, note=note, photos=[],
                                                     lon=None, lat=None, expected_version=None, now=now,
                                                     quantities=qty):
                self.tally.ticks += 1

    def verify_ticks(self, session: Session, now: dt.datetime) -> None:
        from services.tasks.verification import verify_task

        office, ctx = office_principal(self.campaign, "创卫办核查组"), self.ctx(session)
        for task in session.scalars(select(Task).where(Task.campaign_id == self.campaign.id, Task.status == DONE,
                                                       Task.kind == "plan").order_by(Task.id)).all():
            reject = rng(self.seed, "verify", task.id, task.rework_count).random() < 0.08
            verdict, reason = ("reject", "现场核查未达标，照片与实际不符，请返工") if reject else ("pass", "")
            if self._try(session, verify_task, session, ctx=ctx, principal=office, task_id=task.id, verdict=verdict,
                                                       reason=reason, now=now):
                self.tally.verified += 1
                self.tally.rejected += reject

    # -- inspectors, citizens ------------------------------------------------------------------

    def _point_near(self, r: random.Random) -> tuple[float, float]:
        _, _, geom, _ = self.segments[r.randrange(len(self.segments))]
        line = geom["coordinates"] if geom["type"] == "LineString" else geom["coordinates"][0]
        i = r.randrange(len(line) - 1)
        (x1, y1), (x2, y2) = line[i], line[i + 1]
        t = r.random()
        off = (r.random() - 0.5) * 2 * 30 / 111_000  # within ~30 m of the line
        if r.random() < 0.05:
            off = 0.004  # ~400 m away: lands in 创卫办's triage queue
        return x1 + (x2 - x1) * t + off, y1 + (y2 - y1) * t + off * 0.5

    def _category(self, r: random.Random) -> str:
        names, weights = zip(*sorted(self.categories.items()), strict=False)
        return r.choices(names, weights=weights)[0]

    def inspect(self, session: Session, now: dt.datetime) -> None:
        from demo.documents import rounds_on
        from services.inspections.findings import record_finding

        day = now.astimezone(self.tz).date()
        r, ctx = rng(self.seed, "inspect", day), self.ctx(session)
        rounds = rounds_on(session, ctx, day)  # issue 20: what a round finds goes into its 督查通报
        for k in range(_poisson(r, 3.6 - 2.6 * self.progress(now))):
            lon, lat = self._point_near(r)
            category = self._category(r)
            if self._try(session, record_finding, session, ctx=ctx, category=category, lon=lon, lat=lat, now=now,
                    actor="督查组", description=f"{category}：督查发现（{day:%m月%d日}第{k + 1}处）",
                    allow_duplicate=True, inspection_id=rounds[k % len(rounds)] if rounds else None):
                self.tally.findings += 1

    def complain(self, session: Session, now: dt.datetime) -> None:
        from services.inspections.complaints import create_complaint

        day = now.astimezone(self.tz).date()
        r, ctx = rng(self.seed, "complain", day), self.ctx(session)
        for k in range(_poisson(r, 0.7)):
            lon, lat = self._point_near(r)
            category = r.choice(sorted(c for c in COMPLAINTS if c in self.categories) or sorted(self.categories))
            name = r.choice(SURNAMES) + r.choice("建华丽明伟芳军敏")
            phone = f"13{r.randrange(10**8, 10**9)}"
            if self._try(session, create_complaint, session, ctx=ctx, order_no=f"12345-{day:%Y%m%d}-{k + 1:03d}",
                    content=COMPLAINTS.get(category, f"反映{category}问题"), received_at=now, now=now,
                    category=category, lon=lon, lat=lat, complainant_name=name, complainant_phone=phone):
                self.tally.complaints += 1

    def rectify_and_reinspect(self, session: Session, now: dt.datetime) -> None:
        from demo.documents import rectify
        from services.inspections.checks import reinspect
        from services.inspections.findings import assign_finding

        ctx = self.ctx(session)
        for f in session.scalars(select(Finding).where(Finding.campaign_id == self.campaign.id,
                                                       Finding.status.in_(("open", "rectified", "triage")))
                                 .order_by(Finding.id)).all():
            r = rng(self.seed, "finding", f.id, f.rework_count if hasattr(f, "rework_count") else 0)
            if f.status == "triage":
                if now - f.recorded_at > dt.timedelta(days=1) and self.segments:
                    code = self.segments[r.randrange(len(self.segments))][1]
                    self._try(session, assign_finding, session, ctx=ctx, finding_id=f.id,
                                                              segment_code=code, now=now, reason="创卫办分派")
                continue
            if f.status == "open" and f.lead_unit_id is not None and f.deadline is not None:
                d = self.care(f.lead_unit_id, now)
                late = 0.4 + 0.5 * r.random() if r.random() < d else 1.2 + 1.3 * r.random()
                due = f.recorded_at + (f.deadline - f.recorded_at) * late
                if due <= now:
                    self._try(session, rectify, session, ctx=ctx, finding_id=f.id, now=now, actor="整改责任单位",
                              r=rng(self.seed, "qty", "finding", f.id, f.rework_count))  # 台账: every measure
            elif (f.status == "rectified" and f.complaint_id is None and f.rectified_at
                  and now - f.rectified_at > dt.timedelta(days=2)):
                passed = r.random() < 0.85
                self._try(session, reinspect, session, ctx=ctx, finding_id=f.id,
                                                     passed=passed, now=now, actor="复查组",
                                                     note="" if passed else "复查仍有遗留，未整改到位")

    def visit_complaints(self, session: Session, now: dt.datetime) -> None:
        from services.inspections.complaints import visit_complaint

        rows = session.execute(select(Complaint, Finding.rectified_at).join(Finding, Finding.complaint_id == Complaint.id)
                               .where(Complaint.campaign_id == self.campaign.id, Finding.status == "rectified",
                                      Complaint.status != "closed").order_by(Complaint.id)).all()
        ctx = self.ctx(session)
        for c, rectified_at in rows:
            if c.visited_at is not None and c.visited_at >= rectified_at:
                continue
            x = rng(self.seed, "visit", c.id, c.redo_count).random()
            result = "满意" if x < 0.8 else "基本满意" if x < 0.92 else "不满意"
            self._try(session, visit_complaint, session, ctx=ctx, complaint_id=c.id,
                                                       result=result, now=now, note="电话回访")

    # -- the coordination ladder ---------------------------------------------------------------

    def raise_problems(self, session: Session, now: dt.datetime) -> None:
        from models import Assignment, AssignmentMember
        from services.escalation import raise_problem

        day = now.astimezone(self.tz).date()
        r = rng(self.seed, "raise", day)
        if r.random() > 0.35:
            return
        # a participating unit of a segment asks for coordination: it starts at the bottom of the ladder
        pairs = session.execute(select(Assignment.segment_id, AssignmentMember.unit_id)
                                .join(AssignmentMember, AssignmentMember.assignment_id == Assignment.id)
                                .where(Assignment.campaign_id == self.campaign.id, Assignment.valid_from <= now,
                                       (Assignment.valid_to.is_(None)) | (Assignment.valid_to > now))
                                .order_by(Assignment.segment_id, AssignmentMember.unit_id)).all()
        if not pairs:
            return
        segment_id, unit_id = pairs[r.randrange(len(pairs))]
        who = unit_principal(self.campaign, unit_id, self.units[unit_id].name)
        if self._try(session, raise_problem, session, ctx=self.ctx(session),
                     unit_id=unit_id, segment_id=segment_id, title=r.choice(RAISED_TITLES),
                     description="本单位协调困难，请求支持", now=now, actor=who):
            self.tally.raised += 1

    def _holder(self, p: Problem) -> Principal:
        if p.level == L.LEADER and p.holder_leader_id:
            x = self.leaders[p.holder_leader_id]
            return Principal(campaign_id=self.campaign.id, role="leader", name=x.name, leader_id=x.id,
                             timezone=self.campaign.timezone)
        if p.level == L.OFFICE:
            return office_principal(self.campaign)
        if p.holder_unit_id is None:  # the ladder always names a unit below 创卫办; a hand-edited row may not
            raise Conflict(f"问题 {p.id} 当前层级没有承办单位，模拟人员无法办理")
        return unit_principal(self.campaign, p.holder_unit_id, self.units[p.holder_unit_id].name)

    def work_problems(self, session: Session, now: dt.datetime) -> None:
        """The ladder's people use its actions: a unit 上报 with its reason, the lead department 上报 with
        its opinion, the county leader 签署意见 (mostly within the limit) and the lead department acts on it."""

        day = now.astimezone(self.tz).date()
        rows = session.scalars(select(Problem).where(Problem.campaign_id == self.campaign.id,
                                                     Problem.status.in_((L.OPEN, L.RESOLVED)),
                                                     Problem.source.in_(("report", "task")))
                               .order_by(Problem.id)).all()
        ctx = self.ctx(session)
        for p in rows:
            r = rng(self.seed, "problem", p.id, p.level, day)
            x = r.random()
            if p.status == L.RESOLVED:
                if x < 0.7:
                    passed = rng(self.seed, "verify-problem", p.id, p.rework_count).random() < 0.9
                    self._perform(session, ctx, p, ProblemVerb.VERIFY, office_principal(self.campaign), now,
                                  "现场核实已解决" if passed else "核实未解决，请返工", passed=passed)
                continue
            if p.level == L.LEADER:
                self._leader_step(session, ctx, p, r, x, now)
                continue
            who = self._holder(p)
            verb, text = None, ""
            if p.level == L.MEMBER:
                verb, text = ((ProblemVerb.RESOLVE, "已协调解决") if x < 0.25 else
                              (ProblemVerb.ESCALATE, r.choice(UNIT_REASONS)) if x < 0.55 else (None, ""))
            elif p.level == L.LEAD:
                verb, text = ((ProblemVerb.RESOLVE, "已组织参与单位协调解决") if x < 0.2 else
                              (ProblemVerb.ESCALATE, r.choice(LEAD_OPINIONS)) if x < 0.55 else (None, ""))
            elif x < 0.45:
                verb, text = ProblemVerb.RESOLVE, "创卫办已协调解决"
            if verb is not None:
                self._perform(session, ctx, p, verb, who, now, text)

    def _leader_step(self, session: Session, ctx: CampaignContext, p: Problem, r: random.Random, x: float,
                     now: dt.datetime) -> None:
        """A county leader signs an opinion (协调解决 or 转创卫办); the lead department then acts on it."""
        decision = self._decision(session, p)
        if decision is None:
            if x < 0.55 and p.holder_leader_id in self.leaders:  # most leaders answer within their limit
                x_ = self.leaders[p.holder_leader_id]
                leader = Principal(campaign_id=self.campaign.id, role="leader", name=x_.name, leader_id=x_.id,
                                   timezone=self.campaign.timezone)
                choice = OpinionDecision.COORDINATE if r.random() < 0.5 else OpinionDecision.TO_OFFICE
                self._perform(session, ctx, p, ProblemVerb.OPINION, leader, now, r.choice(LEADER_OPINIONS[choice]),
                              decision=choice)
            return
        lead = self._lead_of(session, p)
        if lead is None or r.random() > 0.6:  # a segment no longer 包联 has no lead department to act
            return
        who = unit_principal(self.campaign, lead, self.units[lead].name if lead in self.units else "牵头部门")
        if decision == OpinionDecision.COORDINATE:
            self._perform(session, ctx, p, ProblemVerb.RESOLVE, who, now, "已按县级领导意见协调解决")
        else:
            self._perform(session, ctx, p, ProblemVerb.ESCALATE, who, now, "按县级领导意见，连同领导意见报创卫办")

    def _decision(self, session: Session, p: Problem) -> str | None:
        """The decision of the leader's opinion signed at the current level, if any."""
        detail = session.scalar(select(ProblemEvent.detail).where(
            ProblemEvent.problem_id == p.id, ProblemEvent.action == L.OPINION, ProblemEvent.at >= p.level_since)
            .order_by(ProblemEvent.id.desc()).limit(1))
        if detail is None:
            return None
        return str((detail or {}).get("decision") or "转" + OFFICE)

    def _perform(self, session: Session, ctx: CampaignContext, p: Problem, verb: str, who: Principal,
                 now: dt.datetime, text: str, passed: bool = True, decision: OpinionDecision | None = None) -> None:
        from services.escalation import perform

        if self._try(session, perform, session, ctx=ctx, problem_id=p.id, verb=ProblemVerb(verb), actor=who, now=now,
                     text=text, passed=passed, decision=decision):
            self.tally.actions[str(verb)] += 1

    def _signed(self, session: Session, p: Problem) -> bool:
        return session.scalar(select(ProblemEvent.id).where(ProblemEvent.problem_id == p.id,
                                                            ProblemEvent.action == L.OPINION,
                                                            ProblemEvent.at >= p.level_since).limit(1)) is not None

    def _lead_of(self, session: Session, p: Problem) -> int | None:
        from models import Assignment

        return session.scalar(select(Assignment.lead_unit_id).where(Assignment.segment_id == p.segment_id,
                                                                    Assignment.valid_to.is_(None)))

    # -- the office ----------------------------------------------------------------------------

    def decide_sanctions(self, session: Session, now: dt.datetime) -> None:
        from models.accountability import Sanction
        from services.escalation import sanctions

        ctx = self.ctx(session)
        for s in session.scalars(select(Sanction).where(Sanction.campaign_id == self.campaign.id,
                                                        Sanction.state == "proposed").order_by(Sanction.id)).all():
            if rng(self.seed, "sanction", s.id).random() < 0.7:
                if self._try(session, sanctions.confirm, session, ctx=ctx, sanction_id=s.id,
                             actor="创卫办主任", now=now):
                    self.lift[s.unit_id] += LIFT.get(s.kind, 0.0)
            else:
                self._try(session, sanctions.dismiss, session, campaign=self.campaign, sanction_id=s.id,
                                                             actor="创卫办主任", reason="已整改到位，不予通报",
                                                             now=now)

    def confirm_ratings(self, session: Session, week: str, now: dt.datetime) -> None:
        from models import Commendation, Phase
        from services.assessment.record import confirm_commendations, confirm_ratings

        ctx = self.ctx(session)
        self._try(session, confirm_ratings, session, ctx=ctx, week=week, now=now, actor="创卫办主任")
        # the phase's 表彰 candidates: the office confirms them at its next weekly meeting
        for name in session.scalars(select(Phase.name).join(Commendation, Commendation.phase_id == Phase.id)
                                    .where(Phase.campaign_id == self.campaign.id, Commendation.status == "proposed")
                                    .distinct().order_by(Phase.name)).all():
            self._try(session, confirm_commendations, session, ctx=ctx, phase=name, now=now, actor="创卫办主任")

    def _try(self, session: Session, fn: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> bool:
        """Do ``fn(*args, **kwargs)`` in a savepoint; a refusal (a real person would be told why) undoes only it.

        After a refusal every loaded object is expired: the services write some columns with plain
        UPDATEs and set the loaded object's value to match (a task's version bump, a tick's 核查),
        which a savepoint's rollback does not undo in memory as it does for what the ORM flushed."""
        try:
            with session.begin_nested():
                fn(*args, **kwargs)
            return True
        except DomainError as e:
            session.expire_all()
            self.tally.actions[f"refused:{type(e).__name__}"] += 1
            return False


def _poisson(r: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= r.random()
        if p <= limit:
            return k
        k += 1
