"""What ``cw demo`` leaves behind: summary.json, the final maps, the 考核 workbook, receiver logs."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from models import OutboxMessage, Phase, Problem, ProblemEvent, Segment, Task, Tick
from models.accountability import Sanction, SupervisionNotice
from models.assessment import Commendation, Rating
from models.briefs import Brief
from models.geo import SEGMENT
from models.inspections import Complaint, Finding
from notify.masking import mask_url
from rules import ladders as L
from rules.accountability import working_days_overdue
from rules.weeks import week_monday
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.uow import Database

COLOURS = {"绿": "green", "黄": "yellow", "红": "red"}


def _count(s: Any, stmt: Any) -> int:
    return int(s.scalar(stmt) or 0)


def summary(db: Database, code: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Every count of the run, read back from the database (the same seed gives the same numbers)."""
    with db.reader() as s:
        c = get_campaign(s, code)
        cid = c.id
        n = lambda model, *where: _count(s, select(func.count()).select_from(model).where(
            model.campaign_id == cid, *where))
        phases = []
        for p in s.scalars(select(Phase).where(Phase.campaign_id == cid, Phase.opened_at.is_not(None))
                           .order_by(Phase.seq)):
            phases.append({"name": p.name, "start": p.start_date.isoformat(), "end": p.end_date.isoformat(),
                           "tasks_total": n(Task, Task.phase_id == p.id),
                           "tasks_verified": n(Task, Task.phase_id == p.id, Task.status == "verified")})
        by_cat = dict(sorted(Counter(s.scalars(select(Finding.category).where(Finding.campaign_id == cid))).items()))
        levels = Counter(s.scalars(select(Problem.resolved_level).where(
            Problem.campaign_id == cid, Problem.status == L.CLOSED, Problem.resolved_level.is_not(None))))
        auto = _count(s, select(func.count()).select_from(ProblemEvent).join(Problem, Problem.id == ProblemEvent.problem_id)
                      .where(Problem.campaign_id == cid, ProblemEvent.action == L.AUTO_ESCALATED))
        ratings = Counter(s.scalars(select(Rating.rating).where(Rating.campaign_id == cid, Rating.status == "confirmed")))
        sanctions = Counter(s.scalars(select(Sanction.kind).where(Sanction.campaign_id == cid,
                                                                  Sanction.state == "confirmed")))
        proposed = Counter(s.scalars(select(Sanction.kind).where(Sanction.campaign_id == cid)))
        policy = _policy_figures(s, c, end)
        return {
            "campaign": code,
            "phases": phases,
            "segments": n(Segment, Segment.kind == SEGMENT),
            "tasks_total": n(Task),
            "ticks": _count(s, select(func.count()).select_from(Tick).where(Tick.campaign_id == cid)),
            "verifications_rejected": _count(s, select(func.count()).select_from(Tick).where(
                Tick.campaign_id == cid, Tick.verdict == "reject")),
            "findings_total": n(Finding),
            "findings_by_category": by_cat,
            "complaints_total": n(Complaint),
            "problems_by_final_level": {lvl: levels.get(lvl, 0) for lvl in L.LEVELS},
            "escalations_auto": auto,
            "notifications_sent": n(OutboxMessage, OutboxMessage.state == "sent"),
            "notifications_dead": n(OutboxMessage, OutboxMessage.state == "dead"),
            "notifications_pending": n(OutboxMessage, OutboxMessage.state.in_(("pending", "sending"))),
            "ratings": {en: ratings.get(zh, 0) for zh, en in COLOURS.items()},
            "sanctions": {"督办": n(SupervisionNotice), "通报批评": sanctions.get("通报批评", 0),
                          "黄牌警告": sanctions.get("黄牌警告", 0), "约谈": sanctions.get("约谈", 0)},
            "sanctions_proposed": {k: proposed.get(k, 0) for k in ("通报批评", "黄牌警告", "约谈")},
            **policy,
            "briefs": n(Brief, Brief.kind == "weekly", Brief.state == "issued"),  # drafts have no files yet
            "virtual_days": (end.date() - start.date()).days,
        }


def _ratings_by_phase(s: Any, cid: int) -> list[dict[str, Any]]:
    """Confirmed ratings per sub-phase, a week counted in the phase its Sunday falls in (else the
    last phase it overlaps)."""
    phases = s.execute(select(Phase.name, Phase.start_date, Phase.end_date).where(
        Phase.campaign_id == cid, Phase.opened_at.is_not(None)).order_by(Phase.seq)).all()
    counts: dict[str, Counter[str]] = {name: Counter() for name, _, _ in phases}
    for week, colour in s.execute(select(Rating.week, Rating.rating).where(
            Rating.campaign_id == cid, Rating.status == "confirmed", Rating.rating.is_not(None))):
        monday = week_monday(week)
        sunday = monday + dt.timedelta(days=6)
        overlapping = [n for n, a, b in phases if a <= sunday and monday <= b]
        name = next((n for n, a, b in phases if a <= sunday <= b), overlapping[-1] if overlapping else None)
        if name is not None:
            counts[name][colour] += 1
    return [{"phase": name, **{en: counts[name].get(zh, 0) for zh, en in COLOURS.items()}} for name, _, _ in phases]


def _max_overdue(s: Any, c: Any, end: dt.datetime) -> int:
    """Working days the most overdue open item (task past its effective deadline, problem past its
    level's limit and not on 挂账) is overdue at ``end``."""
    cal = load_context(s, campaign=c).calendar
    deadlines = [max(d, x) if x else d for d, x in s.execute(select(Task.deadline, Task.extended_until).where(
        Task.campaign_id == c.id, Task.status == "open", Task.deadline < end))]
    deadlines += list(s.scalars(select(Problem.level_deadline).where(
        Problem.campaign_id == c.id, Problem.status == L.OPEN, Problem.level_deadline < end,
        or_(Problem.on_hold_until.is_(None), Problem.on_hold_until <= end))))
    return max((working_days_overdue(cal, d, end) for d in deadlines if d < end), default=0)


def _messages_per_recipient_day(s: Any, c: Any) -> dict[str, float]:
    """Messages each recipient got on each working day it got any (one message to several channels
    counts once; items merged into a digest count as the digest)."""
    cal, tz = load_context(s, campaign=c).calendar, ZoneInfo(c.timezone)
    seen: dict[tuple[str, dt.date], set[str]] = {}
    for template, payload, created in s.execute(select(OutboxMessage.template, OutboxMessage.payload,
                                                       OutboxMessage.created_at).where(
            OutboxMessage.campaign_id == c.id, OutboxMessage.state != "merged")):
        day = created.astimezone(tz).date()
        if not cal.is_workday(day):
            continue
        body = {k: v for k, v in payload.items() if k != "recipient"}
        seen.setdefault((str(payload.get("recipient")), day), set()).add(
            template + json.dumps(body, ensure_ascii=False, sort_keys=True))
    per = sorted(len(v) for v in seen.values())
    if not per:
        return {"median": 0, "p95": 0, "max": 0}
    return {"median": float(statistics.median(per)), "p95": float(per[min(len(per) - 1, int(0.95 * len(per)))]),
            "max": float(per[-1])}


def _policy_figures(s: Any, c: Any, end: dt.datetime) -> dict[str, Any]:
    """The shape of the campaign's policy (issue 17): ratings by phase, opinions, 重办, lapses, messages."""
    cid = c.id
    opinions = _count(s, select(func.count()).select_from(ProblemEvent).join(Problem, Problem.id == ProblemEvent.problem_id)
                      .where(Problem.campaign_id == cid, ProblemEvent.action == L.OPINION,
                             ProblemEvent.from_level == L.LEADER))
    return {
        "ratings_by_phase": _ratings_by_phase(s, cid),
        "leader_opinions": opinions,
        "complaints_redo": _count(s, select(func.coalesce(func.sum(Complaint.redo_count), 0)).where(
            Complaint.campaign_id == cid)),
        "max_overdue_working_days": _max_overdue(s, c, end),
        "tasks_missed": _count(s, select(func.count()).select_from(Task).where(
            Task.campaign_id == cid, Task.status == "missed")),
        "messages_per_recipient_day": _messages_per_recipient_day(s, c),
        "commendations_confirmed": _count(s, select(func.count()).select_from(Commendation).where(
            Commendation.campaign_id == cid, Commendation.status == "confirmed")),
    }


def _receiver_logs(out: Path, platforms: Any, smtp: Any) -> Path:
    folder = out / "receivers"
    folder.mkdir(parents=True, exist_ok=True)
    by_platform: dict[str, list[dict]] = {}
    for r in platforms.requests:
        by_platform.setdefault(r.platform, []).append(
            {"path": mask_url(r.path + ("?" + "&".join(f"{k}={v}" for k, v in r.query.items()) if r.query else "")),
             "idempotency_key": r.headers.get("idempotency-key") or r.headers.get("Idempotency-Key"),
             "json": r.json})
    for platform, rows in by_platform.items():
        with open(folder / f"{platform}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    from email.header import decode_header, make_header
    from email.parser import BytesHeaderParser

    headers = BytesHeaderParser()  # the headers only, decoded by hand: 0.05 ms a mail against 1.07 for a full parse (measured)
    with open(folder / "email.jsonl", "w", encoding="utf-8") as f:
        for m in smtp.messages:
            subject = str(make_header(decode_header(headers.parsebytes(m.content)["Subject"] or "")))
            f.write(json.dumps({"from": m.mail_from, "to": list(m.rcpt_tos), "subject": subject},
                               ensure_ascii=False) + "\n")
    return folder


def _maps_and_exports(db: Database, code: str, out: Path, end: dt.datetime) -> list[Path]:
    from maps.render_folium import progress_map
    from maps.render_static import static_progress_map
    from services.assessment.export import write_workbook
    from services.briefs import moment
    from services.briefs.data import gather

    written = []
    with db.reader() as s:
        c = get_campaign(s, code)
        data = gather(s, ctx=load_context(s, campaign=c), start=end - dt.timedelta(days=7), as_of=end)
        maps_dir = out / "maps"
        maps_dir.mkdir(parents=True, exist_ok=True)
        title = f"{c.name} 进度图（{moment(data.local(end))}）"  # issue 20: dates as people write them
        html = progress_map(data.map_segments, title=title, boundary=data.boundary, problems=data.map_problems,
                            boundary_label=data.boundary_label)
        (maps_dir / "progress_map.html").write_text(html, encoding="utf-8")
        written.append(maps_dir / "progress_map.html")
        written.append(static_progress_map(data.map_segments, title=title, date_text=f"数据截至{moment(data.local(end))}",
                                           boundary=data.boundary, out_path=maps_dir / "progress_map.png",
                                           problems=data.map_problems, boundary_label=data.boundary_label))
        xlsx = out / "考核记录.xlsx"
        write_workbook(s, campaign=c, path=xlsx, now=end)
        written.append(xlsx)
    return written


def write_outputs(db: Database, *, code: str, out: Path, platforms: Any, smtp: Any, start: dt.datetime,
                  end: dt.datetime, state: Any, wall_seconds: float) -> dict[str, Any]:
    """Maps, workbook, receiver logs and summary.json into ``out``; returns the summary."""
    from demo.driver import reset_running_outbox

    reset_running_outbox(db)
    _maps_and_exports(db, code, out, end)
    _receiver_logs(out, platforms, smtp)
    data = summary(db, code, start, end)
    data["interrupted"] = state.interrupted
    data["prefect_flow_runs"] = state.flow_runs
    data["direct_flow_runs"] = state.direct_runs
    data["wall_seconds"] = round(wall_seconds, 1)
    (out / "summary.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    # where the wall time went (differs run to run, so kept out of summary.json)
    timings = {k: round(v, 2) for k, v in sorted(state.timings.items(), key=lambda kv: -kv[1])}
    (out / "timings.json").write_text(json.dumps({"wall_seconds": data["wall_seconds"], "by_step": timings,
                                                  "steps": state.steps, "relay_passes": state.relays},
                                                 ensure_ascii=False, indent=2), encoding="utf-8")
    return data
