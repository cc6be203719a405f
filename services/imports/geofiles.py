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
    """One feature: its 1-based position in the file, its attributes and its geometry.

    ``problem`` says (in Chinese) why a geometry present in the file could not be read (a line of
    one point …); the feature is still returned, so the caller can list every problem at once.
    """

    number: int
    properties: dict[str, Any]
    geometry: Any  # shapely geometry or None
    problem: str | None = None


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
    """The file's attributes as a DataFrame (Any: pandas through pyogrio ships no type information)."""
    import pyogrio

    kwargs: dict[str, Any] = {"layer": layer, "read_geometry": False} if layer else {"read_geometry": False}
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


def _why(error: Exception) -> str:
    """A GEOS parse error as the office can act on it."""
    text = str(error)
    if "point array must contain" in text or "must have at least" in text:
        return "线只有一个点（至少需要两个点）"
    if "rings" in text.lower() or "closed" in text.lower():
        return "面的边界没有闭合"
    return "图形数据无法解析"


def _geometries(path: Path, layer: str | None) -> list[tuple[Any, str | None]]:
    """Each feature's geometry, parsed one by one: (shapely geometry or None, problem or None)."""
    import warnings

    import shapely
    from pyogrio import raw

    kwargs: dict[str, Any] = {"layer": layer} if layer else {}
    _meta, _fids, wkbs, _fields = raw.read(path, columns=[], **kwargs)
    out: list[tuple[Any, str | None]] = []
    for wkb in wkbs:
        if wkb is None:
            out.append((None, None))
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # NaN coordinates: checked by the caller, by name
                out.append((shapely.from_wkb(wkb, on_invalid="raise"), None))
        except (shapely.errors.GEOSException, ValueError) as e:
            log.info("%s: unreadable geometry: %s", path, e)
            out.append((None, _why(e)))
    return out


def read_features(path: Path, layer: str | None = None) -> list[Feature]:
    """Features of a GeoJSON, GeoPackage or Shapefile; raise InvalidInput naming the file.

    Geometries are parsed feature by feature, so one bad feature is reported by number with
    the file's other problems instead of failing the whole file.
    """
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
        geometries = _geometries(path, layer)
    except Exception as e:  # noqa: BLE001 - pyogrio/GDAL raise their own types
        raise InvalidInput(f"{path}: 无法读取空间数据文件", log_detail=repr(e)) from None
    props = [c for c in frame.columns if c != "geometry"]
    out = []
    records = frame.to_dict("records")
    if len(records) != len(geometries):  # GDAL skipped a feature it could not read at all
        raise InvalidInput(f"{path}: 无法读取空间数据文件（部分要素无法解析）",
                           log_detail=f"{len(records)} attribute rows, {len(geometries)} geometries")
    for i, (values, (geom, problem)) in enumerate(zip(records, geometries, strict=True), start=1):
        clean = {k: _plain(values[k]) for k in props}
        out.append(Feature(number=i, properties=clean, geometry=geom, problem=problem))
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
