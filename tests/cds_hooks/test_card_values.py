"""The values behind each decision are on the CDS Hooks cards, in the result page's words:
the calcium that held a bisphosphonate and stopped denosumab, the creatinine clearance that
stopped a bisphosphonate and how it was calculated, with the threshold each met, read from
the rules of the ruleset the call evaluated with."""

import datetime
import re

import pytest
from markdown_it import MarkdownIt

from options.cds_hooks.cards import detail_text
from options.cds_hooks.mapping import Mapped
from options.cds_hooks.models import CdsCallAudit
from options.consultation.services import consultation_create
from tests.guidance_builders import hypocalcaemia_draft, publish_reviewed

from .fhir_builders import LOINC, SNOMED, bundle, condition, observation
from .helpers import (
    ORDER_SELECT,
    ORDER_SIGN,
    PATIENT_VIEW,
    bonecare,
    call,
    medication_request,
    order_request,
    request_of,
)

RENDER = MarkdownIt("commonmark", {"html": True})
DENOSUMAB_120 = medication_request("dmab", atc="M05BX04", text="Denosumab", dose_mg=120)
ZOLEDRONIC = medication_request("zol", atc="M05BA08", text="Zoledronic acid 4 mg infusion")
CALCIUM = "29265-6"


def low_calcium(request, calcium=1.98):
    """V01's breast-cancer record with this corrected calcium."""
    for entry in request["prefetch"]["observations"]["entry"]:
        if entry["resource"]["code"]["coding"][0]["code"] == CALCIUM:
            entry["resource"]["valueQuantity"]["value"] = calcium
    return request


def renal(request):
    """A man of 70, 60 kg, creatinine 180 µmol/L, lung cancer in bone, no clearance measured:
    Cockcroft–Gault gives 28.7 mL/min."""
    today = datetime.date.today()
    when = f"{today.isoformat()}T08:00:00Z"
    prefetch = request["prefetch"]
    prefetch["patient"].update({"gender": "male",
                                "birthDate": datetime.date(today.year - 70, 1, 1).isoformat()})
    prefetch["conditions"] = bundle(condition(SNOMED, "93880001", ident="lung"),
                                    condition(SNOMED, "94222008", ident="bone"))
    prefetch["observations"] = bundle(
        observation(SNOMED, "1000731000000107", 180, "umol/L", when=when),
        observation(LOINC, "29463-7", 60, "kg", when=when))
    return request


def card_values(card, name):
    """The values a card shows beside one option (its name as the card writes it), as a
    clinician reads them once the Markdown is rendered; "" for none."""
    html = RENDER.render(card["detail"])
    item = re.search(rf"<li><strong>{name}</strong>:.*?(?=<li><strong>(?!Values used)|\Z)",
                     html, re.S)
    assert item, (name, html)
    found = re.search(r"<li><strong>Values used:</strong> (.*?)</li>", item.group(0), re.S)
    return found.group(1).strip() if found else ""


def page_values(html, slug):
    section = re.search(rf'data-option-detail="{slug}".*?</section>', html, re.S).group(0)
    found = re.search(r"<p class=\"bc-values\" data-values><strong>Values used:</strong>"
                      r"(.*?)</p>", section, re.S)
    return re.sub(r"\s+", " ", found.group(1)).strip() if found else ""


def test_values_on_a_card_are_inert_markdown():
    result = {"alerts": [], "options": [{"option": "denosumab", "status": "contraindicated",
                                         "summary": "Not now.", "reasons": [],
                                         "missing": []}]}
    values = {"denosumab": ["Weight [link](javascript:alert(1)) <b>kg</b>"]}
    html = RENDER.render(detail_text(result, Mapped(), values))
    assert "<a" not in html and "<b>" not in html
    assert "Weight [link](javascript:alert(1)) &lt;b&gt;kg&lt;/b&gt;." in html


def _summary_card(http, ehr, request):
    response = call(http, ehr, PATIENT_VIEW, request)
    assert response.status_code == 200, response.content
    card = response.json()["cards"][-1]
    assert len(card["summary"]) < 140 and "Values used" not in card["summary"]
    return card


@pytest.mark.parametrize("name", ["Bisphosphonate", "Denosumab"])
def test_a_low_calcium_shows_on_the_patient_view_card(client, cds_ehr, published_ruleset,
                                                       name):
    card = _summary_card(client, cds_ehr, low_calcium(request_of("V01")))
    assert card_values(card, name) == "Corrected calcium 1.98 mmol/L (below 2.20)."


def test_an_option_decided_without_a_number_shows_no_values(client, cds_ehr,
                                                            published_ruleset):
    card = _summary_card(client, cds_ehr, low_calcium(request_of("V01"), calcium=2.5))
    assert card_values(card, "Denosumab") == ""
    assert "Values used" not in card["detail"]


def test_a_calculated_clearance_shows_with_its_inputs(client, cds_ehr, published_ruleset):
    card = _summary_card(client, cds_ehr, renal(request_of("V01")))
    assert bonecare(card)["result"]["options"][0]["status"] == "contraindicated"
    shown = card_values(card, "Bisphosphonate")
    assert shown.startswith("Creatinine clearance 28.7 mL/min (below 30; calculated, "
                            "Cockcroft–Gault from "), shown
    for part in ("age 70 years", "sex male", "weight 60 kg", "serum creatinine 180 µmol/L"):
        assert part in shown, (part, shown)


@pytest.mark.parametrize("service_id, hook", [(ORDER_SELECT, "order-select"),
                                              (ORDER_SIGN, "order-sign")])
@pytest.mark.parametrize("order, build, name, shown", [
    (DENOSUMAB_120, low_calcium, "Denosumab", "Corrected calcium 1.98 mmol/L (below 2.20)."),
    (ZOLEDRONIC, renal, "Bisphosphonate", "Creatinine clearance 28.7 mL/min (below 30;"),
], ids=["denosumab-low-calcium", "bisphosphonate-renal"])
def test_an_order_card_shows_the_values_that_stopped_the_order(
        client, cds_ehr, published_ruleset, service_id, hook, order, build, name, shown):
    request = build(order_request("V01", [order], hook=hook))
    response = call(client, cds_ehr, service_id, request)
    assert response.status_code == 200, response.content
    (card,) = response.json()["cards"]
    assert card["indicator"] == "critical"
    assert card_values(card, name).startswith(shown)
    assert "Values used" not in card["summary"]


@pytest.mark.parametrize("build, numbers", [(low_calcium, ["1.98 mmol/L"]),
                                            (renal, ["28.7 mL/min", "180 µmol/L", "60 kg"])],
                         ids=["low-calcium", "renal"])
def test_the_card_the_page_and_the_print_say_the_same_values(
        client, cds_ehr, published_ruleset, clinician, clinician_client, build, numbers):
    card = _summary_card(client, cds_ehr, build(request_of("V01")))
    given = consultation_create(data=bonecare(card)["assessment"], channel="form",
                                by=clinician)
    page = clinician_client.get(f"/consultations/{given.pk}/").content.decode()
    names = {"bisphosphonate": "Bisphosphonate", "denosumab": "Denosumab"}
    said = {slug: page_values(page, slug) for slug in names}
    assert any(said.values()), said
    assert said == {slug: card_values(card, name) for slug, name in names.items()}
    printed = clinician_client.get(f"/consultations/{given.pk}/print/clinician/")
    for number in numbers:  # the print lists the values among its inputs (one A4 page)
        assert number in " ".join(said.values()) and number in printed.content.decode()


def test_the_card_follows_a_threshold_published_since(client, cds_ehr, published_ruleset,
                                                       guidance_editor, safety_officer):
    before = _summary_card(client, cds_ehr, low_calcium(request_of("V01")))
    assert card_values(before, "Denosumab") == "Corrected calcium 1.98 mmol/L (below 2.20)."
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.4)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)

    after = _summary_card(client, cds_ehr, low_calcium(request_of("V01")))
    assert card_values(after, "Denosumab") == "Corrected calcium 1.98 mmol/L (below 2.40)."
    assert CdsCallAudit.objects.latest("pk").ruleset_version == draft.version
    held = _summary_card(client, cds_ehr, low_calcium(request_of("V01"), calcium=2.3))
    assert card_values(held, "Bisphosphonate") == "Corrected calcium 2.30 mmol/L (below 2.40)."


def _option_item(card, name):
    html = RENDER.render(card["detail"])
    return re.search(rf"<li><strong>{name}</strong>:.*?(?=<li><strong>(?!Values used)|\Z)",
                     html, re.S).group(0)


def test_each_option_cites_the_rule_that_decided_it_not_the_one_it_overrode(
        client, cds_ehr, published_ruleset):
    """Denosumab is recommended by TA265 but stopped by the calcium rule: the card cites
    the stop, as the result page does."""
    card = _summary_card(client, cds_ehr, low_calcium(request_of("V01")))
    result = bonecare(card)["result"]
    decided = {o["option"]: o["decided_by"] for o in result["options"]}
    assert decided["denosumab"] == "DMAB-SAFE-02"
    denosumab = _option_item(card, "Denosumab")
    assert "DMAB-SAFE-02" in denosumab and "DMAB-TA265-01" not in denosumab
    renal_card = _summary_card(client, cds_ehr, renal(request_of("V01")))
    bisphosphonate = _option_item(renal_card, "Bisphosphonate")
    assert "BP-SAFE-02" in bisphosphonate and "BP-SOLID-01" not in bisphosphonate
