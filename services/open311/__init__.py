"""Open311 GeoReport v2 (other systems file and follow problems): the client systems' API keys (hashed, rate-limited, every keyed request audited), the services (the campaign's problem categories), service requests filed as complaints and shown back with their status, notes and responsible unit.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.open311.catalogue import (
    Attribute,
    Service,
    ServiceDefinition,
    list_services,
    resolve_campaign,
    service_code,
    service_definition,
)
from services.open311.keys import (
    KeyHolder,
    KeyRow,
    add_key,
    list_keys,
    revoke_key,
    use_key,
)
from services.open311.service_requests import (
    Filed,
    ServiceRequest,
    file_request,
    get_request,
    list_requests,
)
from services.open311.texts import BAD_FORMAT, CONTACT, DATUM_EXTENSION, FORM_ONLY, KEY_SERVICE, NO_ENDPOINT, NO_TOKENS

__all__ = [
    "BAD_FORMAT",
    "CONTACT",
    "DATUM_EXTENSION",
    "FORM_ONLY",
    "KEY_SERVICE",
    "NO_ENDPOINT",
    "NO_TOKENS",
    "Attribute",
    "Filed",
    "KeyHolder",
    "KeyRow",
    "Service",
    "ServiceDefinition",
    "ServiceRequest",
    "add_key",
    "file_request",
    "get_request",
    "list_keys",
    "list_requests",
    "list_services",
    "resolve_campaign",
    "revoke_key",
    "service_code",
    "service_definition",
    "use_key",
]
