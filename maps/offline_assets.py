"""Local copies of the JavaScript and CSS a progress map needs, for inlining into its HTML.

Nothing is fetched from a CDN and nothing is vendored into the repository: Leaflet and
Leaflet.markercluster come from Debian packages, the heat-layer plugin from the folium
wheel itself. The renderer inlines the text, so a saved map still works when it is mailed
or copied to a machine with no network.

Heat layer: Debian has no Leaflet.heat package. folium's HeatMap points its script tag at
jsDelivr, but the file it names is `folium/templates/leaflet_heat.min.js`, which ships
inside the installed folium package (Leaflet.heat 0.2.0 with simpleheat, BSD-2-Clause,
patched for weights). Reading it from there needs no extra system package and no npm
step, and stays in lock-step with the folium version that renders the layer.
"""

from __future__ import annotations

import base64
import functools
import importlib.resources
import re
from dataclasses import dataclass
from pathlib import Path

from rules.errors import DomainError

LEAFLET_DIR = Path("/usr/share/javascript/leaflet")

_SOURCE_MAP = re.compile(r"^\s*/[/*][#@] sourceMappingURL=.*$", re.MULTILINE)
_CSS_IMAGE = re.compile(r"url\((?:['\"])?images/([\w.-]+\.png)(?:['\"])?\)")


class MissingSystemPackage(DomainError):
    """A file the maps need is missing because a Debian package is not installed."""

    def __init__(self, package: str, path: Path | str):
        super().__init__(
            f"缺少系统软件包 {package}（找不到 {path}）。"
            f"请运行 scripts/install_system_deps.sh 或 apt-get install {package}。",
            log_detail=f"missing {path}: apt-get install {package}",
        )
        self.package = package
        self.path = Path(path)


@dataclass(frozen=True)
class Asset:
    """One script or stylesheet, ready to inline."""

    name: str
    kind: str  # "js" | "css"
    text: str

    def html(self) -> str:
        """The asset as an inline <script> or <style> element."""
        tag = "script" if self.kind == "js" else "style"
        body = self.text.replace(f"</{tag}", f"<\\/{tag}")  # the text must not close the element
        return f"<{tag}>/* {self.name} */\n{body}\n</{tag}>"


def _read(path: Path, package: str) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissingSystemPackage(package, path) from None
    return _SOURCE_MAP.sub("", text)  # the .map files are not inlined


def _inline_css_images(css: str, folder: Path, package: str) -> str:
    def data_uri(match: re.Match[str]) -> str:
        image = folder / match.group(1)
        try:
            payload = base64.b64encode(image.read_bytes()).decode("ascii")
        except FileNotFoundError:
            raise MissingSystemPackage(package, image) from None
        return f'url("data:image/png;base64,{payload}")'

    return _CSS_IMAGE.sub(data_uri, css)


@functools.cache
def leaflet_assets(folder: Path = LEAFLET_DIR) -> tuple[Asset, ...]:
    """Leaflet's CSS (with its control images as data URIs) and script (libjs-leaflet)."""
    css = _read(folder / "leaflet.css", "libjs-leaflet")
    css = _inline_css_images(css, folder / "images", "libjs-leaflet")
    js = _read(folder / "leaflet.min.js", "libjs-leaflet")
    return (Asset("leaflet.css", "css", css), Asset("leaflet.min.js", "js", js))


@functools.cache
def markercluster_assets(folder: Path = LEAFLET_DIR) -> tuple[Asset, ...]:
    """Leaflet.markercluster's two stylesheets and script (libjs-leaflet.markercluster)."""
    package = "libjs-leaflet.markercluster"
    names = ("MarkerCluster.css", "MarkerCluster.Default.css", "leaflet.markercluster.min.js")
    return tuple(
        Asset(name, name.rsplit(".", 1)[1], _read(folder / name, package)) for name in names
    )


@functools.cache
def heat_assets() -> tuple[Asset, ...]:
    """The Leaflet.heat script that ships inside the folium package."""
    resource = importlib.resources.files("folium") / "templates" / "leaflet_heat.min.js"
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuntimeError(
            f"this folium release no longer ships {resource}; pin the folium version that does"
        ) from None
    return (Asset("leaflet_heat.min.js", "js", _SOURCE_MAP.sub("", text)),)
