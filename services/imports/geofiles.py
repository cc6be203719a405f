"""Read a segment geometry file (GeoJSON, GeoPackage, Shapefile) into plain features."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rules.errors import InvalidInput

log = logging.getLogger("chuangwei.import")

# dBase language-driver ids that mean a Chinese code page (GBK/CP936)
_CHINESE_LDIDS = {0x4D, 0x7A}


@dataclass(frozen=True)
class Feature:
    """One feature: its 1-based position in the file, its attributes and its geometry."""

    number: int
    properties: dict[str, Any]
    geometry: Any  # shapely geometry or None


def _dbf_encoding(shp: Path) -> str | None:
    """The encoding of a shapefile's .dbf: from its .cpg, or GBK when its header says so."""
    cpg = shp.with_suffix(".cpg")
    if cpg.is_file():
        return cpg.read_text(errors="ignore").strip() or None
    dbf = shp.with_suffix(".dbf")
    if not dbf.is_file():
        return None
    with dbf.open("rb") as f:
        header = f.read(32)
    if len(header) > 29 and header[29] in _CHINESE_LDIDS:
        return "GBK"
    return None


def _looks_misdecoded(frame: Any) -> bool:
    """True when text columns hold Latin-1 mojibake or replacement chars (a GBK .dbf read wrongly)."""
    for col in frame.columns:
        if col == "geometry" or frame[col].dtype != object:
            continue
        for v in frame[col].dropna().head(50):
            if isinstance(v, str) and ("\ufffd" in v or any(0x80 <= ord(c) <= 0xFF for c in v)):
                return True
    return any(any(0x80 <= ord(c) <= 0xFF for c in str(col)) for col in frame.columns)


def _read_frame(path: Path, layer: str | None) -> Any:
    """The file as a GeoDataFrame (Any: geopandas ships no type information)."""
    import pyogrio

    kwargs: dict[str, Any] = {"layer": layer} if layer else {}
    if path.suffix.lower() == ".shp":
        enc = _dbf_encoding(path)
        if enc:
            return pyogrio.read_dataframe(path, encoding=enc, **kwargs)
        frame = pyogrio.read_dataframe(path, **kwargs)
        if _looks_misdecoded(frame):
            log.info("%s: attribute text looks misdecoded, rereading as GBK", path)
            return pyogrio.read_dataframe(path, encoding="GBK", **kwargs)
        return frame
    return pyogrio.read_dataframe(path, **kwargs)


def read_features(path: Path, layer: str | None = None) -> list[Feature]:
    """Features of a GeoJSON, GeoPackage or Shapefile; raise InvalidInput naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"找不到文件 {path}")
    if path.suffix.lower() not in (".geojson", ".json", ".gpkg", ".shp"):
        raise InvalidInput(f"{path}: 不支持的格式 {path.suffix}（请用 GeoJSON、GeoPackage 或 Shapefile）")
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise InvalidInput(f"{path}: 不是有效的 GeoJSON（{e}）") from None
    try:
        frame = _read_frame(path, layer)
    except Exception as e:  # noqa: BLE001 - pyogrio/GDAL raise their own types
        raise InvalidInput(f"{path}: 无法读取空间数据文件", log_detail=repr(e)) from None
    props = [c for c in frame.columns if c != "geometry"]
    out = []
    for i, values in enumerate(frame.to_dict("records"), start=1):
        geom = values.pop("geometry", None)
        clean = {k: _plain(values[k]) for k in props}
        out.append(Feature(number=i, properties=clean, geometry=geom))
    return out


def _plain(v: Any) -> Any:
    try:
        import pandas as pd

        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, str):
        return v.strip() or None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
