"""From a CDS Hooks card to the SMART form: an EHR registered for both gets a `smart` link
whose appContext names the card's draft; launching with it opens that draft for this
clinician alone and says whether the record read now still gives what the card used."""

import copy
import json

import pytest

from options.cds_hooks.models import ConsultationDraft
from options.cds_hooks.services import cds_client_create
from tests.cds_hooks.helpers import PATIENT_VIEW, Ehr, call, request_of
from tests.smart.bonecare import Browser, register

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser(live_server, published_ruleset, treatment_options):
    return Browser(live_server)


def card_app_context(client, ehr, request):
    """Call patient-view as the EHR registered for both doors; return the link's appContext."""
    keys = Ehr()
    cds_client_create(name="Ward EHR", iss=keys.iss, jwks=keys.jwks(), services=[PATIENT_VIEW],
                      smart_client=register(ehr))
    response = call(client, keys, PATIENT_VIEW, request)
    (link,) = [link for card in response.json()["cards"] for link in card.get("links", [])]
    assert link["type"] == "smart"
    return link["appContext"]


def test_a_launch_from_the_card_opens_its_draft_and_finds_the_record_unchanged(
        ehr, browser, client, live_server):
    app_context = card_app_context(client, ehr, request_of("V01"))
    page = browser.launch(ehr, "p-v01", app_context=app_context)
    assert "same answers from the record as the card" in page.text
    draft = ConsultationDraft.objects.get(key=json.loads(app_context)["draft"])
    assert draft.opened_by is not None
    # The card's plain draft link is now this clinician's alone.
    assert draft.opened_by.username.startswith("ehr-")


def test_a_card_worked_out_from_other_values_is_named_on_the_form(ehr, browser, client):
    request = copy.deepcopy(request_of("V01"))
    for entry in request["prefetch"]["observations"]["entry"]:
        quantity = entry["resource"].get("valueQuantity")
        if quantity and quantity.get("unit", "").lower().startswith("mmol"):
            quantity["value"] = 2.05  # calcium, as the card saw it
    page = browser.launch(ehr, "p-v01", app_context=card_app_context(client, ehr, request))
    assert "the record has changed: Corrected calcium" in page.text


def test_a_card_link_whose_draft_has_gone_still_opens_the_record(ehr, browser):
    register(ehr)
    page = browser.launch(ehr, "p-v01", app_context=json.dumps({"draft": "x" * 43}))
    assert page.status_code == 200 and "over an hour old" in page.text


def test_a_card_about_another_patient_is_named_so(ehr, browser, client):
    """The EHR's launch names p-v20 while the card's draft was mapped for p-v01: the form
    holds p-v20's record and says the card was about someone else."""
    app_context = card_app_context(client, ehr, request_of("V01"))
    assert ConsultationDraft.objects.get(
        key=json.loads(app_context)["draft"]).fhir_patient_id == "p-v01"
    page = browser.launch(ehr, "p-v20", app_context=app_context)
    assert "The card you came from was about another patient" in page.text
