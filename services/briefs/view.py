"""The brief as a document: masthead and a list of blocks, rendered alike to HTML and Word.

Composing once keeps the two outputs saying the same thing; the renderers only lay out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
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
        return [Heading(t.H_SEGMENTS), _segment_table(rows, total), Para(t.SEGMENTS_NOTE, note=True)]
    streets: dict[str, list[SegmentRow]] = {}
    for s in rows:
        streets.setdefault(s.street or t.NO_STREET, []).append(s)
    by_street = [(name, str(len(group)), *_row(_sum([s.counts for s in group])))
                 for name, group in sorted(streets.items(), key=lambda item: natural(item[0]))]
    behind = sorted((s for s in rows if s.counts.total), key=lambda s: (s.counts.share, -s.counts.overdue, natural(s.code)))
    return [Heading(t.H_SEGMENTS), Para(t.SEGMENTS_MANY.format(n=len(rows), streets=len(streets))),
            Heading(t.H_BY_STREET, 2),
            Table(t.COLS_STREETS, by_street, (t.TOTAL, str(len(rows)), *_row(total)), numeric=(1, 2, 3, 4, 5, 6)),
            Heading(t.H_BEHIND.format(n=min(BEHIND_ROWS, len(behind))), 2),
            _segment_table(behind[:BEHIND_ROWS], None), Para(t.SEGMENTS_NOTE, note=True)]


def _ranking(data: BriefData) -> list[Block]:
    blocks: list[Block] = [Heading(t.H_RANKING)]
    r = data.sections.ranking
    if r is None:
        return [*blocks, Heading(t.H_RED, 2, "red"), Empty(t.NO_DATA),
                Heading(t.H_BLACK, 2, "black"), Empty(t.NO_DATA)]
    blocks.append(Para(t.RANKING_PERIOD.format(period=r.period)))
    for title, tone, rows in ((t.H_RED, "red", r.red), (t.H_BLACK, "black", r.black)):
        blocks.append(Heading(title, 2, tone))
        blocks.append(Table(t.COLS_RANKING, [
            (str(x.rank), x.unit, x.unit_kind, "—" if x.score is None else f"{x.score:.1f}", x.rating or "—", x.note)
            for x in rows], numeric=(3,)) if rows else Empty(t.NO_DATA))
    return blocks


def _findings(data: BriefData) -> list[Block]:
    f = data.sections.findings
    if f is None or not f.by_category:
        return [Heading(t.H_FINDINGS), Empty(t.NO_DATA)]
    rows = [(c.category, str(c.new), str(c.rectified), str(c.open)) for c in f.by_category]
    total = (t.TOTAL, *(str(sum(getattr(c, k) for c in f.by_category)) for k in ("new", "rectified", "open")))
    blocks: list[Block] = [Heading(t.H_FINDINGS), Table(t.COLS_FINDINGS, rows, total, numeric=(1, 2, 3))]
    if f.examples:
        blocks.append(Heading(t.H_PHOTOS, 2))
        blocks.append(Photos((t.PHOTO_BEFORE, t.PHOTO_AFTER), [PhotoRow(
            f"{e.category}｜{e.place}｜{e.unit}｜{t.RECTIFIED if e.rectified else t.NOT_RECTIFIED}：{e.description}",
            (e.photos.before, e.photos.after)) for e in f.examples]))
    return blocks


def _overdue(data: BriefData) -> list[Block]:
    units = data.overdue_by_unit
    if not units:
        return [Heading(t.H_OVERDUE), Para(t.NO_OVERDUE)]
    rows = [(str(i), u.unit, str(u.unfinished), str(u.overdue), str(u.longest_days)) for i, u in enumerate(units, 1)]
    total = (t.TOTAL, "", str(sum(u.unfinished for u in units)), str(sum(u.overdue for u in units)), "")
    return [Heading(t.H_OVERDUE), Table(t.COLS_OVERDUE, rows, total, numeric=(2, 3, 4))]


def _problems(data: BriefData) -> list[Block]:
    levels = data.problems_by_level
    if not levels:
        return [Heading(t.H_PROBLEMS), Para(t.NO_PROBLEMS)]
    rows = [(t.LEVEL_TEXT.get(x.level, x.level), str(x.open), str(x.past_deadline), str(x.new), str(x.closed)) for x in levels]
    total = (t.TOTAL, *(str(sum(getattr(x, k) for x in levels)) for k in ("open", "past_deadline", "new", "closed")))
    return [Heading(t.H_PROBLEMS), Table(t.COLS_PROBLEMS, rows, total, numeric=(1, 2, 3, 4))]


def _exposures(data: BriefData) -> list[Block]:
    e = data.sections.exposures
    if e is None or not e.items:
        return [Heading(t.H_EXPOSURES), Empty(t.NO_DATA)]
    rows = [(str(i), x.title, x.place, x.unit, t.day(x.deadline) if x.deadline else "—")
            for i, x in enumerate(e.items, 1)]
    photos = [PhotoRow(f"{x.title}｜{x.place}｜{x.unit}：{x.description}", (x.photo,)) for x in e.items if x.photo]
    return [Heading(t.H_EXPOSURES), Table(t.COLS_EXPOSURES, rows),
            *([Photos((t.PHOTO_EXPOSED,), photos)] if photos else [])]


def _ledger(data: BriefData) -> list[Block]:
    ledger = data.sections.ledger
    if ledger is None or not ledger.rows:
        return [Heading(t.H_LEDGER), Empty(t.NO_DATA)]
    rows = [(r.category, r.measure, f"{r.week:g}", f"{r.phase:g}", f"{r.campaign:g}") for r in ledger.rows]
    return [Heading(t.H_LEDGER), Table(t.COLS_LEDGER, rows, numeric=(2, 3, 4))]


def compose(data: BriefData, issue: Issue, *, map_png: Path | None) -> Document:
    """The whole issue as blocks, in the order 创卫办 reads it."""
    as_of = data.local(data.as_of)
    start = data.local(data.start)
    last_day = (as_of - dt.timedelta(microseconds=1)).date()
    if issue.special:
        headline, period = issue.title, t.SPECIAL_PERIOD.format(as_of=t.moment(as_of))
    else:
        year, week, _ = start.date().isocalendar()
        headline = t.WEEK_HEADLINE.format(year=year, week=week, start=t.short_day(start.date()),
                                          end=t.short_day(start.date() + dt.timedelta(days=6)))
        period = t.PERIOD.format(start=t.day(start.date()), end=t.day(last_day), as_of=t.moment(as_of))
    blocks = [*_overview(data, last_day), *_segments(data), *_ranking(data), *_findings(data), *_overdue(data),
              *_problems(data), *_exposures(data), *_ledger(data), Heading(t.H_MAPS)]
    caption = t.MAP_CAPTION.format(as_of=t.moment(as_of))
    if map_png is not None:
        blocks.append(Figure(map_png, caption))
    blocks.append(InteractiveMap(t.INTERACTIVE_NOTE))
    return Document(masthead=t.MASTHEAD, number=t.number(issue.number, issue.special),
                    editor=t.EDITED_BY.format(office=data.office), date=t.day(last_day),
                    headline=headline, period=period, blocks=blocks)
