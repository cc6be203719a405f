"""Campaigns (活动): loading a campaign file into the database and choosing the campaign a command acts on, the stored campaign file, the working calendar (工作日、调休) and its holiday data, 转段 from one sub-phase to the next with its 回头看 summary, the directory that finds units and leaders by the names offices write, and the campaign's status.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.campaigns.context import (
    PROCESS_SPECS,
    CampaignContext,
    SpecCache,
    load_context,
)
from services.campaigns.desk import (
    Desk,
    Progress,
    ProgressPage,
    SegmentLine,
    Waiting,
    office_desk,
    phase_list,
    progress_by_segment,
    progress_by_unit,
    segment_map,
    segment_table,
    unit_names,
)
from services.campaigns.directory import (
    unit_directory,
)
from services.campaigns.loading import (
    config_error,
    get_campaign,
    init_campaign,
)
from services.campaigns.phases import (
    AdvanceReport,
    PhaseSummary,
    advance_phases,
    instantiate_recurring,
)
from services.campaigns.status import (
    CampaignStatus,
    Rollup,
    RollupTotal,
    TaskCounts,
    campaign_status,
    rollup_status,
)
from services.campaigns.working_calendar import (
    coverage_notes,
)

__all__ = [
    "AdvanceReport",
    "CampaignContext",
    "CampaignStatus",
    "Desk",
    "PhaseSummary",
    "Progress",
    "ProgressPage",
    "Rollup",
    "RollupTotal",
    "SegmentLine",
    "PROCESS_SPECS",
    "SpecCache",
    "TaskCounts",
    "Waiting",
    "advance_phases",
    "campaign_status",
    "config_error",
    "coverage_notes",
    "get_campaign",
    "init_campaign",
    "instantiate_recurring",
    "load_context",
    "office_desk",
    "phase_list",
    "progress_by_segment",
    "progress_by_unit",
    "rollup_status",
    "segment_map",
    "segment_table",
    "unit_directory",
    "unit_names",
]
