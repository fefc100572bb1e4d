"""Past advice stays as given: a consultation keeps the citations it was shown."""

import pytest
from django.core.exceptions import ValidationError

from guidance.models import GovernanceEvent, GuidanceDocument
from guidance.services import document_update
from options.services import consultation_create
from tests.guidance_builders import calcium_assessment

pytestmark = pytest.mark.django_db
NEW_TITLE = "Denosumab for bone metastases (updated 2027)"


def ta265():
    return GuidanceDocument.objects.get(code="TA265")


def test_a_consultation_stores_each_cited_document_as_shown(published_ruleset, clinician):
    consultation = consultation_create(data=calcium_assessment(2.4), channel="form",
                                       by=clinician)
    cited = {c["code"]: c for c in consultation.citations}
    assert cited["TA265"]["title"] == ta265().title and cited["TA265"]["version"] == 1
    assert set(cited["TA265"]) == {"code", "title", "url", "publisher", "published",
                                   "replaced_by", "version"}


def test_editing_a_document_makes_a_new_version_that_reaches_future_advice_only(
        published_ruleset, clinician, clinician_client, guidance_editor):
    before = consultation_create(data=calcium_assessment(2.4), channel="form", by=clinician)
    old_title, old_url = ta265().title, ta265().url
    document = document_update(document=ta265(), by=guidance_editor,
                               changes={"title": NEW_TITLE, "url": "https://example.org/ta"},
                               reason="NICE retitled the appraisal")
    assert document.version == 2
    record = document.history.first()
    assert (record.history_user, record.history_change_reason) == (
        guidance_editor, "NICE retitled the appraisal")
    assert GovernanceEvent.objects.filter(action="document_change").exists()

    page = clinician_client.get(f"/consultations/{before.pk}/").content.decode()
    assert old_title in page and NEW_TITLE not in page
    assert old_url in page and "https://example.org/ta" not in page
    after = consultation_create(data=calcium_assessment(2.4), channel="form", by=clinician)
    page = clinician_client.get(f"/consultations/{after.pk}/").content.decode()
    assert NEW_TITLE in page


@pytest.mark.parametrize(("changes", "reason", "field"), [
    ({"title": "x"}, "", "reason"),
    ({"code": "TA999"}, "rename", "code"),
    ({"colour": "red"}, "why", "colour"),
    ({"url": "not a url"}, "why", "url"),
], ids=["no-reason", "code", "unknown-field", "bad-url"])
def test_a_document_change_is_refused_naming_the_field(published_ruleset, guidance_editor,
                                                      changes, reason, field):
    with pytest.raises(ValidationError) as refused:
        document_update(document=ta265(), changes=changes, reason=reason, by=guidance_editor)
    assert field in refused.value.message_dict
    assert ta265().version == 1


def test_the_admin_asks_why_a_document_changes(published_ruleset, guidance_editor_client):
    document = ta265()
    url = f"/admin/guidance/guidancedocument/{document.pk}/change/"
    data = {"title": NEW_TITLE, "url": document.url, "publisher": document.publisher,
            "published": document.published or "", "last_reviewed": "",
            "next_review_due": "", "evidence_note": "", "replaced_by": ""}
    response = guidance_editor_client.post(url, data)
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors
    assert ta265().version == 1
    response = guidance_editor_client.post(url, {**data, "change_reason": "Retitled"})
    assert response.status_code == 302
    assert (ta265().title, ta265().version) == (NEW_TITLE, 2)


def test_a_replacement_made_since_is_shown_beside_the_citation_as_it_was(
        published_ruleset, clinician, clinician_client, guidance_editor):
    consultation = consultation_create(data=calcium_assessment(2.4), channel="form",
                                       by=clinician)
    title = ta265().title
    document_update(document=ta265(), changes={"replaced_by": "TA999", "title": "New"},
                    reason="Replaced by a new appraisal", by=guidance_editor)
    page = clinician_client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert title in page and "(since replaced by TA999)" in page
