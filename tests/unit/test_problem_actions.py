"""Who may do what to a problem at which level: the one rule behind the buttons, the API's 403s and the CLI."""

from __future__ import annotations

import pytest

from rules import ladders as L
from rules import problem_actions as R
from rules.errors import Conflict, Forbidden
from rules.vocabulary import ProblemVerb as V


def at(level: str, by: str, **kw) -> R.Standing:
    return R.Standing(level=level, status=kw.pop("status", L.OPEN), by=by, **kw)


def test_a_participating_unit_holding_a_problem_may_resolve_escalate_return_and_ask_for_time():
    assert R.allowed(at(L.MEMBER, L.BY_HOLDER)) == (V.RESOLVE, V.ESCALATE, V.RETURN, V.EXTENSION)


def test_a_participating_unit_may_not_sign_an_opinion_and_is_told_why_in_chinese():
    refusal = R.refusal(V.OPINION, at(L.MEMBER, L.BY_HOLDER))
    assert isinstance(refusal, Forbidden) and refusal.http_status == 403
    assert "县级领导" in refusal.message


def test_the_lead_department_escalates_its_own_level_with_its_opinion_and_has_nothing_to_do_below():
    assert V.ESCALATE in R.allowed(at(L.LEAD, L.BY_HOLDER))
    assert R.allowed(at(L.MEMBER, L.BY_LEAD)) == ()


def test_at_the_leaders_level_the_leader_signs_and_the_lead_department_carries_only_after_the_opinion():
    assert R.allowed(at(L.LEADER, L.BY_HOLDER)) == (V.OPINION,)  # the county leader holding it
    assert R.allowed(at(L.LEADER, L.BY_LEAD)) == (V.RESOLVE,)  # 协调办结 only, until the leader signs
    assert isinstance(R.refusal(V.ESCALATE, at(L.LEADER, L.BY_LEAD)), Conflict)
    assert R.allowed(at(L.LEADER, L.BY_LEAD, leader_signed=True)) == (V.RESOLVE, V.ESCALATE)


def test_nobody_but_the_holder_may_return_or_ask_for_time_and_the_leaders_level_has_no_return():
    for by in (L.BY_LEAD, L.BY_LEADER, L.BY_OTHER):
        assert isinstance(R.refusal(V.RETURN, at(L.MEMBER, by)), Forbidden)
    assert isinstance(R.refusal(V.RETURN, at(L.LEADER, L.BY_HOLDER)), Forbidden)
    assert isinstance(R.refusal(V.EXTENSION, at(L.LEADER, L.BY_LEAD)), Forbidden)


def test_a_request_is_decided_by_the_level_above_or_the_office():
    asked = {"pending": "延期", "approver": L.LEAD}
    assert {V.APPROVE, V.REJECT} <= set(R.allowed(at(L.MEMBER, L.BY_LEAD, **asked)))
    assert isinstance(R.refusal(V.APPROVE, at(L.MEMBER, L.BY_HOLDER, **asked)), Forbidden)
    assert isinstance(R.refusal(V.APPROVE, at(L.MEMBER, L.BY_LEADER, **asked)), Forbidden)
    assert R.refusal(V.APPROVE, at(L.MEMBER, L.BY_OFFICE, **asked)) is None
    assert isinstance(R.refusal(V.EXTENSION, at(L.MEMBER, L.BY_HOLDER, **asked)), Conflict)
    assert isinstance(R.refusal(V.APPROVE, at(L.MEMBER, L.BY_LEAD)), Conflict)  # nothing pending


def test_the_office_may_do_its_own_things_at_every_level_and_others_may_not():
    office_only = (V.ASSIGN, V.HOLD, V.SUPERVISE)
    for level in (L.MEMBER, L.LEAD, L.LEADER, L.OFFICE):
        assert set(office_only) | {V.RESOLVE, V.OPINION} <= set(R.allowed(at(level, L.BY_OFFICE)))
        for by in (L.BY_HOLDER, L.BY_LEAD, L.BY_LEADER, L.BY_OTHER):
            assert not set(office_only) & set(R.allowed(at(level, by)))


def test_a_resolved_problem_can_only_be_verified_by_the_office():
    done = {"status": L.RESOLVED}
    assert R.allowed(at(L.LEAD, L.BY_OFFICE, **done)) == (V.VERIFY,)
    assert R.allowed(at(L.LEAD, L.BY_HOLDER, **done)) == ()
    assert isinstance(R.refusal(V.RESOLVE, at(L.LEAD, L.BY_HOLDER, **done)), Conflict)


def test_an_assigned_unit_at_the_top_may_return_it_but_the_office_holding_it_itself_may_not():
    assert V.RETURN in R.allowed(at(L.OFFICE, L.BY_HOLDER, assigned=True))
    assert V.RETURN not in R.allowed(at(L.OFFICE, L.BY_HOLDER))


@pytest.mark.parametrize("verb", list(V))
def test_every_verb_has_a_grant_and_a_chinese_reason(verb):
    assert R.GRANTS[verb] and any("\u4e00" <= ch <= "\u9fff" for ch in R.FORBIDDEN_TEXT[verb])
