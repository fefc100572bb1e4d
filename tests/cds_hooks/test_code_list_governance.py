"""A FHIR code list decides what EHR users are told: switch off the cord-compression code and
the critical card disappears. Tried as an attacker would, by outcome: an editor's change
reaches no EHR until a different clinical safety officer approves it and it is published."""

import copy

import pytest

from guidance.content import ruleset_digest
from guidance.drafting import code_entry_save
from guidance.governance import GovernanceRefused, ruleset_approve, ruleset_publish, ruleset_submit
from guidance.models import CodeListEntry
from guidance.services import ruleset_create_draft
from options.cds_hooks.models import CdsCallAudit
from options.identity.roles import SAFETY_OFFICER
from tests.conftest import user_in_role

from .helpers import PATIENT_VIEW, call, request_of

pytestmark = pytest.mark.django_db
MSCC_SNOMED = {"system": "http://snomed.info/sct", "code": "71286001",
               "display": "Spinal cord compression"}


@pytest.fixture
def second_officer(django_user_model):
    return user_in_role(django_user_model, username="cso_second", role=SAFETY_OFFICER)


def _v20_with_snomed_mscc():
    """V20's patient-view request with its cord compression coded in SNOMED CT."""
    request = copy.deepcopy(request_of("V20"))
    for entry in request["prefetch"]["conditions"]["entry"]:
        codings = entry["resource"]["code"]["coding"]
        if any(c.get("code") == "G95.2" for c in codings):
            entry["resource"]["code"]["coding"] = [dict(MSCC_SNOMED)]
    return request


def _critical(client, ehr):
    response = call(client, ehr, PATIENT_VIEW, _v20_with_snomed_mscc())
    assert response.status_code == 200, response.content
    return [card["summary"] for card in response.json()["cards"]
            if card["indicator"] == "critical"]


def test_unticking_the_cord_compression_code_reaches_no_ehr_without_review(
        published_ruleset, cds_ehr, client, guidance_editor, guidance_editor_client,
        safety_officer, second_officer):
    assert _critical(client, cds_ehr)  # the critical MSCC card
    # The published ruleset's code cannot be unticked at all.
    live = CodeListEntry.objects.get(ruleset=published_ruleset, code="71286001")
    response = guidance_editor_client.post(
        f"/admin/guidance/codelistentry/{live.pk}/change/", {"change_reason": "x"})
    assert response.status_code == 403
    # In a draft it can; EHRs see nothing of it while it waits for review.
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    entry = draft.code_entries.get(code="71286001")
    entry.active = False
    code_entry_save(entry=entry, by=guidance_editor, reason="Local coding differs")
    assert _critical(client, cds_ehr)
    ruleset_submit(ruleset=draft, by=guidance_editor, summary="Local MSCC coding")
    with pytest.raises(GovernanceRefused):
        # not an officer, and the author
        ruleset_approve(ruleset=draft, by=guidance_editor, comment="Checked")
    assert _critical(client, cds_ehr)
    review = draft.reviews.get()
    assert review.code_lists_diff[0]["fields"]["active"] == ["in use", "switched off"]
    assert "critical cord-compression card will not show" in review.code_lists_diff[0]["meaning"]
    # Only a different officer's approval and the publication put it live, on the record.
    ruleset_approve(ruleset=draft, by=second_officer, comment="Checked")
    assert _critical(client, cds_ehr)
    publication = ruleset_publish(ruleset=draft, by=guidance_editor)
    assert (publication.reviewer, publication.content_digest) == (
        second_officer, ruleset_digest(draft))
    assert _critical(client, cds_ehr) == []
    # Each call's audit names the ruleset whose code lists (and rules) it used.
    versions = list(CdsCallAudit.objects.order_by("id").values_list("ruleset_version",
                                                                     flat=True))
    assert versions == [published_ruleset.version] * (len(versions) - 1) + [draft.version]


def test_a_call_that_only_asks_records_the_code_lists_it_read(published_ruleset, cds_ehr,
                                                                client):
    request = copy.deepcopy(request_of("V20"))
    request["prefetch"]["conditions"] = None  # no primary cancer: the card only asks
    assert call(client, cds_ehr, PATIENT_VIEW, request).status_code == 200
    assert CdsCallAudit.objects.get().ruleset_version == published_ruleset.version
