"""With REDIS_URL set and Redis down, the throttle counts in the database, warns once per
outage, and the API keeps answering."""

import logging

import pytest
from django.core.cache import caches

from options.http import counting
from options.http.models import CallCount
from tests.failure_helpers import closed_port, every_log_record, redis_cache_at


@pytest.fixture
def redis_down(settings, monkeypatch):
    """REDIS_URL pointing at a closed port, and a process that has not seen Redis fail yet."""
    monkeypatch.setattr(counting, "redis_state", counting.RedisState())
    settings.CACHES = redis_cache_at(closed_port())
    yield
    caches["throttle"].close()


def warnings_in(records):
    return [r for r in records if r.levelno >= logging.WARNING]


def test_counts_fall_back_to_the_database_with_one_warning(ehr_client, redis_down, caplog,
                                                          monkeypatch):
    monkeypatch.setattr(counting, "REDIS_RETRY_SECONDS", 0)  # try Redis on every call
    client_id = ehr_client.api_client.pk
    with every_log_record(caplog) as records:
        counts = [counting.calls_in_window(door="api", caller=client_id, period=60, window_index=5)
                  for _ in range(3)]
    assert counts == [1, 2, 3]
    assert CallCount.objects.get().calls == 3
    [warning] = warnings_in(records)
    assert "Redis unavailable" in warning.getMessage()
    assert warning.exc_info is None


def test_the_api_keeps_answering_without_redis(ehr_client, redis_down, caplog):
    with every_log_record(caplog) as records:
        statuses = [ehr_client.get("/api/v1/whoami").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert len(warnings_in(records)) == 1


def test_a_second_outage_warns_again_after_redis_answered(ehr_client, settings, caplog,
                                                           monkeypatch):
    monkeypatch.setattr(counting, "redis_state", counting.RedisState())
    monkeypatch.setattr(counting, "REDIS_RETRY_SECONDS", 0)
    working = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
               "LOCATION": "throttle-recovery"}
    down = redis_cache_at(closed_port())
    client_id = ehr_client.api_client.pk
    with every_log_record(caplog) as records:
        for cache in (down, {**down, "throttle": working}, down):
            settings.CACHES = cache
            counting.calls_in_window(door="api", caller=client_id, period=60, window_index=9)
    messages = [r.getMessage() for r in records if r.name == "options.http.counting"]
    assert [m.split(" ")[:2] for m in messages] == [
        ["Redis", "unavailable"], ["Redis", "answers"], ["Redis", "unavailable"]]
