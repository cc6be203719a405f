"""The validated campaign file a campaign was loaded from, kept in the database."""

from __future__ import annotations

from config.campaign import CampaignFile
from models import Campaign


def campaign_spec(campaign: Campaign) -> CampaignFile:
    """The campaign's spec as a CampaignFile; a unit of work uses its CampaignContext's ``spec`` instead."""
    return CampaignFile.model_validate(campaign.spec)
