"""Assessment on the example campaign with seeded activity: indicators from the database, scores,
rankings within each kind, and a ranking checked by hand against the raw rows (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Task, Tick
from services.assessment.counts import SEGMENT
from services.assessment.ranking import assess, period_for, week_period
from services.campaigns.loading import get_campaign
from tests.conftest import at
from tests.support.assessment_world import DILIGENT, LAGGING, MIDDLING, seed, unit_id

NOW = at("2025-02-10 10:00")


def _assess(db, now=NOW, **period):
    with db.reader() as s:
        c = get_campaign(s)
        return assess(s, campaign=c, period=period_for(s, c, now=now, **period), now=now)


def _by_hand(s, name: str, start, as_of) -> float | None:
    """The 专业部门评价 composite computed directly from the task and tick rows of one unit."""
    uid = unit_id(s, name)
    tasks = s.scalars(select(Task).where(Task.unit_id == uid)).all()
    handled = [t for t in tasks if t.done_at is not None and start <= t.done_at < as_of]
    on_time = [t for t in handled if t.done_at <= t.deadline]
    verified = [t for t in handled if t.verified_at is not None and t.verified_at < as_of]
    overdue = [t for t in tasks if (t.done_at is None or t.done_at >= as_of) and t.deadline < as_of]
    ticks = s.scalars(select(Tick).join(Task, Task.id == Tick.task_id).where(Task.unit_id == uid)).all()
    checks = [k for k in ticks if k.verdict and start <= k.verified_at < as_of]
    rework = [k for k in checks if k.verdict == "reject"]
    due = len(handled) + len(overdue)
    if due == 0:
        return None
    tier = 10 if due <= 50 else 9 if due <= 100 else 7.5  # the example's units stay below 200
    parts = [(0.3, len(verified) / due), (0.3, len(on_time) / due), (0.1, tier / 10)]
    if checks:
        parts.append((0.3, 1 - len(rework) / len(checks)))
    return 100 * sum(w * x for w, x in parts) / sum(w for w, _ in parts)


def test_assess_phase_ranking_matches_a_computation_by_hand_for_three_units(db, example):
    seed(db)
    result = _assess(db, phase="起步")
    rows = {r.name: r for r in result.rows}
    with db.reader() as s:
        for name in (DILIGENT, MIDDLING, LAGGING):
            assert rows[name].score == pytest.approx(_by_hand(s, name, result.period.start, result.period.as_of))
    assert rows[DILIGENT].score == pytest.approx(100.0) and rows[DILIGENT].rank == 1
    lead = sorted((r for r in result.rows if r.kind == "牵头部门"), key=lambda r: r.rank)
    assert lead[-1].name == LAGGING and rows[LAGGING].rank == len(lead) == rows[LAGGING].ranked


def test_assess_counts_for_the_middling_unit_are_the_ones_seeded(db, example):
    ids = seed(db)
    week = {r.name: r for r in _assess(db, week="2025-W02").rows}[MIDDLING].indicators
    with db.reader() as s:
        early = s.scalars(select(Task).where(Task.id.in_(ids[MIDDLING]),
                                             Task.deadline <= at("2025-01-27 18:00"))).all()
        late = [t for t in early if t.deadline < at("2025-01-07 09:00")]
    n = len(early)
    c = week.counts
    assert (c.handled, c.verified, c.overdue) == (n, n, 0)
    assert c.on_time == n - len(late)
    assert (c.checks, c.rework) == (n + 2, 2)  # n passes + 2 rejections
    assert week.rework_rate == pytest.approx(2 / (n + 2))


def test_assess_a_unit_with_nothing_to_do_in_a_week_is_no_data_not_zero(db, example):
    seed(db)
    rows = {r.name: r for r in _assess(db, week="2025-W03").rows}
    diligent = rows[DILIGENT]  # everything done in W01: nothing handled, nothing overdue in W03
    assert diligent.indicators.due == 0 and diligent.score is None and diligent.rank is None
    assert diligent.rating is None
    lagging = rows[LAGGING].indicators.counts  # its W01/W02 items are old backlog by W03, weighed but bounded
    assert rows[LAGGING].rating == "红" and lagging.overdue + lagging.backlog > 0


def test_assess_ranks_units_only_against_their_own_kind_and_only_among_three_or_more(db, example):
    seed(db)
    result = _assess(db, week="2025-W02")
    for kind in result.kinds():
        scored = [r for r in result.rows if r.kind == kind and r.score is not None]
        ranks = sorted(r.rank for r in scored if r.rank is not None)
        assert ranks == [] if len(scored) < 3 else ranks[0] == 1  # no "第1名" among one or two
    rows = {r.name: r for r in result.rows}
    before = {r.name: r for r in _assess(db, week="2025-W01").rows}
    now_rank, then_rank = rows[MIDDLING].rank, before[MIDDLING].rank
    assert rows[MIDDLING].movement == (None if now_rank is None or then_rank is None else then_rank - now_rank)


def test_assess_by_segment_rolls_alleys_into_their_segment(db, example):
    seed(db)
    with db.reader() as s:
        c = get_campaign(s)
        result = assess(s, campaign=c, period=week_period(c, "2025-W01", NOW), now=NOW, by=SEGMENT)
    assert len(result.rows) == 29 and {r.kind for r in result.rows} == {"路段"}
    assert any(r.score is not None for r in result.rows)


def test_assess_a_week_that_has_not_started_is_refused(db, example):
    from rules.errors import InvalidInput

    with pytest.raises(InvalidInput):
        _assess(db, week="2025-W30")
