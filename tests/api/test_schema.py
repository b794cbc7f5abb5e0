"""The OpenAPI schema and its documentation page, and schemathesis over the whole schema
with a staff member's token and every one of its checks.

Bounded: 10 examples per operation and mode, derandomised (the same run every time):
about 3½ minutes of requests on a loaded 2-core machine. KTGS_SCHEMATHESIS_ONLY=/cases/
runs only the operations whose label holds that text (to rerun one quickly)."""

import os
import re
import time

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
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ktgs.wsgi import application
from reports.engine.periods import ensure_periods
from reports.models import ReportPeriod
from tests.api.conftest import YEAR
from tests.cases.factories import complaint, denunciation, disciplined, letter, suspension


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


@pytest.fixture
def reachable_ids(world, tree, cast, deadline_rules):
    """Objects staff_a reaches, one of each kind, so that valid requests name them (a
    random id is almost never one the caller may touch, and its 404 or 400 tests little):
    `paths` by the collection in the URL, `fields` by parameter or body property."""
    decision = disciplined(cast.staff_a, tree.a1)
    received = letter(cast.staff_a, tree.a1, kind="petition")
    ensure_periods(YEAR)
    period = ReportPeriod.objects.filter(year=YEAR).order_by("pk").first()
    paths = {
        "organizations": tree.a1.pk,
        "progress": tree.a1.pk,
        "period-reports": tree.a1.pk,
        "plans": world.programme.pk,
        "programme-progress": world.programme.pk,
        "targets": world.target.pk,
        "cases": world.case_a1.pk,
        "letters": received.pk,
        "denunciations": denunciation(cast.staff_a, tree.a1).pk,
        "complaints": complaint(cast.staff_a, decision, tree.a).pk,
        "suspensions": suspension(cast.staff_a, tree.a1).pk,
    }
    fields = {
        "organization": tree.a1.pk,
        "subtree_of": tree.a.pk,
        "parent": tree.a.pk,
        "unit": tree.a1.pk,
        "subject_organization": tree.a1a.pk,
        "about_organization": tree.a1.pk,
        "deciding_organization": tree.a.pk,
        "forwarded_to": tree.a.pk,
        "programme": world.programme.pk,
        "target": world.target.pk,
        "case": world.case_a1.pk,
        "letter": received.pk,
        "discipline": decision.pk,
        "period": period.pk,
    }
    return paths, fields


def reach(case, paths, fields):
    """A valid case, its ids replaced by reachable ones (the values stay schema-valid)."""
    collection = case.operation.path.strip("/").split("/")[2]
    if case.path_parameters and "id" in case.path_parameters and collection in paths:
        case.path_parameters["id"] = paths[collection]
    containers = [case.query or {}]
    if isinstance(case.body, dict):
        containers.append(case.body)
        containers.extend(s for s in case.body.get("subjects") or [] if isinstance(s, dict))
    for container in containers:
        for name, value in list(container.items()):
            if name not in fields or isinstance(value, bool):
                continue
            if isinstance(value, int):
                container[name] = fields[name]
            elif isinstance(value, str) and value.isdigit():  # not `period=q1`, a choice
                container[name] = str(fields[name])
    return case


def _messages(body) -> list[str]:
    if isinstance(body, str):
        return [body]
    if isinstance(body, list):
        return [m for item in body for m in _messages(item)]
    if isinstance(body, dict):
        return [m for key, value in body.items() if key != "changes" for m in _messages(value)]
    return []


VIETNAMESE = re.compile(r"[^\x00-\x7f]")  # every message has a letter outside ASCII


def errors_are_vietnamese(ctx, response, case):
    """Every error a client reads is in Vietnamese (the default language: no
    Accept-Language is sent)."""
    if response.status_code < 400 or "json" not in response.headers.get("content-type", [""])[0]:
        return None
    english = [m for m in _messages(response.json()) if not VIETNAMESE.search(m)]
    assert not english, f"{response.status_code} in English: {english}"
    return None


def valid_data_meets_only_domain_rules(ctx, response, case):
    """positive_data_acceptance, but for the rules no schema can state (a closed
    programme takes no target, a date before another, the reach of a unit): those answer
    a valid request with 400 and Vietnamese messages on the fields. Any other refusal of
    valid data fails as schemathesis' own check would."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and response.status_code == 400:
        body = response.json()
        assert isinstance(body, dict) and body, body
        assert all(VIETNAMESE.search(m) for m in _messages(body)), body
        return None
    return positive_data_acceptance(ctx, response, case)


def test_every_check_of_schemathesis_passes(api_schema, staff_headers, reachable_ids):
    """Every operation, valid and invalid inputs, 10 examples each, derandomised; every
    built-in check of schemathesis (its defaults), positive_data_acceptance as above, and
    every error in Vietnamese.

    schemathesis' own pytest integration (`from_fixture`) reads a private attribute of
    pytest that pytest 9 no longer has, so the operations are driven with Hypothesis
    here, as that integration does."""
    paths, fields = reachable_ids
    checks = (
        schemathesis.check(errors_are_vietnamese),
        schemathesis.check(valid_data_meets_only_domain_rules),
    )
    failures: dict[str, str] = {}
    only = os.environ.get("KTGS_SCHEMATHESIS_ONLY", "")
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    started = time.monotonic()
    for operation in operations:
        if only and only not in operation.label:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            if mode == GenerationMode.POSITIVE:
                strategy = strategy.map(lambda case: reach(case, paths, fields))

            @given(case=strategy)
            @settings(
                max_examples=10,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                case.call_and_validate(
                    headers=staff_headers,
                    excluded_checks=[positive_data_acceptance],
                    additional_checks=list(checks),
                )

            try:
                run()
            except Unsatisfiable:
                # Nothing invalid left to send (a GET whose only input is its id, once
                # the ids the router would refuse are set aside): nothing to test.
                assert mode == GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as error:  # collect all, report together
                failures[f"{operation.label} ({mode.value})"] = str(error)[:2000]
    print(f"schemathesis: {len(operations)} operations in {time.monotonic() - started:.0f} s")
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
