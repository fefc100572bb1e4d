"""Feedback on cards is stored in the one store of decisions (options.decisions), one row per
option the card advised on, with the card's rule codes, ruleset version and the reason."""

import json

import pytest

from guidance.rule_review import rule_stats
from options.cds_hooks.feedback import OTHER_REASON
from options.cds_hooks.services import cds_client_create
from options.models import Decision
from options.vocab import DECISION_REASONS

from .helpers import (
    ORDER_SIGN,
    PATIENT_VIEW,
    Ehr,
    bonecare,
    call,
    medication_request,
    order_request,
    request_of,
    service_url,
)

DENOSUMAB = medication_request("dmab", atc="M05BX04", text="Denosumab", dose_mg=120)


STAMP = "2026-12-06T10:00:00Z"


def _feedback(http, ehr, service_id, items):
    """POST feedback items, each with outcomeTimestamp STAMP unless it names its own."""
    items = [{"outcomeTimestamp": STAMP, **item} if isinstance(item, dict) else item
             for item in items]
    url = service_url(service_id, feedback=True)
    return http.post(url, data=json.dumps({"feedback": items}), content_type="application/json",
                     HTTP_AUTHORIZATION=f"Bearer {ehr.token(url)}")


def _order_card(http, ehr):
    response = call(http, ehr, ORDER_SIGN, order_request("V02", [DENOSUMAB]))
    (card,) = response.json()["cards"]
    return card


def test_an_overridden_order_card_is_stored_with_its_rules_and_reason(client, cds_ehr,
                                                                      published_ruleset):
    card = _order_card(client, cds_ehr)
    response = _feedback(client, cds_ehr, ORDER_SIGN, [{
        "card": card["uuid"], "outcome": "overridden",
        "outcomeTimestamp": "2026-11-27T10:00:00Z",
        "overrideReason": {"reason": card["overrideReasons"][0],
                           "userComment": "Discussed at MDT"}}])
    assert response.status_code == 200 and response.json() == {}
    decision = Decision.objects.get()
    result = bonecare(card)["result"]
    denosumab = next(o for o in result["options"] if o["option"] == "denosumab")
    assert (decision.source, decision.outcome, decision.option) == ("cds_hooks", "overridden",
                                                                   "denosumab")
    assert decision.rule_codes and decision.rule_codes[0] == denosumab["decided_by"]
    assert (decision.reason_code, decision.comment) == ("patient_choice", "Discussed at MDT")
    assert (decision.advised_status, decision.followed) == ("not_recommended", False)
    assert (decision.client_name, decision.card_uuid) == ("Ward EHR", card["uuid"])
    assert decision.ruleset_version == published_ruleset.version


def test_an_accepted_suggestion_follows_the_advice(client, cds_ehr, published_ruleset):
    card = _order_card(client, cds_ehr)
    _feedback(client, cds_ehr, ORDER_SIGN, [{
        "card": card["uuid"], "outcome": "accepted",
        "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}]}])
    assert Decision.objects.get().followed is True


def test_a_reason_outside_the_list_is_kept_as_text(client, cds_ehr, published_ruleset):
    assert OTHER_REASON in DECISION_REASONS
    card = _order_card(client, cds_ehr)
    _feedback(client, cds_ehr, ORDER_SIGN, [{"card": card["uuid"], "outcome": "overridden",
                                             "overrideReason": {"reason": {
                                                 "code": "local-7", "display": "Trial"}}}])
    decision = Decision.objects.get()
    assert (decision.reason_code, decision.reason_text) == (OTHER_REASON, "Trial")


def test_patient_view_feedback_is_one_row_per_option_it_advised_on(client, cds_ehr,
                                                                   published_ruleset):
    (card,) = call(client, cds_ehr, PATIENT_VIEW, request_of("V01")).json()["cards"]
    _feedback(client, cds_ehr, PATIENT_VIEW, [{"card": card["uuid"], "outcome": "accepted"}])
    assert sorted(Decision.objects.values_list("option", "advised_status")) == sorted(
        (o["option"], o["status"]) for o in bonecare(card)["result"]["options"])


@pytest.mark.parametrize("item, path", [
    ({"card": "no-such-card", "outcome": "accepted"}, "feedback[0].card"),
    (None, "feedback[0]"),
    ({"outcome": "accepted"}, "feedback[0].card"),
], ids=["unknown-card", "not-an-object", "no-card"])
def test_bad_feedback_names_the_path(client, cds_ehr, published_ruleset, item, path):
    response = _feedback(client, cds_ehr, ORDER_SIGN, [item])
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == path
    assert not Decision.objects.exists()


def test_a_wrong_outcome_names_the_path_and_stores_nothing(client, cds_ehr,
                                                           published_ruleset):
    card = _order_card(client, cds_ehr)
    response = _feedback(client, cds_ehr, ORDER_SIGN, [
        {"card": card["uuid"], "outcome": "accepted"},
        {"card": card["uuid"], "outcome": "ignored"}])
    assert response.json()["errors"][0]["path"] == "feedback[1].outcome"
    assert not Decision.objects.exists()


def test_feedback_on_another_clients_card_is_refused(client, cds_ehr, published_ruleset):
    card = _order_card(client, cds_ehr)
    other = Ehr(iss="https://other.example")
    cds_client_create(name="Other", iss=other.iss, jwks=other.jwks(), services=[ORDER_SIGN])
    response = _feedback(client, other, ORDER_SIGN, [{"card": card["uuid"],
                                                      "outcome": "accepted"}])
    assert response.status_code == 400 and not Decision.objects.exists()


def test_overridden_cards_reach_the_editors_rule_review(client, cds_ehr, published_ruleset):
    card = _order_card(client, cds_ehr)
    _feedback(client, cds_ehr, ORDER_SIGN, [{
        "card": card["uuid"], "outcome": "overridden",
        "overrideReason": {"reason": card["overrideReasons"][0]}}])
    deciding = next(o for o in bonecare(card)["result"]["options"]
                    if o["option"] == "denosumab")["decided_by"]
    stats = {s.code: s for s in rule_stats()}
    assert (stats[deciding].overridden, stats[deciding].followed) == (1, 0)
    assert stats[deciding].reason_list == [("Patient's choice", 1)]
