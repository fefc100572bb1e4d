"""The API's JSON is DRF's JSON, written faster (options/http/renderers.py).

Every body must mean exactly what DRF's own renderer would have written, dates and times must
read exactly as before, and whatever orjson cannot write must still be written by DRF.
"""

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from options.http.renderers import CompactJSONRenderer

from .helpers import minimal_assessment, scenario, scenario_files

ours, drf = CompactJSONRenderer(), JSONRenderer()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value_means_what_drf_would_have_written(value):
    assert json.loads(ours.render([value])) == json.loads(drf.render([value]))


@pytest.mark.parametrize("value", [
    datetime(2026, 11, 27, 9, 30, 5, 123456, tzinfo=UTC),
    datetime(2026, 11, 27, 9, 30, 5, tzinfo=UTC),
    datetime(2026, 11, 27, 9, 30),
    date(2026, 11, 27), time(9, 30, 5, 250000), timedelta(days=1, seconds=5),
    Decimal("12.50"), "line\u2028separator\u2029paragraph", {"big": 2**70}, {1: "a"},
])
def test_dates_times_and_odd_values_are_written_exactly_as_drf_writes_them(value):
    assert ours.render({"value": value}) == drf.render({"value": value})


def test_an_indented_rendering_is_drfs():
    data = {"a": [1, 2], "b": "c"}
    assert ours.render(data, "application/json; indent=2") == drf.render(
        data, "application/json; indent=2")
    assert b"\n" in ours.render(data, "application/json; indent=2")


def test_every_scenarios_result_is_the_same_document(ehr_client, published_ruleset):
    for path in scenario_files():
        response = ehr_client.post("/api/v1/evaluate", scenario(path.stem)["assessment"],
                                   format="json")
        assert response.status_code == 200, path.stem
        assert response.content == drf.render(response.data), path.stem


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/*",
                                    "application/json;q=0.9, text/plain;q=0.1"])
def test_json_is_chosen_for_any_accept_that_allows_it(ehr_client, published_ruleset, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = ehr_client.post("/api/v1/evaluate", minimal_assessment(), format="json",
                               **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_an_accept_without_json_is_still_refused(ehr_client, published_ruleset):
    response = ehr_client.post("/api/v1/evaluate", minimal_assessment(), format="json",
                               HTTP_ACCEPT="text/html")
    assert response.status_code == 406


def test_indent_asked_in_accept_is_honoured(ehr_client, published_ruleset):
    response = ehr_client.get("/api/v1/whoami", HTTP_ACCEPT="application/json; indent=4")
    assert response.status_code == 200
    assert response.content.startswith(b"{\n    ")
