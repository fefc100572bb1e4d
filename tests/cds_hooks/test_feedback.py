"""Feedback on cards is stored in the one store of decisions (options.consultation.decisions),
one row per option the card advised on, with the card's rule codes, ruleset version and the
reason."""

import json

import pytest
from django.db import IntegrityError, transaction

from guidance.rule_review import rule_stats
from options.cds_hooks.feedback import OTHER_REASON
from options.cds_hooks.models import FeedbackReceived, IssuedCard
from options.cds_hooks.services import cds_client_create
from options.consultation.models import Decision
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


def test_an_accepted_summary_card_follows_only_the_options_that_stand(client, cds_ehr,
                                                                     published_ruleset):
    (card,) = call(client, cds_ehr, PATIENT_VIEW, request_of("V01")).json()["cards"]
    _feedback(client, cds_ehr, PATIENT_VIEW, [{"card": card["uuid"], "outcome": "accepted"}])
    options = bonecare(card)["result"]["options"]
    standing = {o["option"]: o["decided_by"] for o in options
                if o["status"] in ("recommended", "consider")}
    assert len(standing) == 2 and len(options) == 5  # three procedures need information
    assert {d.option: (d.followed, [r.code for r in d.rules.all()])
            for d in Decision.objects.all()} == {
        option: (True, [code]) for option, code in standing.items()}
    followed = {s.code: s.followed for s in rule_stats()}
    assert followed == dict.fromkeys(standing.values(), 1)  # no procedure rule "followed"


def test_the_same_feedback_sent_56_times_adds_its_rows_once(client, cds_ehr,
                                                            published_ruleset):
    card = _order_card(client, cds_ehr)
    item = {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp":
            "2026-12-06T10:00:00Z", "overrideReason": {"reason": card["overrideReasons"][0]}}
    statuses = {_feedback(client, cds_ehr, ORDER_SIGN, [item]).status_code for _ in range(56)}
    assert statuses == {200}
    assert Decision.objects.count() == 1 and FeedbackReceived.objects.count() == 1
    again = {**item, "outcomeTimestamp": "2026-12-06T10:00:00.000+00:00"}  # the same instant
    assert _feedback(client, cds_ehr, ORDER_SIGN, [again, again]).status_code == 200
    assert Decision.objects.count() == 1
    later = {**item, "outcome": "accepted", "outcomeTimestamp": "2026-12-06T10:05:00Z"}
    assert _feedback(client, cds_ehr, ORDER_SIGN, [later]).status_code == 200
    assert list(Decision.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "overridden", "accepted"]  # a change of mind is a new row


def test_feedback_is_once_per_client(client, cds_ehr, published_ruleset):
    card = _order_card(client, cds_ehr)
    received = FeedbackReceived.objects.filter(card_uuid=card["uuid"])
    _feedback(client, cds_ehr, ORDER_SIGN, [{"card": card["uuid"], "outcome": "accepted"}])
    assert received.get().client == cds_ehr.client
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackReceived.objects.create(client=cds_ehr.client, card_uuid=card["uuid"],
                                        outcome_at=received.get().outcome_at, outcome="x")


def _contraindicated_bisphosphonate(http, ehr):
    """V01 with a creatinine clearance of 20 mL/min: BP-SAFE-02 makes the bisphosphonate
    contraindicated; BP-CG81-01 (breast) had offered it."""
    request = order_request("V01", [medication_request("zol", atc="M05BA08",
                                                       text="Zoledronic acid 4 mg")])
    observation = request["prefetch"]["observations"]["entry"][0]["resource"]
    observation["valueQuantity"]["value"] = 20
    (card,) = [c for c in call(http, ehr, ORDER_SIGN, request).json()["cards"]
               if bonecare(c).get("option") == "bisphosphonate"]
    return card


def test_an_override_counts_against_the_rule_that_decided_not_the_one_that_offered(
        client, cds_ehr, published_ruleset):
    card = _contraindicated_bisphosphonate(client, cds_ehr)
    bisphosphonate = next(o for o in bonecare(card)["result"]["options"]
                          if o["option"] == "bisphosphonate")
    assert (bisphosphonate["status"], bisphosphonate["decided_by"]) == ("contraindicated",
                                                                        "BP-SAFE-02")
    _feedback(client, cds_ehr, ORDER_SIGN, [{
        "card": card["uuid"], "outcome": "overridden",
        "overrideReason": {"reason": card["overrideReasons"][1]}}])
    decision = Decision.objects.get()
    assert "BP-CG81-01" in decision.rule_codes  # the card cited it; it is kept
    stats = {s.code: (s.followed, s.overridden) for s in rule_stats()}
    assert stats == {"BP-SAFE-02": (0, 1)}


def test_a_card_remembered_without_decided_by_counts_against_its_first_rule(
        client, cds_ehr, published_ruleset):
    card = _order_card(client, cds_ehr)
    issued = IssuedCard.objects.get(uuid=card["uuid"])
    issued.options = [{k: v for k, v in o.items() if k != "decided_by"} for o in issued.options]
    issued.save()
    _feedback(client, cds_ehr, ORDER_SIGN, [{"card": card["uuid"], "outcome": "overridden"}])
    deciding = next(o for o in bonecare(card)["result"]["options"]
                    if o["option"] == "denosumab")["decided_by"]
    assert [s.code for s in rule_stats()] == [deciding]


def test_a_coded_reason_is_kept_once(client, cds_ehr, published_ruleset):
    card = _order_card(client, cds_ehr)
    reason = card["overrideReasons"][0]
    _feedback(client, cds_ehr, ORDER_SIGN, [{"card": card["uuid"], "outcome": "overridden",
                                             "overrideReason": {"reason": reason}}])
    decision = Decision.objects.get()
    assert (decision.reason_code, decision.reason_text) == (reason["code"], "")


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


@pytest.mark.parametrize("service_id", [PATIENT_VIEW, ORDER_SIGN])
def test_feedback_on_a_card_asking_for_the_cancer_is_received_and_counts_for_no_rule(
        client, cds_ehr, published_ruleset, service_id):
    request = order_request("V01", [DENOSUMAB]) if service_id == ORDER_SIGN else \
        request_of("V01")
    request["prefetch"]["conditions"] = None  # no problem list: the cancer is asked
    cards = call(client, cds_ehr, service_id, request).json()["cards"]
    assert cards and all(isinstance(card, dict) for card in cards)
    response = _feedback(client, cds_ehr, service_id, [{"card": cards[0]["uuid"],
                                                        "outcome": "accepted"}])
    assert response.status_code == 200
    assert FeedbackReceived.objects.count() == 1 and not Decision.objects.exists()
