"""创卫办工作台: the office console under /office (desktop, server-rendered, offline).

One module per page group; each is a thin translation from HTTP to the same services the CLI
and the phone pages call. ``ROUTERS`` is what ``web.app`` includes.
"""

from __future__ import annotations

from web.office import decisions, inspections, overview, records, review, segments, standard

ROUTERS = [overview.router, review.router, decisions.router, inspections.router, segments.router, records.router,
           standard.router]
