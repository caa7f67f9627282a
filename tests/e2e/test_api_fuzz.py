"""Schemathesis over the OpenAPI schema (bounded: 12 generated requests per operation,
derandomized): whatever the request, the API answers without a 5xx, signed in with a
token of an official holding every role at the dossiers' unit.

Driven from a plain test (``as_strategy`` per operation): schemathesis' pytest fixture
loader does not run under pytest 9."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from motcua.services import dossiers as uc
from motcua.services.officials import create_api_token, create_official
from motcua.web.app import create_app
from tests.personas import CITIZEN


def test_no_generated_request_makes_the_api_fail(app, world):
    create_official(app, username="quantri", full_name="Quản Trị", password="mat-khau-demo",
                    roles=[("24175", r) for r in ("desk", "specialist", "head", "signer",
                                                  "admin")])
    uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                       applicant=CITIZEN, official=world["tiepnhan"])
    headers = {"Authorization": f"Bearer {create_api_token(app, 'quantri', 'Kiểm thử mờ')}"}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(app, "k" * 32))
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: "
                                f"{response.status_code} {response.text[:200]}")

        run()
    assert operations > 10
    assert failures == [], "\n".join(failures[:20])
