"""``assessment:`` in campaign.yaml: score weights and weekly rating rules (issue 9 fills it)."""

from __future__ import annotations

from config.base import Strict


class AssessmentSpec(Strict):
    pass
