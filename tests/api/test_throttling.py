"""Throttling counts each client's calls where every worker process sees them."""

from django.core.cache import caches
from django.test import override_settings

from options.http.counting import calls_in_window
from options.http.models import CallCount


def test_calls_are_counted_in_the_database(ehr_client):
    for _ in range(3):
        ehr_client.get("/api/v1/whoami")
    assert CallCount.objects.get(door="api", caller=ehr_client.api_client.pk).calls == 3


def test_a_new_window_forgets_the_old_ones(ehr_client):
    client_id = ehr_client.api_client.pk
    assert calls_in_window(door="api", caller=client_id, period=60, window_index=100) == 1
    assert calls_in_window(door="api", caller=client_id, period=60, window_index=100) == 2
    assert calls_in_window(door="api", caller=client_id, period=60, window_index=101) == 1
    assert list(CallCount.objects.values_list("window_index", flat=True)) == [101]


def test_with_a_throttle_cache_the_cache_counts(ehr_client):
    cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
             "LOCATION": "throttle-test"}
    with override_settings(CACHES={"default": cache, "throttle": cache}):
        caches["throttle"].clear()
        counts = [calls_in_window(door="api", caller=1, period=60, window_index=7)
                  for _ in range(3)]
    assert counts == [1, 2, 3]
    assert not CallCount.objects.exists()
