"""The national standard (国家卫生县城/城市标准 2021): loading it (idempotent, versioned), its items and owners, 自评 with content-addressed evidence files, system evidence drawn from tasks, findings, complaints, surveys and 病媒 monitoring (checked against the C-level thresholds), the readiness view, and the 资料整理 archive.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.standard.archive import (
    ArchiveReport,
    write_archive,
)
from services.standard.assess import (
    Assessed,
    assess_item,
    read_evidence,
)
from services.standard.evidence import (
    evidence_store,
)
from services.standard.items import (
    AreaStatus,
    ItemRow,
    StandardStatus,
    list_items,
    standard_status,
)
from services.standard.loading import (
    LoadReport,
    load_standard,
)
from services.standard.system import (
    Extract,
    system_evidence,
)
from services.standard.vector import (
    VectorCheck,
    record_vector,
)

__all__ = [
    "AreaStatus",
    "ArchiveReport",
    "Assessed",
    "Extract",
    "ItemRow",
    "LoadReport",
    "StandardStatus",
    "VectorCheck",
    "assess_item",
    "evidence_store",
    "list_items",
    "load_standard",
    "read_evidence",
    "record_vector",
    "standard_status",
    "system_evidence",
    "write_archive",
]
