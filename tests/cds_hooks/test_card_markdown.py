"""Text from the EHR is data, not Markdown: a display, a code, a unit or a medicine's name
that carries a link, an image, HTML or a bare address is shown as written in every card and
never becomes a link, an image or HTML (CommonMark, with raw HTML allowed, renders it)."""

import pytest
from markdown_it import MarkdownIt

from options.cds_hooks.cards import inert

from .fhir_builders import LOINC, SNOMED, bundle, concept, condition, observation
from .helpers import ORDER_SIGN, PATIENT_VIEW, call, order_request, request_of, service_request

EVIL = ("[Click for urgent info](javascript:alert(1)) ![t](http://host/track.png) "
        "<script>alert(2)</script> <img src=x onerror=alert(3)> www.host.example "
        "a@host.example **bold** `code` <http://host/auto>")
RENDER = MarkdownIt("commonmark", {"html": True})
# BoneCare's own Markdown makes <strong> and lists; text from the record makes nothing.
LIVE = ("<a", "<img", "<script", "<strong>bold", "<code", "<em", "<h1")


def _evil_request(name, hook="patient-view", orders=()):
    """An example whose record quotes the text everywhere a card quotes the record."""
    request = order_request(name, orders, hook=hook) if orders else request_of(name, hook=hook)
    prefetch = request["prefetch"]
    unknown = condition(SNOMED, "999999999", ident="odd")
    unknown["code"]["coding"][0]["display"] = EVIL
    prefetch["conditions"]["entry"].append({"resource": unknown})
    weight = observation(LOINC, "29463-7", 70, "kg")
    weight["code"]["text"] = EVIL
    weight["valueQuantity"].update({"unit": EVIL, "code": EVIL})
    prefetch["observations"]["entry"].append({"resource": weight})
    prefetch["medications"] = bundle({
        "resourceType": "MedicationStatement", "id": "m", "status": "active",
        "subject": {"reference": "Patient/p"},
        "medicationCodeableConcept": {**concept("http://www.whocc.no/atc", "M05BA08"),
                                      "text": EVIL}})
    return request


def _shown(card):
    return [card["summary"], card.get("detail", "")]


@pytest.mark.parametrize("service_id, hook, orders", [
    (PATIENT_VIEW, "patient-view", ()),
    (ORDER_SIGN, "order-sign", (service_request("vert", text="Vertebroplasty"),)),
], ids=["patient-view", "order-sign"])
@pytest.mark.parametrize("name", ["V01", "V20"])
def test_text_from_the_record_never_becomes_markdown(client, cds_ehr, published_ruleset,
                                                      service_id, hook, orders, name):
    response = call(client, cds_ehr, service_id, _evil_request(name, hook, orders))
    assert response.status_code == 200, response.content
    cards = response.json()["cards"]
    quoted = " ".join(text for card in cards for text in _shown(card))
    assert quoted.count("Click for urgent") == 4, quoted  # code, medicine, name and unit
    for text in (t for card in cards for t in _shown(card)):
        html = RENDER.render(text)
        assert not [tag for tag in LIVE if tag in html], html
        for address in ("http://", "javascript:", "www.", "a@host"):
            assert address not in text  # a GitHub autolink needs these as written


def test_quoted_text_reads_as_written_once_rendered():
    html = RENDER.render(inert(EVIL))
    assert "[Click for urgent info](javascript:alert(1))" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "**bold**" in html and "www.host.example" in html


def test_quoted_text_cannot_start_a_block():
    assert "\n" not in inert("line\n# heading\n[x]: http://host")
