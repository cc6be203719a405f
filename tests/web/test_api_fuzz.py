"""Schemathesis over every API operation, with the office's token and a unit's (issue 16).

Every operation in ``/openapi.json`` — whatever routers exist when the test runs — gets valid
and invalid requests generated from its schema, sent in-process to the app; any 5xx, and any
answer whose status, content type or body the document does not describe, fails the test.
Bounded (a fixed number of derandomized examples per operation and mode) to stay well under
three minutes on both databases.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

#: examples per operation and generation mode
EXAMPLES = {GenerationMode.POSITIVE: 16, GenerationMode.NEGATIVE: 10}
#: operations that end the token the rest of the run uses (each has its own tests)
SKIP = {("POST", "/api/auth/logout")}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _fuzz(app, token: str) -> list[str]:
    """Run every operation; the failures, one line each (operation, mode, what failed)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 10, "the document lists the API's operations"
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        for mode, count in EXAMPLES.items():

            @settings(max_examples=count, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case) -> None:
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                run()
            except Exception as e:  # noqa: BLE001 - collect every operation's failure, then report them all
                failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}]: "
                                f"{type(e).__name__}: {str(e)[:600]}")
    return failures


def test_no_operation_answers_5xx_or_off_schema_for_the_office(api_for, town):
    office = api_for(town.office)
    token = office.headers["Authorization"].split()[1]
    failures = _fuzz(office.app, token)
    assert not failures, "\n".join(failures)


def test_no_operation_answers_5xx_or_off_schema_for_a_unit(api_for, town):
    unit = api_for(town.unit_a)
    token = unit.headers["Authorization"].split()[1]
    failures = _fuzz(unit.app, token)
    assert not failures, "\n".join(failures)
