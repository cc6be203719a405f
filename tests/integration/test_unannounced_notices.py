"""暗访 stays secret in the outbox (issue 16): until its round is published, no notice about it goes
through a default target or any target a unit or leader reads."""

from __future__ import annotations

from sqlalchemy import select

from models import Leader, OutboxMessage, Unit
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections.planning import office_only_targets, plan_week
from tests.support.inspections import at, open_first_phase


def test_every_outbox_row_of_an_unpublished_unannounced_round_goes_to_office_only_targets(db, example):
    open_first_phase(db)
    with db.unit_of_work() as s:
        ctx = load_context(s, campaign=get_campaign(s))
        rounds = {p.kind: p for p in plan_week(s, ctx=ctx, week="2025-W18", now=at("2025-04-28 07:30"), seed=7)}
    secret = rounds["暗访"]
    with db.reader() as s:
        ctx = load_context(s, campaign=get_campaign(s))
        spec = ctx.spec.notifications
        read_by_others = set(spec.default_targets)
        for names in (*s.scalars(select(Unit.notify).where(Unit.kind != "创卫办")), *s.scalars(select(Leader.notify))):
            read_by_others.update(names or ())
        office_only = office_only_targets(s, ctx)
        assert office_only and not set(office_only) & read_by_others
        rows = list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        about = [m for m in rows if m.payload.get("inspection_id") == secret.id or secret.title in str(m.payload)]
        assert about, "the office hears of its own round"
        for m in about:
            assert m.target in office_only and m.target not in read_by_others, (m.target, m.payload["recipient"])
            assert m.payload["recipient"] == "office:" and m.payload["confidential"] is True
        announced = [m for m in rows if m.payload.get("inspection_id") == rounds["定期"].id]
        assert announced and all(m.payload["confidential"] is False for m in announced)
