""""Open in BoneCare" in production (DEBUG off): a styled page for a signed-in user who is
not a clinician and for a link that has expired, was opened by another clinician or is
unknown; a draft opens for the clinician who follows it first, and the form it fills says
which answers came from the record and which are still needed, in words."""

import datetime

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from options.cds_hooks.models import ConsultationDraft
from options.identity.roles import CLINICIAN
from tests.conftest import user_in_role
from tests.result_helpers import contract_names_in, visible_blocks

from .helpers import PATIENT_VIEW, call, request_of

pytestmark = pytest.mark.usefixtures("production")
EXPIRED = "This link has expired"


@pytest.fixture
def production():
    with override_settings(DEBUG=False):
        yield


def _link(client, ehr, name="V34"):
    response = call(client, ehr, PATIENT_VIEW, request_of(name))
    assert response.status_code == 200, response.content
    return response.json()["cards"][-1]["links"][0]["url"]


def _text(response):
    return " ".join(visible_blocks(response.content.decode()))


def _styled(response):
    return "nhsuk-header" in response.content.decode()


def test_a_signed_in_non_clinician_gets_a_page_saying_who_may(client, cds_ehr,
                                                              published_ruleset,
                                                              guidance_editor):
    url = _link(client, cds_ehr)
    client.force_login(guidance_editor)
    response = client.get(url)
    assert response.status_code == 403 and _styled(response)
    assert "BoneCare cases open for clinicians; ask your administrator" in _text(response)
    assert ConsultationDraft.objects.get().opened_by is None  # still there for a clinician


@pytest.mark.parametrize("key", ["", "x", "a" * 43, "a" * 200])
def test_an_unknown_link_has_expired(clinician_client, key):
    response = clinician_client.get(f"/consultations/new/?draft={key}")
    assert response.status_code == 404 and _styled(response)
    assert EXPIRED in _text(response) and "open it again from the EHR" in _text(response)
    assert "Not Found" not in _text(response)


def test_an_hour_old_link_has_expired(client, cds_ehr, published_ruleset, clinician_client):
    url = _link(client, cds_ehr)
    ConsultationDraft.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = clinician_client.get(url)
    assert response.status_code == 404 and EXPIRED in _text(response)


def test_a_draft_is_the_first_clinicians(client, cds_ehr, published_ruleset, clinician,
                                         clinician_client, django_user_model):
    url = _link(client, cds_ehr)
    assert clinician_client.get(url).status_code == 200
    assert ConsultationDraft.objects.get().opened_by == clinician
    other = Client()  # the fixtures' client is the first clinician's
    other.force_login(user_in_role(django_user_model, username="dr_other", role=CLINICIAN))
    response = other.get(url)
    assert response.status_code == 404 and EXPIRED in _text(response)
    assert 'value="72"' not in response.content.decode()  # nothing of the record shown
    assert clinician_client.get(url).status_code == 200  # still theirs, for the hour


def test_the_form_says_what_came_from_the_record_and_what_is_needed(
        client, cds_ehr, published_ruleset, clinician_client):
    response = clinician_client.get(_link(client, cds_ehr))
    text = _text(response)
    assert "Pre-filled from the EHR record" in text
    html = response.content.decode()
    from_record = html.split("data-from-record-answers>")[1].split("</ul>")[0]
    to_answer = html.split("data-to-answer>")[1].split("</ul>")[0]
    for name in ("Primary cancer", "Weight", "Serum creatinine", "Corrected calcium"):
        assert f"<li>{name}</li>" in from_record
    for name in ("Bone lesions (imaging findings)", "Prior treatments",
                 "Dental assessment done", "Signs of spinal cord compression"):
        assert f"<li>{name}</li>" in to_answer
    assert "Creatinine clearance" not in to_answer  # Cockcroft-Gault has what it needs
    assert contract_names_in(text) == []


def test_a_form_not_from_the_record_has_no_banner(clinician_client, published_ruleset):
    assert "Pre-filled from the EHR record" not in _text(
        clinician_client.get("/consultations/new/"))
