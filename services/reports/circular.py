"""督查通报: the document an office issues for a published inspection round (定期 or 暗访).

What was inspected, every problem found with its photo, place and responsible unit, how the
problems spread over segments and units, and the rectification deadlines; HTML and Word,
numbered in its own sequence (第N期, unique per campaign, a rerun keeps its number), and
announced through the outbox to every unit it names. A secret round is refused until it is
published: nothing of an unannounced round leaks before its findings are made public.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from models import Attachment, Circular, Finding, Inspection, InspectionStop, Photo, Place, Segment, Unit
from models.inspections import MERGED
from rules.errors import Conflict, NotFound
from rules.weeks import week_monday
from services.briefs import texts as bt
from services.briefs.data import _assignments, office_full_name
from services.briefs.view import Block, Document, Empty, Heading, Para, PhotoRow, Photos, Table
from services.campaigns.context import CampaignContext
from services.inspections.brief_sections import STATE_TEXT, state_at
from services.notifications.outbox import Recipient, enqueue
from services.people.audit import record
from services.reports import texts as t
from services.reports.files import write_document

TEMPLATE = "circular"
MAX_PHOTOS = 12


@dataclass(frozen=True)
class CircularFiles:
    number: int
    created: bool
    html: Path
    docx: Path
    notified: int


@dataclass(frozen=True)
class _Problem:
    category: str
    place: str
    segment: str | None  # "code name"
    unit: str
    unit_id: int | None
    description: str
    deadline: dt.date | None
    state: str
    photo: Path | None


def _number(session: Session, ctx: CampaignContext, inspection: Inspection, now: dt.datetime) -> tuple[Circular, bool]:
    row = session.scalars(select(Circular).where(Circular.inspection_id == inspection.id)).first()
    if row is not None:
        return row, False
    number = session.scalar(select(func.coalesce(func.max(Circular.number), 0) + 1)
                            .where(Circular.campaign_id == ctx.id))
    row = Circular(campaign_id=ctx.id, number=int(number or 1), inspection_id=inspection.id,
                   title=inspection.title, issued_at=now)
    session.add(row)
    session.flush()
    return row, True


def _problems(session: Session, ctx: CampaignContext, inspection: Inspection, now: dt.datetime,
              photo_dir: Path | None) -> list[_Problem]:
    tz = ZoneInfo(ctx.campaign.timezone)
    lead = aliased(Unit)
    rows = session.execute(
        select(Finding, Segment.code, Segment.name, lead.name)
        .outerjoin(Segment, Segment.id == Finding.segment_id).outerjoin(lead, lead.id == Finding.lead_unit_id)
        .where(Finding.inspection_id == inspection.id, Finding.status != MERGED, Finding.recorded_at <= now)
        .order_by(Finding.recorded_at, Finding.id)).all()
    photos: dict[int, Path] = {}
    if photo_dir is not None and rows:
        for owner, path in session.execute(
                select(Attachment.owner_id, Photo.path).join(Photo, Photo.id == Attachment.photo_id)
                .where(Attachment.owner_type == "finding", Attachment.role == "before",
                       Attachment.owner_id.in_([f.id for f, *_ in rows])).order_by(Attachment.id)):
            photos.setdefault(owner, Path(photo_dir) / path)
    return [_Problem(category=f.category, place=f"{code} {name}" if code else t.UNPLACED,
                     segment=f"{code} {name}" if code else None, unit=unit or t.UNASSIGNED, unit_id=f.lead_unit_id,
                     description=f.description, deadline=f.deadline.astimezone(tz).date() if f.deadline else None,
                     state=STATE_TEXT[state_at(f, now)], photo=photos.get(f.id))
            for f, code, name, unit in rows]


def _scope(session: Session, inspection: Inspection) -> tuple[int, list[str], list[str], list[dt.date]]:
    stops = session.execute(select(InspectionStop.day, Segment.code, Segment.name, Place.name)
                            .outerjoin(Segment, Segment.id == InspectionStop.segment_id)
                            .outerjoin(Place, Place.id == InspectionStop.place_id)
                            .where(InspectionStop.inspection_id == inspection.id)
                            .order_by(InspectionStop.seq)).all()
    segments = list(dict.fromkeys(f"{code} {name}" for _, code, name, place in stops if code and not place))
    places = list(dict.fromkeys(place for *_, place in stops if place))
    return len(stops), segments, places, sorted({d for d, *_ in stops})


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def compose_circular(session: Session, *, ctx: CampaignContext, inspection: Inspection, number: int,
                     issued: dt.datetime, photo_dir: Path | None) -> tuple[Document, list[_Problem]]:
    """The 督查通报 of a round as the brief's blocks (one layout for both documents)."""
    tz = ZoneInfo(ctx.campaign.timezone)
    office = office_full_name(session, ctx)
    n_stops, segments, places, days = _scope(session, inspection)
    problems = _problems(session, ctx, inspection, issued, photo_dir)
    monday = week_monday(inspection.week)
    span = bt.span(days[0], days[-1]) if days else bt.span(monday, monday + dt.timedelta(days=6))
    kind = inspection.kind
    intro = (t.C_INTRO if problems else t.C_INTRO_NONE).format(span=span, office=office, kind=kind, stops=n_stops,
                                                                findings=len(problems))
    blocks: list[Block] = [Para(intro), Heading(t.H_C_SCOPE)]
    scope_places = t.C_PLACES.format(places="、".join(places[:12])) if places else ""
    blocks.append(Para(t.C_SCOPE.format(segments="、".join(segments[:15]) or "—", places=scope_places)))
    blocks.append(Heading(t.H_C_PROBLEMS))
    if not problems:
        blocks.append(Para(t.C_NO_PROBLEMS))
    else:
        blocks.append(Table(t.COLS_C_PROBLEMS, [
            (str(i), p.category, p.place, p.unit, p.description, bt.day(p.deadline) if p.deadline else "—", p.state)
            for i, p in enumerate(problems, 1)]))
        shown = [(i, p) for i, p in enumerate(problems, 1) if p.photo is not None][:MAX_PHOTOS]
        if shown:
            blocks.append(Photos((t.C_PHOTOS,), [PhotoRow(t.C_PHOTO_CAPTION.format(
                no=i, category=p.category, place=p.place, unit=p.unit, description=p.description), (p.photo,))
                for i, p in shown]))
    blocks.append(Heading(t.H_C_RANKING))
    by_segment = _ranked(Counter(p.segment for p in problems if p.segment))
    by_unit = _ranked(Counter(p.unit for p in problems))
    if problems:
        leaders = {}
        assigned = _assignments(session, ctx.id, issued)
        for sid, code, name in session.execute(select(Segment.id, Segment.code, Segment.name)
                                               .where(Segment.campaign_id == ctx.id)):
            if sid in assigned:
                leaders[f"{code} {name}"] = assigned[sid][0]
        if by_segment:
            blocks.append(Table(t.COLS_C_SEGMENTS, [(str(i), s, leaders.get(s, "—"), str(n))
                                                    for i, (s, n) in enumerate(by_segment, 1)],
                                (t.TOTAL, "", "", str(sum(n for _, n in by_segment))), numeric=(3,)))
        blocks.append(Table(t.COLS_C_UNITS, [(str(i), u, str(n)) for i, (u, n) in enumerate(by_unit, 1)],
                            (t.TOTAL, "", str(len(problems))), numeric=(2,)))
    else:
        blocks.append(Empty(t.C_NO_PROBLEMS))
    blocks.append(Heading(t.H_C_DEADLINES))
    deadlines = [p.deadline for p in problems if p.deadline]
    last = bt.day(max(deadlines)) if deadlines else bt.day(issued.astimezone(tz).date() + dt.timedelta(days=7))
    blocks.append(Para(t.C_DEADLINE.format(last=last)))
    units = [u for u, _ in by_unit if u != t.UNASSIGNED]
    doc = Document(masthead=t.CIRCULAR_MASTHEAD, number=t.CIRCULAR_NUMBER.format(number=number), editor=office,
                   date=bt.day(issued.astimezone(tz).date()),
                   headline=t.CIRCULAR_HEADLINE.format(span=span, kind=kind),
                   period=t.CIRCULAR_PERIOD.format(days=span, issued=bt.moment(issued.astimezone(tz))),
                   blocks=blocks,
                   distribution=(t.C_DISTRIBUTION_TO.format(units="、".join(units) or "各有关单位"),
                                 t.C_DISTRIBUTION_CC))
    return doc, problems


def issue_circular(session: Session, *, ctx: CampaignContext, inspection_id: int, out_dir: Path, now: dt.datetime,
                   photo_dir: Path | None = None, actor: str = "创卫办") -> CircularFiles:
    """印发督查通报 for a round that is public (announced, or an unannounced round already
    published): numbered once, written as HTML and Word, announced to every unit it names."""
    inspection = session.get(Inspection, inspection_id)
    if inspection is None or inspection.campaign_id != ctx.id:
        raise NotFound(f"找不到督查计划（编号 {inspection_id}）")
    if not inspection.announced and (inspection.published_at is None or inspection.published_at > now):
        raise Conflict(f"督查计划「{inspection.title}」是暗访且尚未公开，公开后才能印发督查通报")
    row, created = _number(session, ctx, inspection, now)
    issued = row.issued_at
    doc, problems = compose_circular(session, ctx=ctx, inspection=inspection, number=row.number, issued=issued,
                                     photo_dir=photo_dir)
    stem = t.CIRCULAR_FILE.format(number=row.number, title=inspection.title).replace("/", "／")
    html, docx = write_document(doc, Path(out_dir), stem)
    row.html_path, row.docx_path = str(html), str(docx)
    # each unit is told its own problems; 创卫办 the whole count (one total told to all read as each one's)
    per_unit = Counter(p.unit_id for p in problems if p.unit_id is not None)
    bodies: list[tuple[Recipient, str]] = [
        (("unit", uid), t.C_NOTICE_BODY.format(headline=doc.headline, number=row.number, n=n))
        for uid, n in sorted(per_unit.items())]
    bodies.append((("office", None), t.C_NOTICE_OFFICE.format(headline=doc.headline, number=row.number,
                                                              n=len(problems), units=len(per_unit))))
    notified = sum(enqueue(session, ctx=ctx, recipients=[recipient], template=TEMPLATE,
                           payload={"title": t.C_NOTICE_TITLE.format(title=doc.headline), "body": body,
                                    "files": [str(html), str(docx)]},
                           key_parts=("circular", row.number), now=now)
                   for recipient, body in bodies)
    record(session, campaign_id=ctx.id, action="circular.issue", object_type="inspection", object_id=inspection.id,
           now=now, actor=actor, detail={"number": row.number, "files": [html.name, docx.name]})
    session.flush()
    return CircularFiles(number=row.number, created=created, html=html, docx=docx, notified=notified)


def due_circulars(session: Session, *, ctx: CampaignContext, week: str, now: dt.datetime) -> list[int]:
    """The week's 定期 and 暗访 rounds that are public by ``now`` and have no 督查通报 yet."""
    issued = select(Circular.inspection_id).where(Circular.campaign_id == ctx.id)
    rounds = session.scalars(select(Inspection).where(
        Inspection.campaign_id == ctx.id, Inspection.week == week, Inspection.kind.in_(("定期", "暗访")),
        Inspection.id.not_in(issued)).order_by(Inspection.id)).all()
    return [r.id for r in rounds if r.announced or (r.published_at is not None and r.published_at <= now)]
