"""A campaign reaching a year the calendar has no data for: warned early, refused when close."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from config.campaign import CampaignFile
from rules.errors import CalendarMissing
from services.campaigns.working_calendar import coverage_banners, coverage_notes, uncovered_years
from tests.conftest import EXAMPLE

TZ = dt.timezone(dt.timedelta(hours=8))


def _spec(end: str, **calendar) -> CampaignFile:
    data = yaml.safe_load((EXAMPLE / "campaign.yaml").read_text(encoding="utf-8"))
    data["stages"][-1]["end"] = end
    data["calendar"].update(calendar)
    return CampaignFile.model_validate(data)


def test_the_example_needs_no_year_the_calendar_lacks():
    assert uncovered_years(_spec("2026-06-30")) == []


def test_a_year_without_data_far_ahead_is_only_a_warning_naming_it():
    notes = coverage_notes(_spec("2027-06-30"), dt.datetime(2026, 6, 1, tzinfo=TZ))
    assert any("2027" in n for n in notes)


def test_within_sixty_days_of_a_year_without_data_the_campaign_is_refused_naming_the_year():
    with pytest.raises(CalendarMissing) as e:
        coverage_notes(_spec("2027-06-30"), dt.datetime(2026, 11, 24, tzinfo=TZ))
    assert "2027" in e.value.message and e.value.exit_code == 2


def test_pages_and_status_get_a_banner_instead_of_an_error():
    banners = coverage_banners(_spec("2027-06-30"), dt.datetime(2026, 11, 24, tzinfo=TZ))
    assert banners and "2027" in banners[0]


def test_a_year_the_office_typed_in_is_covered():
    spec = _spec("2027-06-30", complete_years=[2027],
                 overrides=[{"date": "2027-01-01", "workday": False, "note": "元旦"}])
    assert uncovered_years(spec) == []
