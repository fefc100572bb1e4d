"""A malformed hook or feedback body (a NUL or another control character anywhere, a lone
surrogate, a wrong type, an oversized string) is a 400 in the JSON error shape naming the
path, with its audit row (control characters replaced), never a 5xx: PostgreSQL refuses NUL,
and nothing a clinician reads should hold one. A property test runs over both bodies."""

import json
import os

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from options.cds_hooks.fhir import CONTROL, MAX_STRING, text_errors
from options.cds_hooks.models import CdsCallAudit
from options.consultation.models import Decision

from .helpers import (
    ORDER_SIGN,
    PATIENT_VIEW,
    call,
    medication_request,
    order_request,
    request_of,
    service_url,
)


def _refused(response, path):
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == 400
    assert path in [e["path"] for e in body["errors"]], body["errors"]
    audit = CdsCallAudit.objects.order_by("-pk").first()
    assert (audit.status_code, audit.outcome) == (400, "invalid")
    for text in (audit.hook, audit.hook_instance, audit.fhir_patient_id):
        assert not CONTROL.search(text)


def _condition(request):
    return request["prefetch"]["conditions"]["entry"][0]["resource"]


@pytest.mark.parametrize("change, path", [
    (lambda r: r.update(hookInstance="d1577c69-\x00"), "hookInstance"),
    (lambda r: r["context"].update(patientId="p-v01\x00"), "context.patientId"),
    (lambda r: r["context"].update(patientId="p\ud800"), "context.patientId"),
    (lambda r: r.update(hook="patient-view\x85"), "hook"),
    (lambda r: _condition(r).update(code={"text": "Breast \x07cancer"}),
     "prefetch.conditions.entry[0].resource.code.text"),
    (lambda r: r["prefetch"]["patient"].update({"na\x00me": "x"}), "prefetch.patient.na\\x00me"),
    (lambda r: r["fhirAuthorization"].update(access_token="tok\x1b") if "fhirAuthorization"
     in r else r.update(fhirAuthorization={"access_token": "tok\x1b"}),
     "fhirAuthorization.access_token"),
    (lambda r: r.update(hookInstance="x" * 101), "hookInstance"),
    (lambda r: r["context"].update(patientId="p" * 65), "context.patientId"),
    (lambda r: r["context"].update(patientId="../Patient/other"), "context.patientId"),
    (lambda r: _condition(r).update(code={"text": "x" * (MAX_STRING + 1)}),
     "prefetch.conditions.entry[0].resource.code.text"),
    (lambda r: r.update(hookInstance=7), "hookInstance"),
    (lambda r: r["context"].update(patientId=["p"]), "context.patientId"),
    (lambda r: r.update(fhirAuthorization="Bearer x"), "fhirAuthorization.access_token"),
], ids=["nul-hookInstance", "nul-patientId", "surrogate-patientId", "c1-hook",
        "bell-in-condition-text", "nul-in-a-name", "escape-in-token", "long-hookInstance",
        "long-patientId", "patientId-not-an-id", "string-over-the-cap",
        "hookInstance-number", "patientId-list", "authorization-string"])
def test_a_malformed_hook_body_is_a_400_with_its_audit_row(client, cds_ehr, published_ruleset,
                                                           change, path):
    request = request_of("V01")
    change(request)
    _refused(call(client, cds_ehr, PATIENT_VIEW, request), path)


def test_a_nul_in_a_draft_order_is_a_400(client, cds_ehr, published_ruleset):
    order = medication_request("zol", atc="M05BA08", text="Zoledronic acid\x00")
    request = order_request("V01", [order])
    _refused(call(client, cds_ehr, ORDER_SIGN, request),
             "context.draftOrders.entry[0].resource.medicationCodeableConcept.text")


def _feedback(http, ehr, body, service_id=ORDER_SIGN):
    url = service_url(service_id, feedback=True)
    return http.post(url, data=json.dumps(body), content_type="application/json",
                     HTTP_AUTHORIZATION=f"Bearer {ehr.token(url)}")


def _item(**changes):
    item = {"card": "4d3c2b1a-0000-4000-8000-000000000000", "outcome": "overridden",
            "outcomeTimestamp": "2026-12-06T10:00:00Z",
            "overrideReason": {"reason": {"code": "patient_choice", "display": "Patient"},
                               "userComment": "Discussed"}}
    item.update(changes)
    return {"feedback": [item]}


def _reason(**changes):
    return {"reason": {"code": "patient_choice", "display": "Patient's choice"}, **changes}


@pytest.mark.parametrize("body, path", [
    (_item(card="4d3c\x00"), "feedback[0].card"),
    (_item(overrideReason=_reason(reason={"code": "x", "display": "Going\x00ahead"})),
     "feedback[0].overrideReason.reason.display"),
    (_item(overrideReason=_reason(userComment="MDT\x00")),
     "feedback[0].overrideReason.userComment"),
    (_item(overrideReason=_reason(userComment="tab\tand\nline are fine, \x0b is not")),
     "feedback[0].overrideReason.userComment"),
    (_item(overrideReason=_reason(reason={"display": "x" * 301})),
     "feedback[0].overrideReason.reason.display"),
    (_item(overrideReason=_reason(userComment="x" * 2001)),
     "feedback[0].overrideReason.userComment"),
    (_item(overrideReason=_reason(userComment=5)), "feedback[0].overrideReason.userComment"),
    (_item(overrideReason="patient_choice"), "feedback[0].overrideReason"),
    (_item(overrideReason={"reason": "patient_choice"}), "feedback[0].overrideReason.reason"),
    (_item(overrideReason={"reason": {"code": 3}}), "feedback[0].overrideReason.reason.code"),
    (_item(card=["x"]), "feedback[0].card"),
    (_item(card="x" * 65), "feedback[0].card"),
    (_item(outcomeTimestamp=None), "feedback[0].outcomeTimestamp"),
    (_item(outcomeTimestamp="yesterday"), "feedback[0].outcomeTimestamp"),
    (_item(outcomeTimestamp="2026-12-06T10:00:00"), "feedback[0].outcomeTimestamp"),
    (_item(acceptedSuggestions="all"), "feedback[0].acceptedSuggestions"),
    ({"feedback": [_item()["feedback"][0]] * 101}, "feedback"),
    ({"feedback": "accepted"}, "feedback"),
    ([], ""),
], ids=["nul-card", "nul-display", "nul-comment", "vertical-tab-comment", "long-display",
        "long-comment", "comment-number", "reason-string", "coding-string", "code-number",
        "card-list", "long-card", "no-timestamp", "timestamp-words", "timestamp-no-offset",
        "suggestions-string", "too-many-items", "feedback-string", "body-list"])
def test_malformed_feedback_is_a_400_with_its_audit_row(client, cds_ehr, published_ruleset,
                                                        body, path):
    _refused(_feedback(client, cds_ehr, body), path)
    assert not Decision.objects.exists()


# Anything JSON can carry, control characters, lone surrogates and long strings included.
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12) | st.sampled_from(
    ["\x00", "\ud800", "\x7f", "x" * (MAX_STRING + 1), "2026-12-06T10:00:00Z",
     "patient_choice", "overridden", "accepted"])
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | TEXT, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(TEXT, inner, max_size=3), max_leaves=12)


def _put(draw, data, depth=0):
    """Replace one value somewhere inside `data` (a dict or list) with arbitrary JSON."""
    keys = list(data) if isinstance(data, dict) else list(range(len(data)))
    if not keys:
        return
    key = draw(st.sampled_from(keys))
    if isinstance(data[key], dict | list) and depth < 6 and draw(st.booleans()):
        _put(draw, data[key], depth + 1)
    else:
        data[key] = draw(JSON)


@st.composite
def hook_bodies(draw):
    service = draw(st.sampled_from([PATIENT_VIEW, ORDER_SIGN]))
    body = request_of("V01") if service == PATIENT_VIEW else order_request(
        "V01", [medication_request("zol", atc="M05BA08", text="Zoledronic acid")])
    for _ in range(draw(st.integers(1, 3))):
        _put(draw, body)
    if draw(st.booleans()):  # what the audit row keeps, often
        where = draw(st.sampled_from([body, body.get("context")]))
        if isinstance(where, dict):
            where[draw(st.sampled_from(["hook", "hookInstance", "patientId"]))] = draw(JSON)
    return service, body


@st.composite
def feedback_bodies(draw):
    body = _item()
    for _ in range(draw(st.integers(1, 3))):
        _put(draw, body)
    return body


# A fixed seed in the suite; CDS_HYPOTHESIS_EXAMPLES=1000 for a longer, random run.
EXAMPLES = int(os.environ.get("CDS_HYPOTHESIS_EXAMPLES") or 200)
FUZZ = hypothesis_settings(max_examples=EXAMPLES, deadline=None,
                           derandomize=not os.environ.get("CDS_HYPOTHESIS_EXAMPLES"),
                           suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])


def _answered(response):
    """No 5xx, always JSON, and an error is the error shape with a path for a 400."""
    assert response.status_code < 500, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if response.status_code >= 400:
        assert body["status"] == response.status_code and body["errors"]
        assert all("path" in e and "message" in e for e in body["errors"])


@FUZZ
@given(case=hook_bodies())
def test_no_hook_body_gets_a_5xx(client, cds_ehr, published_ruleset, case):
    service, body = case
    audited = CdsCallAudit.objects.count()
    _answered(call(client, cds_ehr, service, body))
    assert CdsCallAudit.objects.count() == audited + 1


@FUZZ
@given(body=feedback_bodies())
def test_no_feedback_body_gets_a_5xx(client, cds_ehr, published_ruleset, body):
    audited = CdsCallAudit.objects.count()
    _answered(_feedback(client, cds_ehr, body))
    assert CdsCallAudit.objects.count() == audited + 1


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


@hypothesis_settings(max_examples=300, deadline=None, derandomize=True)
@given(value=JSON)
def test_the_quick_check_misses_no_control_character(value):
    bad = any(CONTROL.search(s) or len(s) > MAX_STRING for s in _strings(value))
    assert bool(text_errors(value)) is bad
