"""A bounded schemathesis run over every operation in the OpenAPI document: bad input never gives a 5xx.

Runs as a site admin (the widest reach) against a database holding one complete review, on SQLite
and PostgreSQL. The number of examples per operation is bounded so CI stays quick; raise
DEBRIEF_FUZZ_EXAMPLES locally for a deeper run.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from service.app import create_app
from service.db.engine import make_engine, make_session_factory
from service.domain.accounts.bootstrap import create_user, issue_token
from service.domain.services import provide_services
from tests.helpers import make_cast

EXAMPLES = int(os.environ.get("DEBRIEF_FUZZ_EXAMPLES", "12"))


@pytest.mark.slow
def test_no_generated_request_gets_a_server_error(settings):
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        make_cast(services)
    engine.dispose()
    admin = create_user(settings, name="Fuzz Admin", email="fuzz@example.org", password=None, admin=True)
    headers = {"Authorization": f"Bearer {issue_token(settings, person=admin, name='fuzz')}"}
    schema = schemathesis.openapi.from_asgi("/api/schema/openapi.json", create_app(settings))

    calls, failures = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in ("/api/tokens/{token_id}", "/api/session"):
            continue  # revoking our own token or signing out would only turn the rest into 401s

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):  # type: ignore[no-untyped-def]
            nonlocal calls
            response = case.call(headers=headers)
            calls += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code} {response.text[:200]}"
                )
            content_type = (response.headers.get("content-type") or [""])[0]  # schemathesis keeps header lists
            if response.status_code >= 400 and content_type.startswith("application/"):
                assert content_type.startswith("application/problem+json"), response.text

        exercise()
    print(f"schemathesis: {calls} requests over {len(list(schema.get_all_operations()))} operations")
    assert calls > 200
    assert failures == [], "\n".join(failures[:20])
