"""The brief's narrative sections written from the week's records: 工作动态, 督查通报, 下步工作.

This is the draft the office starts from: plain sentences an official would write, built
only from the figures the rest of the issue prints, so the text and the tables agree. The
office replaces 工作动态 and 下步工作 with its own text before 签发 when it wants to.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from services.briefs import texts as t
from services.briefs.data import BriefData
from services.briefs.view import Block, Para

TOP = 3  # categories, segments and units named in a sentence


def _items(pairs: list[tuple[str, int]], unit: str, n: int = TOP) -> str:
    return "、".join(f"{name}（{count}{unit}）" for name, count in pairs[:n])


def _week_span(data: BriefData) -> str:
    start = data.local(data.start).date()
    end = (data.local(data.as_of) - dt.timedelta(microseconds=1)).date()
    return t.span(start, end)


def news(data: BriefData) -> list[Block]:
    """工作动态: where the phase stands, what the week's rounds found, what the units rectified."""
    span = _week_span(data)
    out: list[Block] = []
    ph, c = data.phase, data.progress.phase
    if ph is None:
        out.append(Para(t.NEWS_NO_PHASE.format(span=span)))
    else:
        left = f"本时段还剩{t.days_left(ph.working_days_left)}" if ph.working_days_left else "本时段计划期限已满"
        out.append(Para(t.NEWS_PHASE.format(span=span, phase=ph.name, left=left, week=data.progress.verified_this_week,
                                            verified=c.verified, share=t.share(c.share))))
    r = data.sections.rounds
    shown = r.rounds if r else []
    if shown:
        kinds = "、".join(dict.fromkeys(f"{x.kind}督查" if x.kind != "暗访" else "暗访" for x in shown))
        cats: Counter[str] = Counter()
        for x in shown:
            cats.update(dict(x.categories))
        found = sum(x.findings for x in shown)
        top = t.NEWS_ROUNDS_TOP.format(items=_items(sorted(cats.items(), key=lambda kv: (-kv[1], kv[0])), "处")) \
            if found else "未发现明显问题"
        out.append(Para(t.NEWS_ROUNDS.format(kinds=kinds, n=len(shown), stops=sum(x.stops for x in shown),
                                             findings=found, top=top)))
    else:
        out.append(Para(t.NEWS_ROUNDS_NONE))
    ledger = data.sections.ledger
    done = [row for row in (ledger.rows if ledger else []) if row.week > 0]
    if done:
        per: dict[str, str] = {}
        for row in sorted(done, key=lambda row: -row.week):
            per[row.category] = per.get(row.category, "") + f"{t.amount(row.week)}{row.measure}"
        items = "，".join(f"{category}{amounts}" for category, amounts in list(per.items())[:6])
        out.append(Para(t.NEWS_WORK.format(items=items)))
    levels = data.problems_by_level
    if levels:
        late = sum(x.past_deadline for x in levels)
        out.append(Para(t.NEWS_PROBLEMS.format(new=sum(x.new for x in levels), closed=sum(x.closed for x in levels),
                                               open=sum(x.open for x in levels),
                                               late=t.NEWS_PROBLEMS_LATE.format(n=late) if late else "")))
    overdue = data.overdue_by_unit
    out.append(Para(t.NEWS_OVERDUE.format(units=len(overdue), n=sum(u.overdue for u in overdue))
                    if overdue else t.NEWS_ALL_ON_TIME))
    return out


def rounds(data: BriefData) -> list[Block]:
    """督查通报: each round with what it found and whom it named, then the confirmed 通报批评/黄牌."""
    r = data.sections.rounds
    out: list[Block] = []
    if r is None or not r.rounds:
        out.append(Para(t.NO_ROUNDS))
    else:
        for i, x in enumerate(r.rounds, 1):
            if not x.findings:
                out.append(Para(t.ROUND_NONE.format(i=i, title=x.title, stops=x.stops)))
                continue
            cats = "，其中" + _items(x.categories, "处", 4) if x.categories else ""
            out.append(Para(t.ROUND_LINE.format(i=i, title=x.title, stops=x.stops, findings=x.findings,
                                                categories=cats)))
            if x.segments:
                out.append(Para(t.ROUND_SEGMENTS.format(items=_items(x.segments, "处"))))
            if x.units:
                out.append(Para(t.ROUND_UNITS.format(items=_items(x.units, "处", 6))))
    sanctions = r.sanctions if r else []
    if not sanctions:
        out.append(Para(t.NO_SANCTIONS))
    for kind in dict.fromkeys(s.kind for s in sanctions):
        out.append(Para(t.SANCTION_HEAD.format(kind=kind)))
        out += [Para(t.SANCTION_LINE.format(unit=s.unit, reason=s.reason, date=t.short_day(s.decided)))
                for s in sanctions if s.kind == kind]
    return out


def next_steps(data: BriefData) -> list[Block]:
    """下步工作: numbered tasks that follow from this week's figures."""
    items = []
    ph, c = data.phase, data.progress.phase
    if ph is not None and c.total > c.verified:
        items.append(t.NEXT_PHASE.format(phase=ph.name, end=t.day(ph.end), left=c.total - c.verified,
                                         awaiting=c.awaiting))
    r = data.sections.rounds
    found = sum(x.findings for x in r.rounds) if r else 0
    if found:
        items.append(t.NEXT_FINDINGS.format(n=found))
    ranking = data.sections.ranking
    if ranking and ranking.black:
        items.append(t.NEXT_BLACK.format(units="、".join(x.unit for x in ranking.black[:TOP])))
    open_problems = sum(x.open for x in data.problems_by_level)
    if open_problems:
        items.append(t.NEXT_PROBLEMS.format(n=open_problems))
    items.append(t.NEXT_ROUTINE)
    return [Para(t.NEXT_ITEM.format(n=i, text=text)) for i, text in enumerate(items, 1)]
