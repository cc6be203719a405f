"""Which notification targets reach a recipient: its own, the office's, else the campaign's defaults."""

from __future__ import annotations

from services.notifications.outbox import RecipientTargets

BOOK = RecipientTargets(
    office=("创卫办群", "政务协同平台"),
    default=("政务协同平台",),
    own={("unit", 1): ("牵头部门群", "职能部门邮箱"), ("unit", 2): (), ("leader", 7): ("县领导群",), ("leader", 8): ()},
)


def test_a_unit_that_names_its_own_targets_is_reached_by_those_only_in_order():
    assert BOOK.targets(("unit", 1)) == ["牵头部门群", "职能部门邮箱"]


def test_a_leader_that_names_its_own_targets_is_reached_by_those_only():
    assert BOOK.targets(("leader", 7)) == ["县领导群"]


def test_a_unit_or_leader_that_names_none_gets_the_default_targets():
    assert BOOK.targets(("unit", 2)) == ["政务协同平台"]
    assert BOOK.targets(("leader", 8)) == ["政务协同平台"]


def test_the_office_gets_the_office_targets_whatever_id_it_comes_with():
    assert BOOK.targets(("office", None)) == ["创卫办群", "政务协同平台"]
    assert BOOK.targets(("office", 1)) == ["创卫办群", "政务协同平台"]


def test_an_office_without_office_targets_gets_the_defaults():
    assert RecipientTargets(default=("政务协同平台",)).targets(("office", None)) == ["政务协同平台"]


def test_an_unknown_recipient_gets_the_defaults():
    for who in [("unit", 999), ("leader", 1), ("unit", None), ("segment", 1)]:
        assert BOOK.targets(who) == ["政务协同平台"], who


def test_with_no_defaults_a_recipient_naming_nothing_is_reached_by_nothing():
    assert RecipientTargets(own={("unit", 2): ()}).targets(("unit", 2)) == []
    assert RecipientTargets().targets(("office", None)) == []


def test_each_answer_is_a_fresh_list_the_caller_may_change():
    BOOK.targets(("unit", 1)).append("x")
    assert BOOK.targets(("unit", 1)) == ["牵头部门群", "职能部门邮箱"]
