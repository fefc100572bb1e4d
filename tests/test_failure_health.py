"""/healthz says the process is alive without touching anything; /readyz says whether the
database, Redis (when set) and a published ruleset are there. Neither needs a sign-in."""

import pytest
from django.core.cache import caches

from tests.failure_helpers import closed_port, database_down, redis_cache_at


def test_healthz_is_alive_without_database_or_session(anonymous_client):
    # No db fixture: any query, a session load included, would fail this test.
    anonymous_client.cookies["sessionid"] = "a-session-it-must-not-load"
    response = anonymous_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"
    assert "Cookie" not in response.get("Vary", "")


def test_readyz_is_ready_with_a_published_ruleset(anonymous_client, published_ruleset):
    response = anonymous_client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {
        "database": "ok", "ruleset": "ok", "redis": "not configured"}}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_unavailable_without_a_published_ruleset(anonymous_client, db):
    response = anonymous_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["ruleset"] == "none published"


def test_readyz_is_unavailable_without_the_database(anonymous_client, published_ruleset):
    with database_down():
        response = anonymous_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable (OperationalError)",
                                         "ruleset": "unknown", "redis": "not configured"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_unavailable_without_redis(anonymous_client, published_ruleset, settings):
    settings.CACHES = redis_cache_at(closed_port())
    response = anonymous_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable (ConnectionError)"
    caches["throttle"].close()


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_only_answer_reads(anonymous_client, path):
    assert anonymous_client.post(path).status_code == 405
