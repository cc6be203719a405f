"""The Chinese texts the ladders send (notify/templates.py): titles name the step, bodies what to do."""

from __future__ import annotations

from notify import templates


def test_a_problem_step_names_the_step_the_segment_the_note_and_the_new_limit():
    title, body = templates.problem_step("退回下级", "路灯损坏", "LD-03 光华路", "2025-03-25 18:00", "属参与单位职责")
    assert title == "【退回下级】路灯损坏"
    assert "LD-03 光华路" in body and "属参与单位职责" in body and "2025-03-25 18:00" in body


def test_a_step_without_a_note_leaves_the_line_out():
    _, body = templates.problem_step("交办（改派）", "路灯损坏", "LD-03", "2025-03-25 18:00", None)
    assert "说明" not in body


def test_verification_and_request_messages_say_who_and_what_is_asked():
    title, body = templates.verification_request("路灯损坏", "LD-03", "县公安局", "已更换灯具")
    assert title == "【待核实】路灯损坏" and "县公安局" in body and "已更换灯具" in body
    title, body = templates.extension_request("挂账", "道路硬化", "县水务局", "2025-06-30 18:00", "等专项资金")
    assert title == "【挂账申请】道路硬化" and "2025-06-30 18:00" in body and "等专项资金" in body
