"""No card text names a contract path or field: summaries, details, link and suggestion
labels and override reasons say missing inputs in words, on every hook, for every public
example (the examples are the shared scenarios as FHIR). The extension keeps the paths."""

import pytest

from tests.result_helpers import contract_names_in

from .helpers import (
    ORDER_SIGN,
    PATIENT_VIEW,
    bonecare,
    call,
    example_files,
    medication_request,
    order_request,
    request_of,
    service_request,
)

EVERY_ORDER = [
    medication_request("zol", atc="M05BA08", text="Zoledronic acid 4 mg infusion"),
    medication_request("dmab", atc="M05BX04", text="Denosumab", dose_mg=120),
    service_request("cem", opcs="W35.1", text="Percutaneous cementoplasty"),
    service_request("vert", text="Percutaneous vertebroplasty"),
    service_request("kyph", text="Balloon kyphoplasty"),
]


def card_texts(card):
    """Every string of a card that a clinician reads."""
    texts = [card["summary"], card.get("detail", ""), card["source"]["label"]]
    texts += [link["label"] for link in card.get("links", [])]
    texts += [r["display"] for r in card.get("overrideReasons", [])]
    for suggestion in card.get("suggestions", []):
        texts += [suggestion["label"], *(a["description"] for a in suggestion["actions"])]
    return texts


@pytest.mark.parametrize("name", [path.stem for path in example_files()])
def test_no_card_text_names_a_contract_field(client, cds_ehr, published_ruleset, name):
    for service_id, request in [(PATIENT_VIEW, request_of(name)),
                                (ORDER_SIGN, order_request(name, EVERY_ORDER))]:
        response = call(client, cds_ehr, service_id, request)
        assert response.status_code == 200, response.content
        for card in response.json()["cards"]:
            for text in card_texts(card):
                assert contract_names_in(text) == [], (service_id, text)


def test_the_extension_keeps_the_contract_paths(client, cds_ehr, published_ruleset):
    response = call(client, cds_ehr, PATIENT_VIEW, request_of("V01"))
    (card,) = response.json()["cards"]
    options = bonecare(card)["result"]["options"]
    assert "lesions" in next(o for o in options if o["option"] == "vertebroplasty")["missing"]
    assert "Bone lesions (imaging findings)" in card["detail"]
