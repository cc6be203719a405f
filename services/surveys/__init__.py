"""群众满意度测评 (public satisfaction surveys): create a survey with its public link and QR code, take one answer per device on the public page with a per-address cap, and report responses and the satisfaction rate (满意 + 基本满意), by segment where given.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.surveys.surveys import (
    PER_ADDRESS,
    SegmentChoice,
    SurveyInfo,
    SurveyPage,
    SurveyResult,
    answer_survey,
    close_survey,
    create_survey,
    period_label,
    qr_png,
    survey_page,
    survey_results,
)

__all__ = [
    "PER_ADDRESS",
    "SegmentChoice",
    "SurveyInfo",
    "SurveyPage",
    "SurveyResult",
    "answer_survey",
    "close_survey",
    "create_survey",
    "period_label",
    "qr_png",
    "survey_page",
    "survey_results",
]
