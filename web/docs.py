"""/docs: the OpenAPI document rendered on the server, in Chinese, with no script from a CDN.

FastAPI's Swagger UI page loads its JavaScript from a CDN, which offices behind a closed
network cannot reach; this page needs nothing but the app. The machine-readable document
stays at /openapi.json for code generators and Swagger-compatible tools.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.templating import render

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(content: dict[str, Any]) -> str:
    for media, body in content.items():
        ref = body.get("schema", {}).get("$ref", "")
        return f"{media} · {ref.rsplit('/', 1)[-1]}" if ref else media
    return ""


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the document as a flat row for the page, grouped by tag order."""
    rows = []
    for path, ops in spec.get("paths", {}).items():
        for method in METHODS:
            op = ops.get(method)
            if op is None:
                continue
            rows.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "tag": (op.get("tags") or ["其他"])[0], "secured": bool(op.get("security")),
                "params": [(p["name"], p["in"], p.get("required", False)) for p in op.get("parameters", [])],
                "body": _schema_name(op.get("requestBody", {}).get("content", {})),
                "responses": sorted(op.get("responses", {})),
            })
    return rows


@router.get("/docs")
def docs(request: Request) -> Response:
    spec = request.app.openapi()
    tags: dict[str, list[dict[str, Any]]] = {}
    for row in operations(spec):
        tags.setdefault(row["tag"], []).append(row)
    return render(request, "api_docs.html", {"spec": spec, "tags": tags})
