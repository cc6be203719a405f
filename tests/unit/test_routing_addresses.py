"""Placing 12345 addresses on segments by name (rules.address_match), never by a guess."""

from __future__ import annotations

import pytest

from rules.address_match import NamedSegment, crossings, match_address

SEGMENTS = [
    NamedSegment(15, "阜通东大街（广顺南大街至阜荣街段）", "阜通东大街"),
    NamedSegment(16, "阜通东大街（阜荣街至望京街段）", "阜通东大街"),
    NamedSegment(17, "阜通东大街（望京街至阜安路段）", "阜通东大街"),
    NamedSegment(21, "望京街（宏昌路至阜安西路段）", "望京街"),
    NamedSegment(22, "望京街（阜安西路至阜通东大街段）", "望京街"),
    NamedSegment(28, "阜安路（阜通东大街至宏泰东街段）", "阜安路"),
    NamedSegment(5, "阜安西路（广顺南大街至望京街段）", "阜安西路"),
    NamedSegment(24, "阜荣街（东段）", "阜荣街"),
    NamedSegment(16, "阜通东大街东侧巷道1", None),  # an alley stands for its parent segment
]


def test_crossings_are_read_from_the_segment_name():
    assert crossings("阜通东大街（阜荣街至望京街段）") == ("阜荣街", "望京街")
    assert crossings("河荫中路（东段）") == ()


@pytest.mark.parametrize(("address", "expected"), [
    ("朝阳区阜通东大街（阜荣街至望京街段）南侧", 16),  # the segment's own name
    ("阜通东大街东侧巷道1 垃圾堆放", 16),  # an alley's name: its parent
    ("阜通东大街望京街至阜安路段 便利店门口", 17),  # both crossings named
    ("阜安路近宏泰东街", 28),  # a street with one segment here
    ("阜荣街12号", 24),  # a street with a single segment
    ("阜安西路近广顺南大街", 5),
])
def test_routing_an_address_by_street_and_crossing_names(address, expected):
    assert match_address(address, SEGMENTS) == expected


@pytest.mark.parametrize("address", [
    "阜通东大街88号",  # which of its three segments?
    "望京街与阜通东大街交叉口",  # the junction of three segments
    "阜安路与阜通东大街路口",  # the end of two segments
    "花家地北里小区",  # no street of the campaign
    "",
])
def test_routing_an_uncertain_address_finds_nothing_so_it_goes_to_triage(address):
    assert match_address(address, SEGMENTS) is None
