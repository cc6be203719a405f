"""A route map (PNG) of a 模拟暗访: the town's roads in grey, the sampled points numbered in visiting order.

Drawn in WGS-84 degrees with the aspect corrected for latitude (cos φ), which is exact enough
for a town a few kilometres across; the points' colours say their type.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from maps.fonts import cjk_rc

_PALETTE = ("#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#4e342e", "#558b2f",
            "#283593", "#f9a825", "#37474f")


@dataclass(frozen=True)
class RoutePoint:
    seq: int
    type: str
    name: str
    lon: float  # WGS-84
    lat: float


def route_map_png(points: Sequence[RoutePoint], lines: Sequence[dict], *, title: str, out_path: Path,
                  dpi: int = 150) -> Path:
    """Draw the route over ``lines`` (GeoJSON LineString/MultiLineString dicts, WGS-84) to ``out_path``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    with matplotlib.rc_context(cjk_rc()):
        fig, ax = plt.subplots(figsize=(10, 9))
        for g in lines:
            parts = g["coordinates"] if g["type"] == "MultiLineString" else [g["coordinates"]]
            for part in parts:
                ax.plot([c[0] for c in part], [c[1] for c in part], color="#b0b0b0", linewidth=1.2, zorder=1)
        if points:
            ax.plot([p.lon for p in points], [p.lat for p in points], color="#555555", linewidth=1, linestyle="--",
                    zorder=2)
        colours = {t: _PALETTE[k % len(_PALETTE)] for k, t in enumerate(dict.fromkeys(p.type for p in points))}
        for t, colour in colours.items():
            pts = [p for p in points if p.type == t]
            ax.scatter([p.lon for p in pts], [p.lat for p in pts], s=90, color=colour, label=f"{t}（{len(pts)}）",
                       zorder=3, edgecolors="white")
        for p in points:
            ax.annotate(str(p.seq), (p.lon, p.lat), ha="center", va="center", fontsize=7, color="white", zorder=4)
        lat0 = sum(p.lat for p in points) / len(points) if points else 30.0
        ax.set_aspect(1 / math.cos(math.radians(lat0)))
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
        if points:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, frameon=False)
        fig.text(0.01, 0.01, "© OpenStreetMap contributors", fontsize=7, color="#666666")
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out_path, dpi=dpi, bbox_inches="tight")
        plt.close(fig)
    return out_path
