"""The furniture of the interactive map: folium classes without CDN links, the basemap tiles,
the page's stylesheet, its title and its legend (all text from ``maps.styles``)."""

from __future__ import annotations

import functools
import html
from typing import Any

from maps import styles

MAX_ZOOM = 18  # the Chinese tile services stop at 18; marker clustering needs a maximum

_TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={tk}"
)
_TIANDITU_ATTR = "&copy; 天地图 国家地理信息公共服务平台"
_GAODE_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
_GAODE_ATTR = "&copy; 高德地图"
_FONT_STACK = '"WenQuanYi Micro Hei","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif'

# Neutral cluster bubbles: the plugin's default green/yellow/orange would read as progress.

@functools.cache
def offline_classes() -> tuple[Any, Any, Any]:
    """folium's Map, MarkerCluster and HeatMap without their CDN links (assets are inlined)."""
    import folium
    from folium import plugins

    class OfflineMap(folium.Map):
        default_js: list = []
        default_css: list = []

    class OfflineMarkerCluster(plugins.MarkerCluster):
        default_js: list = []
        default_css: list = []

    class OfflineHeatMap(plugins.HeatMap):
        default_js: list = []
        default_css: list = []

    return OfflineMap, OfflineMarkerCluster, OfflineHeatMap


@functools.cache
def map_script_class() -> Any:
    """A MacroElement that runs a snippet of JavaScript with the Leaflet map as `map`."""
    from folium.elements import MacroElement
    from folium.template import Template

    class MapScript(MacroElement):
        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function (map) { {{ this.code }} })({{ this._parent.get_name() }});
            {% endmacro %}
            """
        )

        def __init__(self, code: str):
            super().__init__()
            self._name = "MapScript"
            self.code = code

    return MapScript


def add_basemap(folium: Any, fmap: Any, basemap: str, tianditu_key: str | None) -> None:
    if basemap == "tianditu":
        for layer, overlay in (("vec", False), ("cva", True)):
            folium.TileLayer(
                _TIANDITU_URL.format(layer=layer, tk=tianditu_key),
                attr=_TIANDITU_ATTR,
                name=styles.BASEMAP_TIANDITU,
                subdomains="01234567",
                max_zoom=MAX_ZOOM,
                overlay=overlay,
                control=not overlay,
            ).add_to(fmap)
    elif basemap == "gaode":
        folium.TileLayer(
            _GAODE_URL,
            attr=_GAODE_ATTR,
            name=styles.BASEMAP_GAODE,
            subdomains="1234",
            max_zoom=MAX_ZOOM,
        ).add_to(fmap)


def page_css() -> str:
    return f"""<style>
.leaflet-container, .cw-box {{ font-family: {_FONT_STACK}; }}
.leaflet-container {{ background: #f7f7f5; }}
.cw-street {{ font-size: 12px; color: #212121; white-space: nowrap; font-weight: bold;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; transform: translate(-50%, -50%); }}
.cw-box {{ position: absolute; z-index: 1000; background: rgba(255,255,255,.92);
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); padding: 8px 12px;
  color: #212121; }}
.cw-title {{ top: 10px; left: 50%; transform: translateX(-50%); font-size: 18px;
  font-weight: bold; white-space: nowrap; }}
.cw-cluster div {{ width: 100%; height: 100%; border-radius: 50%; display: flex;
  align-items: center; justify-content: center; background: rgba(55,71,79,.85);
  border: 2px solid #fff; box-sizing: border-box; color: #fff; font-weight: bold;
  font-size: 13px; }}
.cw-legend {{ bottom: 48px; left: 10px; font-size: 13px; line-height: 20px; }}
.cw-legend h4 {{ margin: 6px 0 2px; font-size: 13px; }}
.cw-legend h4:first-child {{ margin-top: 0; }}
.cw-line {{ display: inline-block; width: 26px; height: 5px; border-radius: 2px;
  vertical-align: middle; margin-right: 6px; }}
.cw-dot {{ display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  border: 1.5px solid #fff; box-shadow: 0 0 0 1px #9e9e9e; vertical-align: middle;
  margin: 0 8px 0 6px; }}
.cw-dash {{ display: inline-block; width: 26px; border-top: 2px dashed {styles.BOUNDARY_COLOUR};
  vertical-align: middle; margin-right: 6px; }}
.cw-note {{ color: #616161; font-size: 12px; }}
.cw-gap {{ height: 6px; }}
</style>"""


def title_html(title: str) -> str:
    return f'<div class="cw-box cw-title">{html.escape(title)}</div>'


def legend_html(
    *,
    findings: dict[str, str],
    levels: list[tuple[str, str]],
    inspections: bool,
    boundary: bool,
    boundary_label: str = styles.LEGEND_BOUNDARY,
) -> str:
    rows = [f"<h4>{styles.LEGEND_PROGRESS_TITLE}</h4>"]
    rows += [
        f'<div><span class="cw-line" style="background:{c}"></span>{html.escape(label)}</div>'
        for c, label in styles.progress_legend()
    ]
    rows.append(f'<div class="cw-note">{styles.LEGEND_WIDTH_NOTE}</div>')
    if findings:
        rows.append(f"<h4>{styles.LEGEND_CATEGORY_TITLE}</h4>")
        rows += [
            f'<div><span class="cw-dot" style="background:{c}"></span>{html.escape(name)}</div>'
            for name, c in findings.items()
        ]
    if levels:
        rows.append(f"<h4>{styles.LEGEND_LEVEL_TITLE}</h4>")
        rows += [
            f'<div><span class="cw-dot" style="background:{c}"></span>{html.escape(label)}</div>'
            for c, label in levels
        ]
    if inspections or boundary:
        rows.append('<div class="cw-gap"></div>')
    if inspections:
        rows.append(
            f'<div><span class="cw-dot" style="background:{styles.INSPECTION_COLOUR}"></span>'
            f"{styles.LEGEND_INSPECTION}</div>"
        )
    if boundary:
        rows.append(f'<div><span class="cw-dash"></span>{html.escape(boundary_label)}</div>')
    return f'<div class="cw-box cw-legend">{"".join(rows)}</div>'
