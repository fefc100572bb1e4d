"""With REDIS_URL the seen jtis (and the call counts) live in Redis, shared by every worker;
while Redis is unreachable they fall back to the database table, and a replay is still
refused."""

import json

import pytest
from django.core.cache import caches

from options.api.throttling import _redis
from options.cds_hooks.models import SeenJti
from tests.failure_helpers import closed_port, redis_cache_at
from tests.fault.processes import RedisServer

from .helpers import PATIENT_VIEW, request_of, service_url

URL = service_url(PATIENT_VIEW)


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _redis_state():
    _redis._retry_at, _redis._down_since = 0.0, None
    yield
    _redis._retry_at, _redis._down_since = 0.0, None
    caches._settings = None  # forget the per-test CACHES setting's connections


def _twice(http, ehr):
    token = ehr.token(URL)
    return [http.post(URL, data=json.dumps(request_of("V01")), content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {token}").status_code for _ in range(2)]


def test_replay_is_refused_from_redis(client, cds_ehr, published_ruleset, settings,
                                      redis_server):
    settings.CACHES = redis_cache_at(redis_server.port)
    assert _twice(client, cds_ehr) == [200, 401]
    assert not SeenJti.objects.exists()


def test_without_redis_the_table_refuses_the_replay(client, cds_ehr, published_ruleset,
                                                    settings):
    settings.CACHES = redis_cache_at(closed_port())
    assert _twice(client, cds_ehr) == [200, 401]
    assert SeenJti.objects.count() == 1
