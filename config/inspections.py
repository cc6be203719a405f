"""``inspections:`` in campaign.yaml: finding taxonomy, sampling, routing buffer (issue 7 fills it)."""

from __future__ import annotations

from config.base import Strict


class InspectionsSpec(Strict):
    pass
