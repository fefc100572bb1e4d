"""Calls without a valid token are counted per address and throttled, not audited one row
each: a flood of bad tokens cannot grow a table without bound."""

import pytest
from rest_framework.test import APIClient

from options.api.models import ApiCallAudit
from options.http.counting import anonymous_calls_in_window
from options.http.models import AnonymousCallCount


def caller(address, token=None):
    http = APIClient(REMOTE_ADDR=address)
    if token:
        http.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return http


@pytest.mark.parametrize("token", [None, "abc.not-a-token", "garbage"],
                         ids=["no token", "unknown token", "malformed token"])
def test_bad_token_calls_are_counted_not_audited(db, token):
    for _ in range(5):
        assert caller("10.0.0.1", token).get("/api/v1/whoami").status_code == 401
    assert not ApiCallAudit.objects.exists()
    assert list(AnonymousCallCount.objects.values_list("address", "calls")) == [("10.0.0.1", 5)]


def test_each_address_has_its_own_count(db):
    caller("10.0.0.1").get("/api/v1/whoami")
    caller("10.0.0.2").post("/api/v1/evaluate", {}, format="json")
    assert AnonymousCallCount.objects.count() == 2


def test_a_forwarded_for_header_does_not_make_a_new_count(db):
    for n in range(5):
        caller("10.0.0.1").get("/api/v1/whoami", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert list(AnonymousCallCount.objects.values_list("address", "calls")) == [("10.0.0.1", 5)]


def test_a_flood_of_bad_tokens_is_refused_with_429(db, settings):
    settings.BONECARE_API_ANONYMOUS_RATE = "3/min"
    statuses = [caller("10.0.0.9", "abc.bad").get("/api/v1/whoami").status_code
                for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    refused = caller("10.0.0.9", "abc.bad").get("/api/v1/whoami")
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["title"] == "Too many requests"


def test_a_flood_does_not_hold_back_a_valid_client(ehr_client, settings):
    settings.BONECARE_API_ANONYMOUS_RATE = "1/min"
    for _ in range(3):
        caller("127.0.0.1").get("/api/v1/whoami")
    assert ehr_client.get("/api/v1/whoami").status_code == 200


def test_counts_older_than_a_week_are_removed_as_windows_open(db):
    week = 7 * 24 * 60
    anonymous_calls_in_window(address="10.0.0.1", period=60, window_index=1000)
    anonymous_calls_in_window(address="10.0.0.2", period=60, window_index=1000 + week - 1)
    anonymous_calls_in_window(address="10.0.0.3", period=60, window_index=1000 + week + 1)
    assert sorted(AnonymousCallCount.objects.values_list("address", flat=True)) == [
        "10.0.0.2", "10.0.0.3"]
