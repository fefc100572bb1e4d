"""order-select and order-sign: a card per bone-strengthening draft order whose option does
not stand, for each of the five options; nothing for an option that stands, for other
orders, or for denosumab 60 mg (osteoporosis)."""

import pytest

from guidance.codes import DMD, SNOMED
from options.cds_hooks.models import ConsultationDraft
from tests.guidance_builders import publish_with_code

from .helpers import (
    ORDER_SELECT,
    ORDER_SIGN,
    bonecare,
    call,
    medication_request,
    order_request,
    service_request,
)

HOOKS = [(ORDER_SELECT, "order-select"), (ORDER_SIGN, "order-sign")]
ZOLEDRONIC = medication_request("zol", atc="M05BA08", text="Zoledronic acid 4 mg infusion")
DENOSUMAB_120 = medication_request("dmab", atc="M05BX04", text="Denosumab", dose_mg=120)
DENOSUMAB_60 = medication_request("dmab60", atc="M05BX04", text="Denosumab", dose_mg=60)
PROLIA = medication_request("prolia", atc="M05BX04", text="Denosumab 60 mg injection")
CEMENTOPLASTY = service_request("cem", opcs="W35.1", text="Percutaneous cementoplasty")
VERTEBROPLASTY = service_request("vert", text="Percutaneous vertebroplasty T12")
KYPHOPLASTY = service_request("kyph", text="Balloon kyphoplasty L1")
PARACETAMOL = medication_request("para", atc="N02BE01", text="Paracetamol")


def _with_lab(request, code, value):
    for entry in request["prefetch"]["observations"]["entry"]:
        if entry["resource"]["code"]["coding"][0]["code"] == code:
            entry["resource"]["valueQuantity"]["value"] = value
    return request


def _cards(client, ehr, service_id, hook, example, orders):
    return _lab_cards(client, ehr, service_id, hook, example, orders, {})


@pytest.mark.parametrize("service_id, hook", HOOKS)
@pytest.mark.parametrize("example, order, lab, option, indicator", [
    ("V01", ZOLEDRONIC, {"968191000000100": 20}, "bisphosphonate", "critical"),
    ("V05", ZOLEDRONIC, {}, "bisphosphonate", "info"),
    ("V02", DENOSUMAB_120, {}, "denosumab", "warning"),
    ("V01", DENOSUMAB_120, {"29265-6": 2.0}, "denosumab", "critical"),
    ("V01", CEMENTOPLASTY, {}, "cementoplasty", "info"),
    ("V01", VERTEBROPLASTY, {}, "vertebroplasty", "info"),
    ("V01", KYPHOPLASTY, {}, "kyphoplasty", "info"),
], ids=["bisphosphonate-renal", "bisphosphonate-myeloma-unknown", "denosumab-prostate",
        "denosumab-low-calcium", "cementoplasty", "vertebroplasty", "kyphoplasty"])
def test_an_order_whose_option_does_not_stand_gets_a_card(
        client, cds_ehr, published_ruleset, service_id, hook, example, order, lab, option,
        indicator):
    cards = _lab_cards(client, cds_ehr, service_id, hook, example, [order, PARACETAMOL], lab)
    assert [(bonecare(c)["option"], c["indicator"]) for c in cards] == [(option, indicator)]
    card = cards[0]
    assert len(card["summary"]) < 140
    assert bonecare(card)["result"]["options"]
    if indicator == "info":
        assert "overrideReasons" not in card and "suggestions" not in card
        assert bonecare(card)["status"] == "needs_information"
        return
    assert card["selectionBehavior"] == "at-most-one"
    assert {r["code"] for r in card["overrideReasons"]} >= {"patient_choice", "other_reason"}
    (suggestion,) = card["suggestions"]
    assert suggestion["isRecommended"] is False
    assert suggestion["actions"] == [{
        "type": "delete", "description": suggestion["actions"][0]["description"],
        "resourceId": [f"{order['resourceType']}/{order['id']}"]}]


def _lab_cards(client, ehr, service_id, hook, example, orders, lab):
    request = order_request(example, orders, hook=hook)
    for code, value in lab.items():
        _with_lab(request, code, value)
    response = call(client, ehr, service_id, request)
    assert response.status_code == 200, response.content
    return response.json()["cards"]


@pytest.mark.parametrize("service_id, hook", HOOKS)
@pytest.mark.parametrize("order", [ZOLEDRONIC, DENOSUMAB_120, DENOSUMAB_60, PROLIA,
                                   PARACETAMOL],
                         ids=["bisphosphonate", "denosumab", "denosumab-60", "prolia",
                              "other-drug"])
def test_no_card_when_the_option_stands_or_the_order_is_not_for_bone(
        client, cds_ehr, published_ruleset, service_id, hook, order):
    assert _cards(client, cds_ehr, service_id, hook, "V01", [order]) == []


def test_denosumab_60_mg_gives_no_card_even_where_120_mg_would(client, cds_ehr,
                                                                 published_ruleset):
    cards = _cards(client, cds_ehr, ORDER_SIGN, "order-sign", "V02",
                   [DENOSUMAB_60, PROLIA, DENOSUMAB_120])
    assert [c["suggestions"][0]["actions"][0]["resourceId"] for c in cards] == [
        ["MedicationRequest/dmab"]]


def test_an_out_of_scope_patient_gets_a_warning_saying_why(client, cds_ehr, published_ruleset):
    (card,) = _cards(client, cds_ehr, ORDER_SIGN, "order-sign", "V16", [VERTEBROPLASTY])
    assert (card["indicator"], bonecare(card)["status"]) == ("warning", "not_applicable")
    assert card["summary"].startswith("Vertebroplasty: not applicable. ")
    assert card["suggestions"][0]["actions"][0]["resourceId"] == ["ServiceRequest/vert"]


def test_order_select_looks_only_at_the_selected_orders(client, cds_ehr, published_ruleset):
    request = order_request("V02", [DENOSUMAB_120, ZOLEDRONIC], hook="order-select",
                            selections=["MedicationRequest/zol"])
    cards = call(client, cds_ehr, ORDER_SELECT, request).json()["cards"]
    assert [bonecare(c)["option"] for c in cards] == ["bisphosphonate"]


@pytest.mark.parametrize("system", [DMD, f"{DMD}/", SNOMED], ids=["dmd", "dmd-slash",
                                                                   "dmd-under-snomed"])
def test_a_local_dmd_code_is_recognised_however_the_system_is_spelt(
        client, cds_ehr, published_ruleset, guidance_editor, safety_officer, system):
    publish_with_code(published_ruleset, author=guidance_editor, reviewer=safety_officer,
                      code_list="bone_drug", system=DMD, code="9876543001",
                      value="bisphosphonate", display="Local zoledronic acid")
    order = medication_request("local", system=system, code="9876543001", text="Local")
    cards = _lab_cards(client, cds_ehr, ORDER_SIGN, "order-sign", "V01", [order],
                       {"968191000000100": 20})
    assert [(bonecare(c)["option"], c["indicator"]) for c in cards] == [
        ("bisphosphonate", "critical")]


@pytest.mark.parametrize("service_id, hook", HOOKS)
def test_cord_compression_leads_a_vertebroplasty_order(client, cds_ehr, published_ruleset,
                                                       service_id, hook):
    first, procedure = _cards(client, cds_ehr, service_id, hook, "V20", [VERTEBROPLASTY])
    assert first["indicator"] == "critical"
    assert first["summary"].startswith("Possible spinal cord compression")
    assert "MSCC coordinator" in first["detail"]
    assert "option" not in bonecare(first) and "suggestions" not in first
    assert (bonecare(procedure)["option"], procedure["indicator"]) == ("vertebroplasty",
                                                                      "info")


@pytest.mark.parametrize("order", [ZOLEDRONIC, PARACETAMOL], ids=["standing", "not-bone"])
def test_cord_compression_comes_first_whatever_was_ordered(client, cds_ehr, published_ruleset,
                                                           order):
    cards = _cards(client, cds_ehr, ORDER_SIGN, "order-sign", "V20", [order])
    assert [c["indicator"] for c in cards] == ["critical"]
    assert "spinal cord compression" in cards[0]["summary"]


@pytest.mark.parametrize("service_id, hook", HOOKS)
def test_denosumab_in_myeloma_gets_a_warning_saying_why(client, cds_ehr, published_ruleset,
                                                        service_id, hook):
    (card,) = _cards(client, cds_ehr, service_id, hook, "V05", [DENOSUMAB_120])
    assert (card["indicator"], bonecare(card)["status"]) == ("warning", "not_applicable")
    assert "No NICE recommendation for myeloma" in card["summary"]
    assert len(card["summary"]) < 140
    assert card["selectionBehavior"] == "at-most-one"
    assert {r["code"] for r in card["overrideReasons"]} >= {"patient_choice", "other_reason"}
    assert card["suggestions"][0]["actions"][0] == {
        "type": "delete", "description": "Remove the draft denosumab order",
        "resourceId": ["MedicationRequest/dmab"]}


def test_a_procedure_that_needs_findings_links_to_a_prefilled_draft(client, cds_ehr,
                                                                     published_ruleset):
    (card,) = _cards(client, cds_ehr, ORDER_SIGN, "order-sign", "V01", [KYPHOPLASTY])
    assert card["indicator"] == "info"
    assert "Bone lesions (imaging findings)" in card["summary"]
    (link,) = card["links"]
    assert (link["label"], link["type"]) == ("Open in BoneCare", "absolute")
    key = link["url"].removeprefix("http://testserver/consultations/new/?draft=")
    assert ConsultationDraft.objects.get(key=key).assessment == bonecare(card)["assessment"]


def test_an_order_hook_without_a_link_stores_no_draft(client, cds_ehr, published_ruleset):
    _cards(client, cds_ehr, ORDER_SIGN, "order-sign", "V02", [DENOSUMAB_120])
    assert not ConsultationDraft.objects.exists()


def test_an_order_for_a_patient_with_cord_compression_and_no_settled_cancer_leads_with_it(
        client, cds_ehr, published_ruleset):
    request = order_request("V20", [service_request("vp", text="Vertebroplasty")])
    entries = request["prefetch"]["conditions"]["entry"]
    entries.append({"resource": {**entries[0]["resource"], "id": "lung", "code": {
        "coding": [{"system": "http://snomed.info/sct", "code": "93880001"}]}}})
    response = call(client, cds_ehr, ORDER_SIGN, request)
    assert response.status_code == 200, response.content
    cards = response.json()["cards"]
    assert cards[0]["indicator"] == "critical" and "MSCC" in cards[0]["detail"]
    assert len(cards) >= 2
