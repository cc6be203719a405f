"""The brief as a document: masthead and a list of blocks, rendered alike to HTML and Word.

Composing once keeps the two outputs saying the same thing; the renderers only lay out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from services.briefs import texts as t
from services.briefs.data import BriefData, Counts, SegmentRow

SEGMENT_TABLE_MAX = 100  # more 路段 than this: a table per street and the ones furthest behind
BEHIND_ROWS = 30


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1
    tone: str = ""  # "red" (红榜) or "black" (黑榜): how the heading is coloured


@dataclass(frozen=True)
class Para:
    text: str
    note: bool = False  # small print under a table


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    total: tuple[str, ...] | None = None
    numeric: tuple[int, ...] = ()  # columns of right-aligned numbers


@dataclass(frozen=True)
class Empty:
    text: str


@dataclass(frozen=True)
class Figure:
    path: Path
    caption: str


@dataclass(frozen=True)
class InteractiveMap:
    """The folium map (HTML only; Word says where to find it)."""

    caption: str


@dataclass(frozen=True)
class PhotoRow:
    caption: str
    photos: tuple[Path | None, ...]  # one per column of the Photos block


@dataclass(frozen=True)
class Photos:
    """Photos side by side under column headings (整改前 | 整改后, or one 曝光照片 column)."""

    headers: tuple[str, ...]
    rows: list[PhotoRow]


Block = Heading | Para | Table | Empty | Figure | InteractiveMap | Photos


@dataclass(frozen=True)
class Issue:
    """What identifies one issue: its number, kind, title and dates."""

    number: int
    special: bool
    title: str
    week: str | None
    narrative: Mapping[str, str] = field(default_factory=dict)  # the office's own 工作动态, 下步工作, 按语


@dataclass(frozen=True)
class Document:
    masthead: str
    number: str
    editor: str
    date: str
    headline: str
    period: str
    blocks: list[Block] = field(default_factory=list)
    distribution: tuple[str, ...] = t.DISTRIBUTION


def _row(counts: Counts) -> tuple[str, ...]:
    return (str(counts.total), str(counts.verified), str(counts.awaiting), str(counts.overdue), t.share(counts.share))


def _overview(data: BriefData, last_day: dt.date) -> list[Block]:
    blocks: list[Block] = [Heading(t.H_OVERVIEW)]
    ph = data.phase
    if ph is None:
        return [*blocks, Para(t.NO_PHASE)]
    dates = {"name": ph.name, "start": t.day(ph.start), "end": t.day(ph.end)}
    if last_day >= ph.end:
        line = t.PHASE_ENDED.format(**dates)
    else:
        line = t.PHASE_LINE.format(**dates, left=t.days_left(ph.working_days_left))
    if ph.calendar_phase and ph.calendar_phase != ph.name:
        line += t.PHASE_LAGS.format(calendar=ph.calendar_phase)
    c = data.progress.phase
    blocks += [Para(line), Para(t.PROGRESS_LINE.format(total=c.total, verified=c.verified, share=t.share(c.share),
                                                       awaiting=c.awaiting, overdue=c.overdue,
                                                       week=data.progress.verified_this_week))]
    if data.progress.carried_open:
        blocks.append(Para(t.CARRIED_LINE.format(n=data.progress.carried_open)))
    return blocks


def natural(text: str) -> tuple:
    """Sort key that puts 东西2路 before 东西10路 and LD-2 before LD-10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _sum(counts: list[Counts]) -> Counts:
    return Counts(*(sum(getattr(c, f) for c in counts) for f in ("total", "verified", "awaiting", "overdue")))


def _segment_table(rows: list[SegmentRow], total: Counts | None) -> Table:
    return Table(t.COLS_SEGMENTS, [(s.code, s.name, s.leader or "—", s.lead_unit or "—", *_row(s.counts)) for s in rows],
                 (t.TOTAL, "", "", "", *_row(total)) if total else None, numeric=(4, 5, 6, 7, 8))


def _segments(data: BriefData) -> list[Block]:
    """Every 路段 in a county; in a city (more than SEGMENT_TABLE_MAX) the streets and the
    segments furthest behind, since hundreds of pages of rows would not be read."""
    rows = sorted(data.segments, key=lambda s: natural(s.code))
    if not rows:
        return [Heading(t.H_SEGMENTS), Empty(t.NO_DATA)]
    total = _sum([s.counts for s in rows])
    if len(rows) <= SEGMENT_TABLE_MAX:
        return [Heading(t.H_SEGMENTS), Heading(t.H_SEGMENT_TABLE, 2), _segment_table(rows, total),
                Para(t.SEGMENTS_NOTE, note=True)]
    streets: dict[str, list[SegmentRow]] = {}
    for s in rows:
        streets.setdefault(s.street or t.NO_STREET, []).append(s)
    by_street = [(name, str(len(group)), *_row(_sum([s.counts for s in group])))
                 for name, group in sorted(streets.items(), key=lambda item: natural(item[0]))]
    behind = sorted((s for s in rows if s.counts.total), key=lambda s: (s.counts.share, -s.counts.overdue, natural(s.code)))
    return [Heading(t.H_SEGMENTS), Heading(t.H_SEGMENT_TABLE, 2),
            Para(t.SEGMENTS_MANY.format(n=len(rows), streets=len(streets))), Para(t.H_BY_STREET, note=True),
            Table(t.COLS_STREETS, by_street, (t.TOTAL, str(len(rows)), *_row(total)), numeric=(1, 2, 3, 4, 5, 6)),
            Para(t.H_BEHIND.format(n=min(BEHIND_ROWS, len(behind))), note=True),
            _segment_table(behind[:BEHIND_ROWS], None), Para(t.SEGMENTS_NOTE, note=True)]


def _ranking(data: BriefData) -> list[Block]:
    blocks: list[Block] = [Heading(t.H_RANKING)]
    r = data.sections.ranking
    if r is None:
        return [*blocks, Para(t.RANKING_PENDING)]
    start = data.local(data.start).date()
    blocks.append(Para(t.RANKING_PERIOD.format(period=t.span(start, start + dt.timedelta(days=6)))))
    for title, tone, rows in ((t.H_RED, "red", r.red), (t.H_BLACK, "black", r.black)):
        blocks.append(Heading(title, 2, tone))
        blocks.append(Table(t.COLS_RANKING, [
            (str(x.rank), x.unit, x.unit_kind, "—" if x.score is None else f"{x.score:.1f}", x.rating or "—", x.note)
            for x in rows], numeric=(3,)) if rows else Empty(t.NO_DATA))
    return blocks


def _findings(data: BriefData) -> list[Block]:
    """The week's findings by category as they stood at the report date: 新发现 = 已销号 + 待复查 + 整改中."""
    f = data.sections.findings
    if f is None or not f.by_category:
        return [Heading(t.H_FINDINGS, 2), Empty(t.NO_DATA)]
    keys = ("new", "rectified", "awaiting", "open")
    rows = [(c.category, *(str(getattr(c, k)) for k in keys)) for c in f.by_category]
    total = (t.TOTAL, *(str(sum(getattr(c, k) for c in f.by_category)) for k in keys))
    blocks: list[Block] = [Heading(t.H_FINDINGS, 2), Table(t.COLS_FINDINGS, rows, total, numeric=(1, 2, 3, 4))]
    if f.examples:
        blocks.append(Heading(t.H_PHOTOS, 2))
        blocks.append(Photos((t.PHOTO_BEFORE, t.PHOTO_AFTER), [PhotoRow(
            f"{e.category}｜{e.place}｜{e.unit}｜{t.RECTIFIED if e.rectified else t.NOT_RECTIFIED}：{e.description}",
            (e.photos.before, e.photos.after)) for e in f.examples]))
    return blocks


def _overdue(data: BriefData) -> list[Block]:
    units = data.overdue_by_unit
    if not units:
        return [Heading(t.H_OVERDUE, 2), Para(t.NO_OVERDUE)]
    rows = [(str(i), u.unit, str(u.unfinished), str(u.overdue), str(u.longest_days)) for i, u in enumerate(units, 1)]
    total = (t.TOTAL, "", str(sum(u.unfinished for u in units)), str(sum(u.overdue for u in units)), "")
    return [Heading(t.H_OVERDUE, 2), Table(t.COLS_OVERDUE, rows, total, numeric=(2, 3, 4))]


def _problems(data: BriefData) -> list[Block]:
    levels = data.problems_by_level
    if not levels:
        return [Heading(t.H_PROBLEMS, 2), Para(t.NO_PROBLEMS)]
    rows = [(t.LEVEL_TEXT.get(x.level, x.level), str(x.open), str(x.past_deadline), str(x.new), str(x.closed)) for x in levels]
    total = (t.TOTAL, *(str(sum(getattr(x, k) for x in levels)) for k in ("open", "past_deadline", "new", "closed")))
    return [Heading(t.H_PROBLEMS, 2), Table(t.COLS_PROBLEMS, rows, total, numeric=(1, 2, 3, 4))]


def _exposures(data: BriefData) -> list[Block]:
    e = data.sections.exposures
    if e is None or not e.items:
        return [Heading(t.H_EXPOSURES), Para(t.NO_EXPOSURES)]
    rows = [(str(i), x.title, x.place, x.unit, t.day(x.deadline) if x.deadline else "—", x.state or "—")
            for i, x in enumerate(e.items, 1)]
    photos = [PhotoRow(f"{x.title}｜{x.place}｜{x.unit}：{x.description}", (x.photo,)) for x in e.items if x.photo]
    return [Heading(t.H_EXPOSURES), Table(t.COLS_EXPOSURES, rows),
            *([Photos((t.PHOTO_EXPOSED,), photos)] if photos else [])]


def _ledger(data: BriefData) -> list[Block]:
    blocks: list[Block] = [Heading(t.H_LEDGER), *_findings(data), Heading(t.H_QUANTITIES, 2)]
    ledger = data.sections.ledger
    if ledger is None or not ledger.rows:
        return [*blocks, Empty(t.NO_DATA)]
    rows = [(r.category, r.measure, t.amount(r.week), t.amount(r.phase), t.amount(r.campaign)) for r in ledger.rows]
    return [*blocks, Table(t.COLS_LEDGER, rows, numeric=(2, 3, 4))]


def _paragraphs(text: str) -> list[Block]:
    return [Para(line.strip()) for line in text.splitlines() if line.strip()]


def compose(data: BriefData, issue: Issue, *, map_png: Path | None) -> Document:
    """The whole issue as blocks, in the order 创卫办 reads it: 工作动态, 总体进展, 督查通报, 红榜与黑榜,
    曝光台, 各路段任务进度, 整改台账, 下步工作, and the maps."""
    from services.briefs.narrative import news, next_steps, rounds

    as_of = data.local(data.as_of)
    start = data.local(data.start)
    last_day = (as_of - dt.timedelta(microseconds=1)).date()
    if issue.special:
        headline, period = issue.title, t.SPECIAL_PERIOD.format(as_of=t.moment(as_of))
        dated = last_day
    else:
        year, week, _ = start.date().isocalendar()
        headline = t.WEEK_HEADLINE.format(year=year, week=week, start=t.short_day(start.date()),
                                          end=t.short_day(start.date() + dt.timedelta(days=6)))
        period = t.PERIOD.format(start=t.day(start.date()), end=t.day(last_day), as_of=t.moment(as_of))
        dated = start.date() + dt.timedelta(days=7)  # offices date the issue the Monday after its week
    own = {k: v for k, v in issue.narrative.items() if v and v.strip()}
    blocks: list[Block] = []
    if "按语" in own:
        blocks.append(Para(t.EDITOR_NOTE.format(text=own["按语"].strip())))
    blocks += [Heading(t.H_NEWS), *(_paragraphs(own["工作动态"]) if "工作动态" in own else news(data))]
    blocks += [*_overview(data, last_day), Heading(t.H_ROUNDS), *rounds(data), *_ranking(data), *_exposures(data),
               *_segments(data), *_overdue(data), *_problems(data), *_ledger(data),
               Heading(t.H_NEXT), *(_paragraphs(own["下步工作"]) if "下步工作" in own else next_steps(data)),
               Heading(t.H_MAPS)]
    caption = t.MAP_CAPTION.format(as_of=t.moment(as_of))
    if map_png is not None:
        blocks.append(Figure(map_png, caption))
    blocks.append(InteractiveMap(t.INTERACTIVE_NOTE))
    return Document(masthead=t.MASTHEAD, number=t.number(issue.number, issue.special),
                    editor=t.EDITED_BY.format(office=data.office), date=t.day(dated),
                    headline=headline, period=period, blocks=blocks)
