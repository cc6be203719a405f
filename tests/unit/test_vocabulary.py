"""One vocabulary: every closed set labelled once, and the campaign file validated against it."""

from __future__ import annotations

from enum import IntEnum

import pytest

import notify.templates
import web.text
from commands import labels as cli_labels
from config.assessment import RANKED_KINDS
from config.campaign import TaskTemplateSpec, UnitSpec
from config.escalation import LEVEL_ORDER, LadderLevelSpec
from config.inspections import PLAN_KINDS
from rules import vocabulary as V
from services.briefs import texts as brief_texts


@pytest.mark.parametrize("enum", V.VOCABULARY, ids=lambda e: e.__name__)
def test_every_member_of_every_closed_set_has_a_chinese_label(enum):
    table = V.LABELS[enum]
    assert set(table) == set(enum)
    assert all(label.strip() and any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in table.values())


@pytest.mark.parametrize("enum", V.VOCABULARY, ids=lambda e: e.__name__)
def test_a_surface_table_is_complete_and_found_by_the_stored_value(enum):
    table = V.surface_table(enum)
    assert list(table) == list(enum)
    for member in enum:
        assert table[member.value] == V.label(member)


def test_a_surface_may_override_a_word_but_only_of_its_own_set():
    assert V.surface_table(V.TaskStatus, {V.TaskStatus.DONE: "待核查"})["done"] == "待核查"
    with pytest.raises(ValueError, match="TaskStatus"):
        V.surface_table(V.TaskStatus, {V.ProblemStatus.OPEN: "办理中"})  # type: ignore[dict-item]  # the mistake under test


def test_members_compare_and_format_as_their_stored_values():
    assert V.TaskStatus.OPEN == "open" and f"{V.TaskStatus.OPEN}" == "open"
    assert V.AccStage.SUPERVISED == 3 and isinstance(V.AccStage.SUPERVISED, IntEnum)
    assert V.ProblemLevel.OFFICE == V.UnitKind.OFFICE == "创卫办"


def test_yellow_names_one_thing_per_set():
    assert (V.RatingColour.YELLOW, V.Light.YELLOW, V.AccStage.YELLOW_CARD, V.SanctionKind.YELLOW_CARD) == (
        "黄", "yellow", 5, "黄牌警告")


def test_the_campaign_file_is_validated_against_the_vocabulary_itself():
    """config takes its closed sets from rules.vocabulary: no second copy to drift."""
    assert TaskTemplateSpec.model_fields["scope"].annotation is V.TemplateScope
    assert TaskTemplateSpec.model_fields["recurrence"].annotation is V.Recurrence
    assert UnitSpec.model_fields["kind"].annotation is V.UnitKind
    assert LadderLevelSpec.model_fields["level"].annotation is V.ProblemLevel
    assert LEVEL_ORDER == V.values(V.ProblemLevel)
    assert PLAN_KINDS == V.values(V.InspectionKind)
    assert set(RANKED_KINDS) < set(V.values(V.UnitKind))


def test_the_office_is_named_once():
    assert V.OFFICE_NAME == V.ProblemLevel.OFFICE == V.UnitKind.OFFICE
    assert V.label(V.UserRole.OFFICE) == V.OFFICE_NAME


@pytest.mark.parametrize("surface", [web.text, cli_labels, notify.templates, brief_texts],
                         ids=["web", "cli", "notifications", "brief"])
def test_every_surface_labels_every_member_of_each_closed_set_it_shows(surface):
    assert surface.TABLES
    for enum, table in surface.TABLES.items():
        assert enum in V.VOCABULARY
        assert list(table) == list(enum), enum.__name__
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in table.values()), enum.__name__


def test_a_notice_announces_a_raised_problem_as_news():
    assert notify.templates.ACTION[V.ProblemAction.RAISED] == "新问题"
    assert notify.templates.ACTION["escalated"] == V.label(V.ProblemAction.ESCALATED)
