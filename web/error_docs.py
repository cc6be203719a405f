"""The OpenAPI document says what the API really answers on errors.

Every error under /api/ is ``{"detail": "<中文说明>", "details": [...]}`` (``ErrorOut``), the
422 of a bad parameter included (``web.app`` maps FastAPI's validation errors to it), so the
document must not promise FastAPI's ``HTTPValidationError`` array. Each operation lists its
known errors; ``default`` covers the ones any request may meet (413 over the body limit, 429
when sign-in is throttled, 500).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from web.api.schemas import ErrorOut

REF = "#/components/schemas/ErrorOut"
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": REF}}}}


def patch_errors(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with every error response described as ``ErrorOut`` (changed in place, returned)."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
    for ops in spec.get("paths", {}).values():
        for op in ops.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            for code, response in responses.items():
                if code[:1] in ("4", "5"):
                    response["content"] = {"application/json": {"schema": {"$ref": REF}}}
            if "422" in responses:
                responses["422"]["description"] = "填写有误（参数或请求体不符合要求）"
            responses.setdefault("default", _error_response("其他错误：内容过大（413）、请求过于频繁（429）、系统出错（500）"))
    for name in _FASTAPI_ERRORS:
        schemas.pop(name, None)
    return spec


def install(app: FastAPI) -> None:
    """Serve the patched document from ``app.openapi()`` (built once, like FastAPI's own)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = patch_errors(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the document
