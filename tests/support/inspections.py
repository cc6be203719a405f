"""Helpers for the inspection, finding, complaint and ledger tests on the example campaign."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from models import Assignment, Campaign, OutboxMessage, Segment, Unit
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.phases import advance_phases

DATA = Path(__file__).resolve().parent.parent / "data"
TZ = dt.timezone(dt.timedelta(hours=8))
POIS = {f["properties"]["osm_id"]: f for f in
        json.loads((DATA / "beijing_wangjing_pois.geojson").read_text(encoding="utf-8"))["features"]}

# real points (OSM POIs) standing in for finding and complaint locations, hand-checked
WANGJING_BUS_STOP = "4724147442"  # on 望京街 → LD-21
GRID_OFFICE = "3645418972"  # 国家电网营业厅, addr:street 广顺南大街 → alley XD-53 of LD-27
HOUZHUANG_STOP = "4697068430"  # 侯庄路口北 on 广顺北大街 → LD-11
HYATT = "7622324209"  # 72 m from the nearest segment: outside the 60 m buffer


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def lonlat(osm_id: str) -> tuple[float, float]:
    lon, lat = POIS[osm_id]["geometry"]["coordinates"]
    return lon, lat


def open_first_phase(db) -> None:
    """Open 起步 (2025-01-01) as the daily flow would."""
    with db.unit_of_work() as s:
        advance_phases(s, ctx=load_context(s, campaign=get_campaign(s)), now=at("2025-01-02 00:05"))


def with_sink_targets(db) -> None:
    """Give the example a notification target everyone falls back to, so the outbox shows who hears what."""
    with db.unit_of_work() as s:
        c = s.scalars(select(Campaign)).one()
        spec = dict(c.spec)
        spec["notifications"] = {"targets": [{"name": "sink", "channel": "webhook", "url": "http://127.0.0.1:9/hook"}],
                                 "office_targets": ["sink"], "default_targets": ["sink"]}
        c.spec = spec


def segment(s, code: str) -> Segment:
    return s.scalars(select(Segment).where(Segment.code == code)).one()


def lead_of(s, code: str) -> Unit:
    seg = segment(s, code)
    a = s.scalars(select(Assignment).where(Assignment.segment_id == seg.id, Assignment.valid_to.is_(None))).one()
    return s.get(Unit, a.lead_unit_id)


def unit(s, name: str) -> Unit:
    return s.scalars(select(Unit).where(Unit.name == name)).one()


def outbox_recipients(s) -> list[tuple[str, str, dict]]:
    """(recipient, template, payload) of every outbox row, oldest first."""
    return [(m.payload["recipient"], m.template, m.payload)
            for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
