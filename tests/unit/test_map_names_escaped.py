"""Names from imported files reach the folium maps as text, never as HTML (issue 16)."""

from __future__ import annotations

import dataclasses

from maps.render_folium import progress_map
from tests.unit.test_render_folium import WANGJING_BOX, wangjing_points, wangjing_segments

EVIL = '<img src=x onerror="alert(document.domain)">'


def test_hostile_segment_unit_leader_and_point_names_are_escaped_in_the_progress_map():
    segments = [dataclasses.replace(s, name=s.name + EVIL, street=(s.street or "") + EVIL, leader=EVIL,
                                    lead_unit=EVIL, units=(EVIL,)) for s in wangjing_segments()]
    findings, problems, inspections = wangjing_points()
    findings = [dataclasses.replace(p, label=p.label + EVIL, category=p.category) for p in findings]
    page = progress_map(segments, title="进度图" + EVIL, boundary=WANGJING_BOX, findings=findings,
                        problems=problems, inspections=inspections)
    assert "<img src=x" not in page and 'onerror="alert' not in page
    assert "&lt;img src=x onerror=" in page  # shown to the reader as the text it is
