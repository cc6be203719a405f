"""The base of every campaign-file model: unknown keys are errors, text is stripped."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict

#: 创卫办, the office that runs the campaign: a copy of ``rules.vocabulary.OFFICE_NAME`` (config
#: imports nothing of the project; tests/unit/test_vocabulary.py keeps the two equal)
OFFICE_NAME: Final = "创卫办"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
