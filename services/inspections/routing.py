"""Route points of a campaign to its 路段: nearest line within the buffer, alleys to their parent.

The index is built from the campaign's stored segments at most once per unit of work (it lives
on the ``CampaignContext``, so an import that changes the segments is seen by the next one) and
measured in the data's UTM zone. A long-lived process that routes one point per request (the web
app) keeps a ``RouterCache``: building the index for 5,000 segments costs ~125 ms, checking that
the stored segments are unchanged costs one aggregate query.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from maps.geometry import from_geojson_dict
from maps.routing import SegmentIndex
from models import Assignment, AssignmentMember, Segment
from models.geo import ALLEY


@dataclass(frozen=True)
class Routed:
    """Where a point landed: its 路段 (None = triage), the 巷道 it lies on, the distance."""

    segment_id: int | None
    alley_id: int | None
    distance_m: float | None


@dataclass(frozen=True)
class Responsibility:
    """Who answers for a 路段 now: 牵头部门, 包段县级领导 and 参与单位."""

    lead_unit_id: int
    leader_id: int
    members: tuple[int, ...]

    @property
    def units(self) -> frozenset[int]:
        return frozenset((self.lead_unit_id, *self.members))


class CampaignRouter:
    """Nearest-line routing over (id, kind, parent id, GeoJSON geometry) rows."""

    def __init__(self, rows: Sequence[tuple[int, str, int | None, dict[str, Any]]]):
        self.parent = {i: (p if kind == ALLEY else None) for i, kind, p, _ in rows}
        self._ids = np.array(sorted(self.parent), dtype=np.int64)
        self._parents = np.array([self.parent[i] or -1 for i in self._ids.tolist()], dtype=np.int64)
        records = []
        for i, _, _, geometry in rows:
            g = from_geojson_dict(geometry)
            records += [(i, part) for part in getattr(g, "geoms", [g])]
        self.index = SegmentIndex(records) if records else None

    def route(self, lon: float, lat: float, buffer_m: float) -> Routed:
        """Route one WGS-84 point."""
        ids, dist = self.route_many([lon], [lat], buffer_m)
        seg, alley = (int(v) for v in ids[0])
        return Routed(seg if seg >= 0 else None, alley if alley >= 0 else None,
                      None if np.isnan(dist[0]) else float(dist[0]))

    def route_many(self, lons: ArrayLike, lats: ArrayLike, buffer_m: float) -> tuple[NDArray[np.int64], NDArray]:
        """(n×2 array of [路段 id, 巷道 id] with -1 for none, distances in metres, NaN for none)."""
        n = len(np.asarray(lons, dtype=float).ravel())
        if self.index is None:
            return np.full((n, 2), -1, dtype=np.int64), np.full(n, np.nan)
        line, dist = self.index.route_many(lons, lats, buffer_m)
        hit = line >= 0
        parent = np.full(n, -1, dtype=np.int64)
        parent[hit] = self._parents[np.searchsorted(self._ids, line[hit])]
        on_alley = parent >= 0
        out = np.full((n, 2), -1, dtype=np.int64)
        out[:, 0] = np.where(on_alley, parent, line)
        out[on_alley, 1] = line[on_alley]
        return out, dist


def build_router(session: Session, campaign_id: int) -> CampaignRouter:
    """A router over the campaign's stored segments (``CampaignContext.router`` keeps one per unit of work)."""
    rows = session.execute(select(Segment.id, Segment.kind, Segment.parent_id, Segment.geometry)
                           .where(Segment.campaign_id == campaign_id).order_by(Segment.id)).all()
    return CampaignRouter([(i, kind, parent, geometry) for i, kind, parent, geometry in rows])


#: what identifies the stored segments of a campaign: count, id range and sums over the columns routing reads
Fingerprint = tuple[Any, ...]


def segment_fingerprint(session: Session, campaign_id: int) -> Fingerprint:
    """One aggregate over the campaign's segments that changes when a row is added, removed or re-drawn.

    An import writes new ids, kind/parent or bounding boxes, and rewrites the GeoJSON text; a change
    that kept every one of those sums equal would be missed, which no import produces.
    """
    s = Segment
    return tuple(session.execute(select(
        func.count(), func.max(s.id), func.sum(s.id), func.sum(func.coalesce(s.parent_id, 0)),
        func.sum(func.length(s.kind)), func.sum(func.length(s.geometry)),
        func.sum(s.min_lon), func.sum(s.min_lat), func.sum(s.max_lon), func.sum(s.max_lat),
    ).where(s.campaign_id == campaign_id)).one())


class RouterCache:
    """Routers kept across units of work by a long-lived owner (the web app's services), per campaign.

    ``get`` rebuilds a campaign's router when its segments' fingerprint differs from the cached
    one, so an import made by another process is seen by the next request. Thread-safe: routers
    are read-only once built; two requests that miss at once may both build (the last one stays).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[Fingerprint, CampaignRouter]] = {}

    def get(self, session: Session, campaign_id: int) -> CampaignRouter:
        """The campaign's router for this unit of work, built only when the stored segments changed."""
        fingerprint = segment_fingerprint(session, campaign_id)
        with self._lock:
            hit = self._entries.get(campaign_id)
        if hit is not None and hit[0] == fingerprint:
            return hit[1]
        router = build_router(session, campaign_id)
        with self._lock:
            self._entries[campaign_id] = (fingerprint, router)
        return router


def responsibility(session: Session, campaign_id: int, segment_ids: Sequence[int] | None = None
                   ) -> dict[int, Responsibility]:
    """Active 包联 of the given 路段 (all when None)."""
    params = {"campaign_id": campaign_id, "segments": None if segment_ids is None else list(segment_ids)}
    rows = session.execute(_responsibility_query(segment_ids is not None), params).all()
    members: dict[int, list[int]] = {}
    if rows:
        for a_id, unit_id in session.execute(_members_query(), {"assignments": [r[0] for r in rows]}):
            members.setdefault(a_id, []).append(unit_id)
    return {seg: Responsibility(lead, leader, tuple(sorted(members.get(a_id, []))))
            for a_id, seg, lead, leader in rows}


@functools.cache
def _responsibility_query(of_segments: bool) -> Select[tuple[int, int, int, int]]:
    """The active 包联 (of the segments in parameter ``segments`` when ``of_segments``), built once: routing a
    finding asks for its segment's."""
    q = select(Assignment.id, Assignment.segment_id, Assignment.lead_unit_id, Assignment.leader_id).where(
        Assignment.campaign_id == bindparam("campaign_id"), Assignment.valid_to.is_(None))
    return q.where(Assignment.segment_id.in_(bindparam("segments", expanding=True))) if of_segments else q


@functools.cache
def _members_query() -> Select[tuple[int, int]]:
    """The participating units of the 包联 in parameter ``assignments``, built once."""
    return (select(AssignmentMember.assignment_id, AssignmentMember.unit_id)
            .where(AssignmentMember.assignment_id.in_(bindparam("assignments", expanding=True))))
