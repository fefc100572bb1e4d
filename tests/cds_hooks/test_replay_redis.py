"""The seen-jti store is always the database table: with REDIS_URL set, a jti used once is
refused for its token's lifetime whatever Redis does (up, stopped, restarted without its
data). Each test runs its own redis-server (--save "" --appendonly no, so a restart is
empty) and stops or restarts it between two uses of one token."""

import base64
import json
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from options.cds_hooks import replay
from options.cds_hooks.models import CdsCallAudit, SeenJti
from options.http.counting import redis_state
from tests.failure_helpers import closed_port, redis_cache_at
from tests.fault.processes import RedisServer

from .helpers import PATIENT_VIEW, request_of, service_url

URL = service_url(PATIENT_VIEW)


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _redis_state():
    _redis_retry_now()
    yield
    _redis_retry_now()
    caches._settings = None  # forget the per-test CACHES setting's connections


def _redis_retry_now():
    """Forget an earlier failure, as if Redis's retry pause had passed."""
    redis_state.forget()


def _use(http, token):
    return http.post(URL, data=json.dumps(request_of("V01")), content_type="application/json",
                     HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def _refused_as_replay(http, token):
    assert _use(http, token) == 401
    assert CdsCallAudit.objects.order_by("-pk").first().outcome == "replayed"


@pytest.fixture
def with_redis(settings, redis_server):
    settings.CACHES = redis_cache_at(redis_server.port)
    return redis_server


def test_a_replay_is_refused_with_redis_up(client, cds_ehr, published_ruleset, with_redis):
    token = cds_ehr.token(URL)
    assert _use(client, token) == 200
    _refused_as_replay(client, token)
    assert SeenJti.objects.count() == 1  # the database holds it, Redis or not


def test_a_jti_used_while_redis_was_up_is_refused_while_it_is_down(
        client, cds_ehr, published_ruleset, with_redis):
    token = cds_ehr.token(URL)
    assert _use(client, token) == 200
    with_redis.stop()
    _refused_as_replay(client, token)


def test_a_jti_used_while_redis_was_down_is_refused_once_it_is_back(
        client, cds_ehr, published_ruleset, with_redis):
    with_redis.stop()
    token = cds_ehr.token(URL)
    assert _use(client, token) == 200
    with_redis.start()
    _redis_retry_now()
    _refused_as_replay(client, token)


def test_a_redis_restart_without_its_data_reopens_no_token(client, cds_ehr, published_ruleset,
                                                           with_redis):
    token = cds_ehr.token(URL)
    assert _use(client, token) == 200
    with_redis.stop()
    with_redis.start()  # empty: nothing saved
    _redis_retry_now()
    _refused_as_replay(client, token)


def test_without_redis_the_table_refuses_the_replay(client, cds_ehr, published_ruleset,
                                                    settings):
    settings.CACHES = redis_cache_at(closed_port())
    token = cds_ehr.token(URL)
    assert [_use(client, token), _use(client, token)] == [200, 401]
    assert SeenJti.objects.count() == 1



def _seen_long_ago(ehr):
    now = timezone.now()
    SeenJti.objects.create(iss=ehr.iss, jti="old", seen_at=now - timedelta(minutes=7),
                           expires_at=now - timedelta(seconds=1))


def test_expired_jtis_are_forgotten_at_most_once_a_minute(client, cds_ehr, published_ruleset,
                                                          monkeypatch):
    _seen_long_ago(cds_ehr)
    monkeypatch.setattr(replay, "_last_purge", [0.0])
    token = cds_ehr.token(URL)
    assert _use(client, token) == 200
    assert list(SeenJti.objects.values_list("jti", flat=True)) == [
        json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["jti"]]
    _seen_long_ago(cds_ehr)
    assert _use(client, cds_ehr.token(URL)) == 200  # within the minute: not purged again
    assert SeenJti.objects.filter(jti="old").exists()
    _refused_as_replay(client, token)  # the live one is kept
