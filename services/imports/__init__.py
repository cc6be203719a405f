"""Imports and exports (导入导出): segment geometry files (GeoJSON, GeoPackage, Shapefile, any datum), the 包联 table, office tables in xlsx/CSV, all validated row by row and all or nothing; segments exported back as GeoJSON.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.imports.assignments import (
    COLUMNS,
    import_assignments,
)
from services.imports.segment_export import (
    assignment_rows,
    segments_geojson,
    write_xlsx,
)
from services.imports.segments import (
    ImportReport,
    import_segments,
)

__all__ = [
    "COLUMNS",
    "ImportReport",
    "assignment_rows",
    "import_assignments",
    "import_segments",
    "segments_geojson",
    "write_xlsx",
]
