"""The validated campaign file a campaign was loaded from, kept in the database."""

from __future__ import annotations

import json
from functools import lru_cache

from config.campaign import CampaignFile
from models import Campaign


@lru_cache(maxsize=64)
def _parse(text: str) -> CampaignFile:
    return CampaignFile.model_validate(json.loads(text))


def campaign_spec(campaign: Campaign) -> CampaignFile:
    """The campaign's spec as a CampaignFile (parsed once per distinct content)."""
    return _parse(json.dumps(campaign.spec, sort_keys=True, ensure_ascii=False))
