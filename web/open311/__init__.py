"""Open311 GeoReport v2: the open standard other systems use to file and follow problems (routes under /open311/v2/)."""

from __future__ import annotations

from web.open311.routes import PREFIX, error_response, router

__all__ = ["PREFIX", "error_response", "router"]
