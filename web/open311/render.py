"""GeoReport v2 documents as JSON and XML, the specification's error format included.

JSON is a list of objects (an object for discovery and a service definition); XML wraps the
same fields in the specification's root and item elements (``<services><service>``,
``<service_requests><request>``, ``<errors><error>``), nested lists as their plural element
holding singular ones (``<attributes><attribute>``, ``<values><value>``, ``<formats><format>``).
Times are W3C datetimes with the campaign's offset; booleans ``true``/``false``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.responses import Response

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")
#: the element of each item of a nested list, by the list's element
SINGULAR = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
            "extensions": "extension", "service_requests": "request", "services": "service", "errors": "error"}

#: HTTP statuses the specification names; the app's 422 (bad input) is the spec's 400, a missing key 403
SPEC_STATUS = {422: 400, 401: 403}


def plain(value: Any) -> Any:
    """A value as JSON has it: datetimes as W3C text, nested structures recursively."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(plain(value))


def _fill(parent: ET.Element, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, dict):
            _fill(child, value)
        elif isinstance(value, list):
            for item in value:
                grandchild = ET.SubElement(child, SINGULAR.get(key, "item"))
                if isinstance(item, dict):
                    _fill(grandchild, item)
                else:
                    grandchild.text = _text(item)
        else:
            child.text = _text(value)


def xml_document(root: str, body: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    """``<root>`` holding one ``<item>`` per dict of a list (or the dict's fields), UTF-8 with its declaration."""
    element = ET.Element(root)
    if isinstance(body, dict):
        _fill(element, body)
    else:
        for item in body:
            _fill(ET.SubElement(element, SINGULAR.get(root, "item")), item)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def document(fmt: str, root: str, body: list[dict[str, Any]] | dict[str, Any], status: int = 200,
             headers: dict[str, str] | None = None) -> Response:
    """The response in ``fmt`` (json or xml); ``root`` names the XML root element."""
    if fmt == "xml":
        return Response(xml_document(root, body), status_code=status, media_type=XML_TYPE, headers=headers)
    text = json.dumps(plain(body), ensure_ascii=False, separators=(",", ":"))
    return Response(text.encode("utf-8"), status_code=status, media_type=JSON_TYPE, headers=headers)


def error_document(fmt: str, status: int, message: str, details: list[str] | None = None) -> Response:
    """``[{"code": 400, "description": …}]`` (``<errors><error>`` in XML), one entry per detail line too."""
    code = SPEC_STATUS.get(status, status)
    errors = [{"code": code, "description": message}] + [{"code": code, "description": d} for d in details or []]
    return document(fmt, "errors", errors, status=code)
