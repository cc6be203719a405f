"""Load a campaign file into the database (``cw init``) and pick the campaign a command acts on."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.campaign import CampaignFile
from config.loader import CampaignFileError, LoadedCampaign
from models import Campaign, Leader, Phase, Stage, TaskTemplate, Unit
from rules.errors import ConfigError, InvalidInput, NotFound
from services.campaigns.directory import Directory, name_key, unit_directory
from services.imports.assignments import import_assignments
from services.imports.segments import ImportReport, import_segments


@dataclass
class InitReport:
    campaign: str
    created: bool
    segments: ImportReport | None = None
    assignments: ImportReport | None = None
    places: ImportReport | None = None
    notes: list[str] = field(default_factory=list)


def config_error(err: CampaignFileError) -> ConfigError:
    """The domain error for an invalid campaign file (exit code 2)."""
    return ConfigError(f"活动配置文件 {err.path} 有 {len(err.problems)} 处错误：", err.problems)


def get_campaign(session: Session, code: str | None = None) -> Campaign:
    """The campaign named ``code``, or the only one when ``code`` is None."""
    if code:
        c = session.scalars(select(Campaign).where(Campaign.code == code)).first()
        if c is None:
            known = "、".join(session.scalars(select(Campaign.code))) or "（无）"
            raise NotFound(f"找不到活动 {code}（已有：{known}）")
        return c
    rows = list(session.scalars(select(Campaign).order_by(Campaign.id)).all())
    if not rows:
        raise NotFound("数据库中还没有创建活动，请先运行 cw init --config 活动配置文件")
    if len(rows) > 1:
        raise InvalidInput(f"数据库中有多个活动，请用 --campaign 指定：{'、'.join(r.code for r in rows)}")
    return rows[0]


def _spec_json(spec: CampaignFile) -> dict:
    return json.loads(spec.model_dump_json())


def _upsert_campaign(session: Session, spec: CampaignFile, boundary: dict | None, now: dt.datetime) -> tuple[Campaign, bool]:
    info = spec.campaign
    c = session.scalars(select(Campaign).where(Campaign.code == info.code)).first()
    created = c is None
    if c is None:
        c = Campaign(code=info.code, created_at=now)
        session.add(c)
    c.name, c.county, c.timezone = info.name, info.county, info.timezone
    c.spec = _spec_json(spec)
    c.boundary = boundary
    c.boundary_label = info.boundary.label if info.boundary else None
    c.updated_at = now
    session.flush()
    return c, created


def _upsert_stages(session: Session, campaign: Campaign, spec: CampaignFile) -> None:
    stages = {s.seq: s for s in session.scalars(select(Stage).where(Stage.campaign_id == campaign.id))}
    phases = {p.name: p for p in session.scalars(select(Phase).where(Phase.campaign_id == campaign.id))}
    phase_seq = 0
    for seq, st in enumerate(spec.stages, start=1):
        row = stages.get(seq) or Stage(campaign_id=campaign.id, seq=seq)
        row.name, row.start_date, row.end_date = st.name, st.start, st.end
        session.add(row)
        session.flush()
        for ph in st.phases:
            phase_seq += 1
            p = phases.get(ph.name) or Phase(campaign_id=campaign.id, name=ph.name)
            p.stage_id, p.seq = row.id, phase_seq
            p.start_date, p.end_date, p.transition = ph.start, ph.end, ph.transition
            session.add(p)
    session.flush()


def _upsert_people(session: Session, campaign: Campaign, spec: CampaignFile) -> None:
    units = {name_key(u.name): u for u in session.scalars(select(Unit).where(Unit.campaign_id == campaign.id))}
    for us in spec.units:
        u = units.get(name_key(us.name)) or Unit(campaign_id=campaign.id, name=us.name)
        u.kind, u.aliases = us.kind.value, list(us.aliases)
        u.contacts = [c.model_dump(exclude_none=True) for c in us.contacts]
        u.notify = list(us.notify)
        session.add(u)
    leaders = {name_key(x.name): x for x in session.scalars(select(Leader).where(Leader.campaign_id == campaign.id))}
    for ls in spec.leaders:
        x = leaders.get(name_key(ls.name)) or Leader(campaign_id=campaign.id, name=ls.name)
        x.title, x.phone, x.aliases, x.notify = ls.title, ls.phone, list(ls.aliases), list(ls.notify)
        session.add(x)
    session.flush()


def _upsert_templates(session: Session, campaign: Campaign, spec: CampaignFile) -> None:
    units = unit_directory(session, campaign.id)
    existing = {t.code: t for t in session.scalars(select(TaskTemplate).where(TaskTemplate.campaign_id == campaign.id))}
    for ts in spec.task_templates:
        t = existing.get(ts.code) or TaskTemplate(campaign_id=campaign.id, code=ts.code)
        t.phase_name, t.category, t.title, t.description = ts.phase, ts.category, ts.title, ts.description
        t.scope, t.recurrence, t.milestones = ts.scope.value, ts.recurrence, ts.milestones
        t.deadline_rule, t.deadline_days = ts.deadline.rule, ts.deadline.days
        t.unit_id = _template_unit(units, ts.code, ts.unit).id if ts.unit else None
        session.add(t)
    session.flush()


def _template_unit(units: Directory[Unit], code: str, name: str) -> Unit:
    unit = units.find(name)
    if unit is None:
        raise ConfigError(f"任务模板「{code}」的单位「{name}」未在 units 中列出")
    return unit


def _boundary(loaded: LoadedCampaign) -> dict | None:
    ref = loaded.spec.campaign.boundary
    if ref is None:
        return None
    from shapely.geometry import mapping
    from shapely.ops import unary_union

    from maps.datum import to_wgs84
    from services.imports.geofiles import read_features

    feats = read_features(loaded.resolve(ref.file))
    geoms = [to_wgs84(f.geometry, ref.datum) for f in feats if f.geometry is not None]
    if not geoms:
        raise InvalidInput(f"{loaded.resolve(ref.file)}: 边界文件中没有图形")
    return json.loads(json.dumps(mapping(unary_union(geoms))))


def init_campaign(session: Session, *, loaded: LoadedCampaign, now: dt.datetime) -> InitReport:
    """Create or update the campaign described by ``loaded``, with its segments and 包联 table."""
    spec = loaded.spec
    campaign, created = _upsert_campaign(session, spec, _boundary(loaded), now)
    _upsert_stages(session, campaign, spec)
    _upsert_people(session, campaign, spec)
    _upsert_templates(session, campaign, spec)
    report = InitReport(campaign=campaign.code, created=created)
    if spec.segments:
        report.segments = import_segments(
            session, campaign=campaign, path=loaded.resolve(spec.segments.file),
            datum=spec.segments.datum, layer=spec.segments.layer, now=now)
    if spec.assignments:
        report.assignments = import_assignments(
            session, campaign=campaign, path=loaded.resolve(spec.assignments.file),
            sheet=spec.assignments.sheet, create_missing=False, now=now)
    if spec.places:
        from services.campaigns.context import load_context
        from services.inspections.places import import_places

        report.places = import_places(
            session, ctx=load_context(session, campaign=campaign), path=loaded.resolve(spec.places.file),
            datum=spec.places.datum, layer=spec.places.layer, now=now)
    return report
