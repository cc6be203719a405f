"""A CJK font for matplotlib, registered by file so it never depends on the font cache.

Without it matplotlib draws □ for every Chinese character and warns "Glyph … missing".
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maps.offline_assets import MissingSystemPackage

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

#: (font file, Debian package), preferred first.
CJK_FONTS: tuple[tuple[Path, str], ...] = (
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), "fonts-wqy-microhei"),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), "fonts-noto-cjk"),
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), "fonts-wqy-zenhei"),
)


@functools.cache
def register_cjk_font() -> str:
    """Add the first installed CJK font to matplotlib's font manager; return its family."""
    from matplotlib import font_manager

    for path, _package in CJK_FONTS:
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    raise MissingSystemPackage(CJK_FONTS[0][1], CJK_FONTS[0][0])


def cjk_rc() -> dict[RcKeyType, Any]:
    """rcParams that draw all text with the CJK font, DejaVu Sans filling any gaps.

    matplotlib (≥ 3.6) falls back glyph by glyph along `font.sans-serif`. The ASCII
    hyphen replaces U+2212 (minus), which some CJK fonts lack.
    """
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [register_cjk_font(), "DejaVu Sans"],
        "axes.unicode_minus": False,
    }


def use_cjk_font() -> str:
    """Set matplotlib's global rcParams for Chinese text; return the CJK family name."""
    import matplotlib

    matplotlib.rcParams.update(cjk_rc())
    return register_cjk_font()
