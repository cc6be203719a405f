"""``cw db copy``: move campaigns from one database to another (e.g. a county's SQLite file into
the city's PostgreSQL), all or nothing, verified by row counts.

Rows keep their values; primary keys are shifted by the target table's current maximum id so a
county can join a database that already holds others. Foreign keys follow their table's shift;
the few columns that point at a row of a table named in another column (attachment.owner_id with
owner_type …) are listed in ``POLYMORPHIC`` and follow that table's shift.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, MetaData, Table, func, select, text
from sqlalchemy.engine import Connection

from models import Base
from rules.errors import Conflict, DomainError
from services import schema

CHUNK = 2000

#: (table, column) → (discriminator column, {discriminator value: referenced table})
POLYMORPHIC: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    ("attachment", "owner_id"): ("owner_type", {"tick": "tick", "finding": "finding", "problem": "problem",
                                                "complaint": "complaint", "task": "task"}),
    ("problem", "source_id"): ("source", {"finding": "finding", "complaint": "complaint", "task": "task"}),
    ("sanction", "object_id"): ("object_type", {"task": "task", "problem": "problem", "unit": "unit"}),
    ("accountability_step", "object_id"): ("object_type", {"task": "task", "problem": "problem", "unit": "unit"}),
    ("extension_request", "object_id"): ("object_type", {"task": "task", "problem": "problem"}),
    ("audit_entry", "object_id"): ("object_type", {"task": "task", "tick": "tick", "problem": "problem",
                                                   "finding": "finding", "complaint": "complaint",
                                                   "sanction": "sanction", "user": "app_user",
                                                   "brief": "brief", "outbox": "outbox", "campaign": "campaign",
                                                   "phase": "phase", "inspection": "inspection", "unit": "unit"}),
}
#: plain integer columns that always point at one table (no declared foreign key)
IMPLICIT_FK: dict[tuple[str, str], str] = {("task", "finding_id"): "finding"}

#: tables that hold no campaign's data and are not copied: wrong passwords per phone and address,
#: kept only for sign-in throttling and pruned (the audit log keeps each failure with its campaign)
NOT_COPIED = frozenset({"sign_in_failure"})


class CopyFailed(DomainError):
    """The copy could not be completed; the target was left unchanged."""


@dataclass
class CopyReport:
    campaigns: list[str]
    rows: dict[str, int] = field(default_factory=dict)


def _campaign_ids(conn: Connection, codes: list[str] | None) -> dict[int, str]:
    table = Base.metadata.tables["campaign"]
    q = select(table.c.id, table.c.code)
    if codes:
        q = q.where(table.c.code.in_(codes))
    found: dict[int, str] = dict(conn.execute(q).tuples().all())
    missing = sorted(set(codes or []) - set(found.values()))
    if missing:
        raise CopyFailed(f"源数据库中没有活动：{'、'.join(missing)}")
    return found


def _selected(conn: Connection, table: Table, keep: dict[str, set[int]]) -> Iterator[dict[str, Any]]:
    """The rows of ``table`` that belong to the copied campaigns (directly or through a parent)."""
    q = select(table)
    if "campaign_id" in table.c:
        q = q.where(table.c.campaign_id.in_(keep["campaign"]))
    elif table.name != "campaign":
        fks = sorted((fk for fk in table.foreign_keys if fk.column.table.name in keep
                      and fk.column.table.name != table.name), key=lambda fk: bool(fk.parent.nullable))
        fk = fks[0] if fks else None  # a NOT NULL parent owns the row
        if fk is None:
            raise CopyFailed(f"无法判断表 {table.name} 的行属于哪个活动", log_detail=f"no parent for {table.name}")
        q = q.where(fk.parent.in_(keep[fk.column.table.name]))
    else:
        q = q.where(table.c.id.in_(keep["campaign"]))
    pk = list(table.primary_key.columns)
    result = conn.execution_options(stream_results=True).execute(q.order_by(*pk))
    for row in result.mappings():
        yield dict(row)


def _shift_row(table: Table, row: dict[str, Any], shift: dict[str, int]) -> dict[str, Any]:
    out = dict(row)
    if "id" in table.c and table.name in shift:
        out["id"] = row["id"] + shift[table.name]
    for fk in table.foreign_keys:
        col, ref = fk.parent.name, fk.column.table.name
        if out.get(col) is not None:
            out[col] = row[col] + shift.get(ref, 0)
    for (tname, col), ref in IMPLICIT_FK.items():
        if tname == table.name and out.get(col) is not None:
            out[col] = row[col] + shift.get(ref, 0)
    for (tname, col), (disc, refs) in POLYMORPHIC.items():
        if tname == table.name and out.get(col) is not None and row.get(disc) in refs:
            out[col] = row[col] + shift.get(refs[row[disc]], 0)
    return out


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for t in tables:
        if "id" in t.c and t.c.id.autoincrement and len(t.primary_key.columns) == 1:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                              f"COALESCE((SELECT MAX(id) FROM {t.name}), 0) + 1, false)"))


def copy_campaigns(source: Engine, target: Engine, codes: list[str] | None = None) -> CopyReport:
    """Copy the campaigns named (default: all) from ``source`` into ``target`` in one transaction."""
    schema.upgrade(target)
    if schema.current_revision(source) != schema.head_revision(source):
        raise CopyFailed("源数据库的结构不是最新版本，请先对源数据库运行 cw init（或升级）")
    tables = [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]
    with source.connect() as src, target.begin() as dst:
        campaigns = _campaign_ids(src, codes)
        camp = Base.metadata.tables["campaign"]
        clash = sorted(dst.execute(select(camp.c.code).where(camp.c.code.in_(campaigns.values()))).scalars())
        if clash:
            raise Conflict(f"目标数据库中已有同编号的活动：{'、'.join(clash)}（未复制任何数据）")
        shift = {t.name: int(dst.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one())
                 for t in tables if "id" in t.c}
        keep: dict[str, set[int]] = {"campaign": set(campaigns)}
        report = CopyReport(campaigns=sorted(campaigns.values()))
        for t in tables:
            self_refs = [fk.parent.name for fk in t.foreign_keys if fk.column.table is t]
            count, batch, ids, later = 0, [], set(), []
            for row in _selected(src, t, keep):
                if "id" in t.c:
                    ids.add(row["id"])
                shifted = _shift_row(t, row, shift)
                for col in self_refs:  # a row may point at a later row of its own table
                    if shifted[col] is not None:
                        later.append((shifted["id"], col, shifted[col]))
                        shifted[col] = None
                batch.append(shifted)
                if len(batch) >= CHUNK:
                    dst.execute(t.insert(), batch)
                    count, batch = count + len(batch), []
            if batch:
                dst.execute(t.insert(), batch)
                count += len(batch)
            for row_id, col, value in later:
                dst.execute(t.update().where(t.c.id == row_id).values({col: value}))
            keep[t.name] = ids if "id" in t.c else keep.get(t.name, set())
            report.rows[t.name] = count
        _verify(dst, tables, shift, report)
        _reset_sequences(dst, tables)
    return report


def _verify(dst: Connection, tables: list[Table], shift: dict[str, int], report: CopyReport) -> None:
    """Every copied table has exactly the rows copied into it (above its old maximum id)."""
    for t in tables:
        if "id" not in t.c:
            continue
        got = dst.execute(select(func.count()).select_from(t).where(t.c.id > shift[t.name])).scalar_one()
        if got != report.rows[t.name]:
            raise CopyFailed(f"表 {t.name} 复制后行数不符（应为 {report.rows[t.name]}，实际 {got}），已撤销")


def row_counts(engine: Engine, codes: list[str] | None = None) -> dict[str, int]:
    """Rows per table belonging to the campaigns named (default: all) — for checking a copy."""
    md: MetaData = Base.metadata
    with engine.connect() as conn:
        keep: dict[str, set[int]] = {"campaign": set(_campaign_ids(conn, codes))}
        counts = {}
        for t in md.sorted_tables:
            if t.name in NOT_COPIED:
                continue
            rows = list(_selected(conn, t, keep))
            counts[t.name] = len(rows)
            if "id" in t.c:
                keep[t.name] = {r["id"] for r in rows}
        return counts
