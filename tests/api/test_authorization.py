"""Deny by default: every endpoint, every way of calling it without the right to."""

import pytest
from rest_framework.test import APIClient

from options.api.models import ApiCallAudit
from options.api.scopes import SCOPES
from options.api.services import consultation_create_once
from options.http.clients import client_revoke
from options.http.models import AnonymousCallCount

from .helpers import http_for, minimal_assessment

# (method, path, scope it needs or None for any valid client)
ENDPOINTS = [
    ("post", "/api/v1/evaluate", "evaluate"),
    ("post", "/api/v1/consultations", "consultations:write"),
    ("get", "/api/v1/consultations", "consultations:read"),
    ("get", "/api/v1/consultations/{id}", "consultations:read"),
    ("get", "/api/v1/options", None),
    ("get", "/api/v1/guidance", None),
    ("get", "/api/v1/rulesets/current", None),
    ("get", "/api/v1/whoami", None),
]
IDS = [f"{m.upper()} {p}" for m, p, _ in ENDPOINTS]


@pytest.fixture
def stored(ehr_client, published_ruleset):
    """A consultation stored by the test EHR client."""
    response = ehr_client.post("/api/v1/consultations", minimal_assessment(), format="json")
    assert response.status_code == 201
    return response.json()["id"]


def call(http, method, path, consultation_id):
    url = path.replace("{id}", str(consultation_id))
    if method == "post":
        return http.post(url, minimal_assessment(), format="json")
    return http.get(url)


def assert_error(response, status):
    assert response.status_code == status
    body = response.json()
    assert body["status"] == status and body["errors"]


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS, ids=IDS)
def test_no_token_is_401(method, path, scope, stored):
    response = call(APIClient(), method, path, stored)
    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["errors"][0]["path"] == ""


@pytest.mark.parametrize("header", ["Token nope", "Token abc.def", "Token", "Token a b",
                                    "Bearer something", "Token \u00e9t\u00e9"],
                         ids=["unknown", "wrong-secret", "empty", "two-parts", "bearer",
                              "non-ascii"])
@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS, ids=IDS)
def test_bad_token_is_401(method, path, scope, header, stored):
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=header)
    assert_error(call(http, method, path, stored), 401)


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS, ids=IDS)
def test_right_prefix_wrong_secret_is_401(method, path, scope, ehr_client, stored):
    prefix = ehr_client.token.split(".")[0]
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Token {prefix}.not-the-secret")
    assert_error(call(http, method, path, stored), 401)


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS, ids=IDS)
def test_revoked_token_is_401(method, path, scope, ehr_client, stored):
    client_revoke(client=ehr_client.api_client)
    assert_error(call(ehr_client, method, path, stored), 401)


@pytest.mark.parametrize(("method", "path", "scope"),
                         [e for e in ENDPOINTS if e[2]], ids=[i for i, e in zip(IDS, ENDPOINTS,
                                                                                 strict=True)
                                                              if e[2]])
def test_missing_scope_is_403(method, path, scope, stored):
    http, _, _ = http_for(name="Narrow EHR", scopes=[s for s in SCOPES if s != scope])
    response = call(http, method, path, stored)
    assert_error(response, 403)
    assert scope in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS, ids=IDS)
def test_the_scope_it_needs_is_enough(method, path, scope, published_ruleset):
    http, row, _ = http_for(name="Exact EHR", scopes=[scope] if scope else [])
    own, _ = consultation_create_once(client=row, data=minimal_assessment(), key="",
                                      endpoint="test")
    assert call(http, method, path, own.pk).status_code in (200, 201)


def test_another_clients_consultation_is_not_found(stored):
    other, _, _ = http_for(name="Other EHR", scopes=SCOPES)
    assert_error(other.get(f"/api/v1/consultations/{stored}"), 404)
    assert other.get("/api/v1/consultations").json()["results"] == []


def test_calls_without_a_client_are_counted_not_audited(stored):
    ApiCallAudit.objects.all().delete()
    APIClient().get("/api/v1/whoami")
    assert not ApiCallAudit.objects.exists()
    assert AnonymousCallCount.objects.get().calls == 1


def test_last_used_is_recorded(ehr_client, published_ruleset):
    assert ehr_client.api_client.last_used_at is None
    ehr_client.get("/api/v1/whoami")
    ehr_client.api_client.refresh_from_db()
    assert ehr_client.api_client.last_used_at is not None
