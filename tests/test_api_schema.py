"""schemathesis against the live OpenAPI schema, served by the app itself (WSGI, in process):
for every operation a bounded, derandomised set of generated requests as an admin, on the demo
archive; no 5xx, and every response matches the schema (status code, content type, body).

Everything runs inside the test's transaction, so the writes it generates (uploads, edits,
deletes) are rolled back and the session archive is unchanged afterwards.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .api_support import *  # noqa: F403

MAX_EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_test_transaction(archive, settings, tmp_path):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PHOTODESK = {**settings.PHOTODESK, "API_UPLOAD_RATE": None, "API_SEARCH_RATE": None}
    # As Django's test client does: requests must not close the test's connection (its
    # transaction is what undoes the generated writes).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(role_users):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=role_users["admin"]).key


TRIED: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def report_examples():
    """Prints how many generated requests each operation got (run with -s to see it)."""
    yield
    print(f"\nschemathesis: {sum(TRIED.values())} requests over {len(TRIED)} operations")


# Loaded from the running app at collection (one pytest test per operation).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_schema(case, in_test_transaction, admin_token):
    key = case.operation.label
    TRIED[key] = TRIED.get(key, 0) + 1
    case.call_and_validate(headers={"Authorization": f"Token {admin_token}"}, checks=CHECKS)


@pytest.mark.django_db
def test_the_schema_and_its_two_readers_are_served(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert "/api/v1/images/" in schema.json()["paths"]
    for page, marker in (("/api/schema/swagger/", b"SwaggerUI"), ("/api/schema/redoc/", b"redoc")):
        response = client.get(page)
        assert response.status_code == 200 and marker in response.content
