"""GeoReport v2 documents: the specification's XML elements, JSON values and error list."""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

from web.open311.render import document, error_document, xml_document

TZ = dt.timezone(dt.timedelta(hours=8))


def test_a_list_becomes_the_root_holding_one_item_element_each_with_nested_lists_singular():
    body = [{"service_code": "e8ef43", "metadata": True, "lat": 39.9965, "expected_datetime": None,
             "requested_datetime": dt.datetime(2025, 1, 20, 10, tzinfo=TZ)}]
    root = ET.fromstring(xml_document("service_requests", body))
    (request,) = root.findall("request")
    assert request.findtext("service_code") == "e8ef43" and request.findtext("metadata") == "true"
    assert request.findtext("lat") == "39.9965" and request.findtext("expected_datetime") == ""
    assert request.findtext("requested_datetime") == "2025-01-20T10:00:00+08:00"
    definition = ET.fromstring(xml_document("service_definition", {
        "service_code": "x", "attributes": [{"code": "datum", "values": [{"key": "gcj02", "name": "GCJ-02"}]}]}))
    assert definition.find("attributes/attribute/values/value/key").text == "gcj02"


def test_errors_are_a_list_of_code_and_description_with_the_specification_statuses():
    r = error_document("json", 422, "缺少 service_code", ["lat: 不是数字"])
    assert r.status_code == 400
    assert json.loads(r.body) == [{"code": 400, "description": "缺少 service_code"},
                                  {"code": 400, "description": "lat: 不是数字"}]
    x = error_document("xml", 401, "需要 api_key")
    assert x.status_code == 403 and x.media_type.startswith("text/xml")
    assert ET.fromstring(x.body).find("error/code").text == "403"


def test_json_keeps_chinese_and_writes_times_in_w3c_form():
    r = document("json", "services", [{"service_name": "占道经营", "at": dt.datetime(2025, 1, 8, 18, tzinfo=TZ)}])
    assert "占道经营" in r.body.decode() and json.loads(r.body)[0]["at"] == "2025-01-08T18:00:00+08:00"
