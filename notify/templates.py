"""Every Chinese text the notifications use, in one place (公文 style, short).

Each template is a plain function returning ``(title, body)``; the adapters only add layout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from rules.vocabulary import ProblemAction, ProblemLevel, surface_table
from rules.weeks import week_label

Notice = tuple[str, str]

_ISO_WEEK = re.compile(r"\d{4}-W\d{2}")

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
#: a card's title: WeCom advises at most 26 characters for ``main_title.title``
CARD_TITLE_CHARS = 26
#: a card's text: WeCom advises at most 112 characters for ``sub_title_text``
CARD_TEXT_CHARS = 112
#: a button's label (WeCom ``jump_list`` titles, DingTalk ``btns``)
BUTTON_CHARS = 13
#: ending of a card text shortened to fit
CARD_MORE = "…（点开查看全部）"
#: the WeCom text message that carries a card's mentions (a card cannot mention anyone)
MENTION_LINE = "请关注：{title}"


def short_title(title: str, limit: int = CARD_TITLE_CHARS) -> str:
    """``title`` cut to ``limit`` characters, with an ellipsis when cut."""
    return title if len(title) <= limit else title[: limit - 1] + "…"


def card_text(body: str, limit: int = CARD_TEXT_CHARS) -> str:
    """A body cut to ``limit`` characters at a line end where it can, with a note when cut."""
    if len(body) <= limit:
        return body
    room = limit - len(CARD_MORE)
    head = body[:room]
    cut = head.rfind("\n")
    return (head[:cut] if cut > room // 2 else head).rstrip() + CARD_MORE


def plain_text(title: str, body: str, link: str | None, links: Sequence[tuple[str, str]] = ()) -> str:
    """The fallback any channel can show: title, body and the links written out."""
    lines = [title, body]
    if link:
        lines.append(f"{LINK_TEXT}：{link}")
    lines += [f"{label}：{url}" for label, url in links if url != link]
    return "\n".join(lines)


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
    """A numbered 督办单 listing the problems a unit must rectify.

    The number already names the document (创卫督〔2025〕2号): the title adds only 督办单 where
    the number lacks it, so no word is said twice.
    """
    lines = [
        f"{unit}：",
        "经督查，你单位存在以下问题，现予督办：",
        *_numbered(items),
        f"请于{deadline_text}前整改到位，并将整改情况书面报送创卫办。",
    ]
    name = doc_no if "督" in doc_no else f"创卫督办单{doc_no}"
    return f"【督办】{name}", "\n".join(lines)


def reminder(task_title: str, deadline_text: str) -> Notice:
    """A task is due soon."""
    return (
        f"【提醒】{task_title}",
        f"任务「{task_title}」办理时限为{deadline_text}，请抓紧落实，完成后及时打卡销号。",
    )


def overdue_notice(task_title: str, unit: str, deadline_text: str, overdue_text: str) -> Notice:
    """A task or rectification is past its deadline (``overdue_text`` from ``overdue_span``)."""
    just_due = overdue_text in ("", "今日到期") or overdue_text.startswith("0")  # never "逾期0小时"
    state = "现已到期" if just_due else f"现已逾期{overdue_text}"
    return (
        f"【逾期】{task_title}",
        f"{unit}：\n任务「{task_title}」办理时限为{deadline_text}，{state}。"
        "请立即办理，并向创卫办说明逾期原因。",
    )


def overdue_span(hours: float) -> str:
    """How long past the deadline, as people say it: 今日到期 under an hour, then hours, then days."""
    whole = int(hours)
    if whole < 1:
        return "今日到期"
    if whole < 24:
        return f"{whole}小时"
    return f"{whole // 24}天"


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
    """Announcement of a weekly 创卫简报 issue; a week key (2025-W03) is written as its dates (1月13日—19日)."""
    if _ISO_WEEK.fullmatch(week):
        week = week_label(week)
    lines = [f"统计周期：{week}", "本期要点：", *(_numbered(highlights) or ["本期无特别事项。"])]
    return f"【简报】创卫简报第{issue_no}期", "\n".join(lines)


def when_text(t: datetime) -> str:
    """A local time as people write it in a notice: 1月3日18时 (18时30分), never ISO."""
    return f"{t.month}月{t.day}日{t.hour}时" + (f"{t.minute:02d}分" if t.minute else "")


def digest_item(title: str, deadline: datetime, overdue: bool) -> str:
    """One item of a morning digest: its name and when it is (was) due, as people write it."""
    when = when_text(deadline)
    return f"{title}——已逾期，时限{when}" if overdue else f"{title}——{when}前"


#: how a morning list ends, by who reads it
MORNING_CLOSING = {"unit": "点开即可办理、打卡销号。", "leader": "点开即可签署意见。", "office": "点开即可处理。"}


def morning_digest(day: date, segments: Sequence[tuple[str, Sequence[str], int]], line: str | None,
                   reader: str = "unit") -> Notice:
    """A recipient's morning list: per segment the items named (``more`` counted), then a leader's line."""
    lines: list[str] = []
    total = 0
    for segment, named, more in segments:
        lines.append(f"【{segment or '其他事项'}】")
        lines += [f"· {item}" for item in named]
        if more:
            lines.append(f"· 另有{more}项，详见清单")
        total += len(named) + more
    if line:
        lines.append(line)
    title = f"【今日待办】{day.month}月{day.day}日，{total}项待办理" if total else f"【今日提示】{day.month}月{day.day}日"
    lines.append(MORNING_CLOSING.get(reader, MORNING_CLOSING["unit"]) if total else "点开查看详情。")
    return title, "\n".join(lines)


def leader_line(late: Sequence[tuple[str, int]]) -> str:
    """The one short line a county leader gets on the segments they lead."""
    shown = "、".join(f"{name}{n}项" for name, n in late[:3]) + ("等" if len(late) > 3 else "")
    return f"包联路段逾期任务：{shown}。"


def digest(messages: Sequence[tuple[str, str, str | None]]) -> Notice:
    """Merge a burst of ``(title, body, link)`` notices into one message listing them.

    Notices with the same title are listed once with their number; each item keeps its link.
    """
    if not messages:
        raise ValueError("a digest needs at least one message")
    grouped: dict[str, list[str | None]] = {}
    for title, _, link in messages:
        grouped.setdefault(title, []).append(link)
    items = []
    for title, links in grouped.items():
        item = title if len(links) == 1 else f"{title}（{len(links)}条）"
        urls = list(dict.fromkeys(u for u in links if u))
        if len(urls) == 1:
            item += f"\n   {urls[0]}"
        items.append(item)
    kinds = [k for k in dict.fromkeys(_kind(title) for title in grouped) if k != "汇总"]
    what = "、".join(kinds[:3]) + ("等" if len(kinds) > 3 else "")
    lines = ["以下通知合并发送：", *_numbered(items), "点开链接即可办理。"]
    return f"【汇总】{what}通知{len(messages)}条", "\n".join(lines)


def _kind(title: str) -> str:
    """The bracketed kind of a notice title (【提醒】… → 提醒)."""
    if title.startswith("【") and "】" in title:
        return title[1 : title.index("】")]
    return "其他"


def _numbered(items: Sequence[str]) -> list[str]:
    return [f"{i}. {item}" for i, item in enumerate(items, 1)]
