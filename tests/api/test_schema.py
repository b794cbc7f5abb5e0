"""The OpenAPI schema and its documentation page, and schemathesis over the whole schema
with a staff member's token: no server error, no response that breaks the schema.

Bounded: 10 examples per operation, derandomised (the same run every time)."""

import re

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ktgs.wsgi import application


@pytest.fixture
def staff_headers(world, cast, settings):
    # Every generated request is a token request: lift the token rate for this run.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100000/hour"},
    }
    cache.clear()
    token, _ = Token.objects.get_or_create(user=cast.staff_a)
    return {"Authorization": f"Token {token.key}"}


@pytest.fixture
def wsgi_app():
    """The project's WSGI application on the test's database transaction. Like Django's
    test client, keep the request signals from closing the connection (it is inside the
    test's atomic block, which Django would take for a broken connection)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(staff_headers, wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, headers=staff_headers)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_no_server_error_and_no_response_outside_the_schema(api_schema, staff_headers):
    """Every operation, valid and invalid inputs, 10 examples each, derandomised.

    schemathesis' own pytest integration (`from_fixture`) reads a private attribute of
    pytest that pytest 9 no longer has, so the operations are driven with Hypothesis
    here, as that integration does."""
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=10,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                case.call_and_validate(headers=staff_headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # Nothing invalid left to send (a GET whose only input is its id, once
                # the ids the router would refuse are set aside): nothing to test.
                assert mode == GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as error:  # collect all, report together
                failures[f"{operation.label} ({mode.value})"] = str(error)[:2000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_the_schema_documents_every_endpoint_and_its_errors(api, cast, world):
    response = api.as_user(cast.staff_a).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in (
        "/api/v1/organizations/",
        "/api/v1/plans/{id}/",
        "/api/v1/targets/",
        "/api/v1/cases/{id}/conclude/",
        "/api/v1/cases/{id}/status/",
        "/api/v1/cases/{id}/subjects/",
        "/api/v1/cases/{id}/disciplines/",
        "/api/v1/progress/{id}/",
        "/api/v1/reminders/",
        "/api/v1/letters/",
        "/api/v1/letters/{id}/",
        "/api/v1/letters/{id}/keep/",
        "/api/v1/letters/{id}/handle/",
        "/api/v1/letters/{id}/forward/",
        "/api/v1/letters/{id}/link-case/",
        "/api/v1/letters/{id}/open-denunciation/",
        "/api/v1/denunciations/",
        "/api/v1/denunciations/{id}/",
        "/api/v1/denunciations/{id}/extend/",
        "/api/v1/denunciations/{id}/conclude/",
        "/api/v1/complaints/",
        "/api/v1/complaints/{id}/",
        "/api/v1/complaints/{id}/decide/",
        "/api/v1/suspensions/",
        "/api/v1/suspensions/{id}/",
        "/api/v1/suspensions/{id}/extend/",
        "/api/v1/suspensions/{id}/lift/",
    ):
        assert path in paths
    post = paths["/api/v1/cases/"]["post"]
    assert {"201", "400", "401", "403", "409", "429"} <= set(post["responses"])
    assert "404" in paths["/api/v1/cases/{id}/"]["get"]["responses"]
    listing = paths["/api/v1/cases/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"page", "page_size", "ordering", "year", "status", "subtree_of"} <= names


def test_the_docs_page_uses_our_static_files_and_no_inline_code(client, cast):
    client.force_login(cast.staff_a)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert not re.search(r"<script>|<style", html)  # everything from files (CSP 'self')
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_a_nul_byte_in_a_query_parameter_is_a_400_in_the_documented_shape(api, cast, world):
    # Found by schemathesis: a filter's validator raised a bare list, not {"field": [...]}.
    response = api.as_user(cast.staff_a).get("/api/v1/organizations/", {"search": "a\x00b"})
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body, dict)
    assert body["non_field_errors"]


def test_the_schema_is_generated_without_a_warning(tmp_path):
    """drf-spectacular warns of an enum name collision or a field it cannot type; any
    warning fails (`--fail-on-warn`)."""
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


@pytest.mark.parametrize("endpoint", ["letters", "denunciations", "complaints", "suspensions"])
def test_record_lists_document_their_filters_and_writes_their_errors(api, cast, world, endpoint):
    paths = api.as_user(cast.staff_a).get("/api/schema/", {"format": "json"}).json()["paths"]
    names = {p["name"] for p in paths[f"/api/v1/{endpoint}/"]["get"]["parameters"]}
    assert {"page", "ordering", "organization", "subtree_of"} <= names
    post = paths[f"/api/v1/{endpoint}/"]["post"]
    assert {"201", "400", "403", "409"} <= set(post["responses"])
