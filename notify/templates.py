"""Every Chinese text the notifications use, in one place (公文 style, short).

Each template is a plain function returning ``(title, body)``; the adapters only add layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from rules.vocabulary import ProblemAction, ProblemLevel, surface_table

Notice = tuple[str, str]

#: a problem's step as a notice names it; a raised problem reaches its holder as news, not as an act
ACTION = surface_table(ProblemAction, {ProblemAction.RAISED: "新问题"})
LEVEL = surface_table(ProblemLevel)
TABLES: dict[type[Enum], dict[Any, str]] = {ProblemAction: ACTION, ProblemLevel: LEVEL}

#: label of the link to the item in the system
LINK_TEXT = "查看详情"
#: lead-in for mobile numbers where the channel cannot mention them natively (Feishu)
MENTION_PREFIX = "请以下同志关注："
#: appended where a body had to be shortened to fit a platform's byte limit
TRUNCATION_NOTE = "…（内容过长，详见系统）"


def test_message(target_name: str) -> Notice:
    """Connectivity test for a newly configured target."""
    return (
        "【测试】通知渠道连通测试",
        f"本消息用于测试通知渠道「{target_name}」。收到即表示配置正确，无需回复。",
    )


def escalation_notice(
    problem_title: str,
    segment: str,
    level_name: str,
    deadline_text: str,
    opinions: Sequence[str],
    reason: str,
) -> Notice:
    """A problem handed up the coordination ladder (上报), with the opinions gathered so far."""
    lines = [
        f"路段：{segment}",
        f"呈报：{level_name}",
        f"上报原因：{reason}",
        f"办理时限：{deadline_text}",
        "前序意见：" + ("" if opinions else "无"),
        *_numbered(opinions),
        "请及时研究解决；逾期未办结的，将按程序继续上报。",
    ]
    return f"【上报】{problem_title}", "\n".join(lines)


def supervision_notice(doc_no: str, unit: str, items: Sequence[str], deadline_text: str) -> Notice:
    """A numbered 督办单 listing the problems a unit must rectify."""
    lines = [
        f"{unit}：",
        "经督查，你单位存在以下问题，现予督办：",
        *_numbered(items),
        f"请于{deadline_text}前整改到位，并将整改情况书面报送创卫办。",
    ]
    return f"【督办】创卫督办单{doc_no}", "\n".join(lines)


def reminder(task_title: str, deadline_text: str) -> Notice:
    """A task is due soon."""
    return (
        f"【提醒】{task_title}",
        f"任务「{task_title}」办理时限为{deadline_text}，请抓紧落实，完成后及时打卡销号。",
    )


def overdue_notice(task_title: str, unit: str, deadline_text: str, overdue_text: str) -> Notice:
    """A task or rectification is past its deadline."""
    return (
        f"【逾期】{task_title}",
        f"{unit}：\n任务「{task_title}」办理时限为{deadline_text}，现已逾期{overdue_text}。"
        "请立即办理，并向创卫办说明逾期原因。",
    )


def sanction_notice(kind: str, unit: str, reason: str) -> Notice:
    """A confirmed sanction (通报批评, 黄牌警告, 约谈)."""
    return (
        f"【{kind}】{unit}",
        f"经创卫办研究，决定对{unit}予以{kind}。\n事由：{reason}\n请认真反思，举一反三，立即整改。",
    )


def problem_step(label: str, problem_title: str, segment: str, deadline_text: str, note: str | None) -> Notice:
    """A problem handed to a new holder other than by 上报: 退回, 退单, 交办/改派, 返工, 延期/挂账 decisions."""
    lines = [f"路段：{segment}", f"事项：{label}"]
    if note:
        lines.append(f"说明：{note}")
    lines += [f"办理时限：{deadline_text}", "请按时限办理，办结后在系统中填写处理情况。"]
    return f"【{label}】{problem_title}", "\n".join(lines)


def verification_request(problem_title: str, segment: str, resolver: str, note: str) -> Notice:
    """A problem reported solved: 创卫办 verifies (核实) it before closing."""
    return (
        f"【待核实】{problem_title}",
        f"路段：{segment}\n办结单位：{resolver}\n处理情况：{note}\n请安排核实，核实通过后销号；未通过的退回返工。",
    )


def extension_request(kind: str, problem_title: str, requester: str, until_text: str, reason: str) -> Notice:
    """A 延期 or 挂账 request for the approving level."""
    return (
        f"【{kind}申请】{problem_title}",
        f"{requester}申请{kind}至{until_text}。\n理由：{reason}\n请审批。",
    )


def brief_summary(issue_no: int, week: str, highlights: Sequence[str]) -> Notice:
    """Announcement of a weekly 创卫简报 issue."""
    lines = [f"统计周期：{week}", "本期要点：", *(_numbered(highlights) or ["本期无特别事项。"])]
    return f"【简报】创卫简报第{issue_no}期", "\n".join(lines)


def digest(messages: Sequence[Notice]) -> Notice:
    """Merge a burst of notices into one message that lists their titles."""
    if not messages:
        raise ValueError("a digest needs at least one message")
    lines = ["以下通知合并发送：", *_numbered([title for title, _ in messages]), "各项详情请登录系统查看。"]
    return f"【汇总】通知{len(messages)}条", "\n".join(lines)


def _numbered(items: Sequence[str]) -> list[str]:
    return [f"{i}. {item}" for i, item in enumerate(items, 1)]
