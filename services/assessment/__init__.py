"""Assessment (考核): counts behind every indicator, composite scores and rankings, weekly ratings and 表彰 candidates proposed and confirmed, 约谈 recommendations, and the Excel record.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.assessment.counts import (
    SEGMENT,
    UNIT,
)
from services.assessment.export import (
    write_workbook,
)
from services.assessment.ranking import (
    RankingLine,
    assess,
    period_for,
    ranking_line,
    settings,
)
from services.assessment.record import (
    CommendationRow,
    ConfirmedCommendations,
    ConfirmedRatings,
    ProposedRatings,
    ScheduledProposals,
    StoredRating,
    confirm_commendations,
    confirm_ratings,
    list_commendations,
    list_ratings,
    propose_commendations,
    propose_ratings,
    scheduled_proposals,
)
from services.assessment.texts import (
    AS_OF,
    COLUMNS,
    RECORD_COLUMNS,
    movement,
    pct,
    points,
)

__all__ = [
    "AS_OF",
    "COLUMNS",
    "RECORD_COLUMNS",
    "SEGMENT",
    "UNIT",
    "CommendationRow",
    "ConfirmedCommendations",
    "ConfirmedRatings",
    "ProposedRatings",
    "RankingLine",
    "ScheduledProposals",
    "StoredRating",
    "assess",
    "confirm_commendations",
    "confirm_ratings",
    "list_commendations",
    "list_ratings",
    "movement",
    "pct",
    "period_for",
    "points",
    "propose_commendations",
    "propose_ratings",
    "ranking_line",
    "scheduled_proposals",
    "settings",
    "write_workbook",
]
