"""Guidance documents are versioned with the ruleset: a change is made in a draft, reaches
advice only once a second person has approved it and it is published, and past advice keeps
the citations it was shown."""

import pytest
from django.core.exceptions import ValidationError

from guidance.drafting import RuleSetReadOnly, document_save
from guidance.models import GovernanceEvent, GuidanceDocument
from guidance.services import ruleset_create_draft
from options.consultation.services import consultation_create
from tests.guidance_builders import calcium_assessment, publish_reviewed

pytestmark = pytest.mark.django_db
NEW_TITLE = "Denosumab for bone metastases (updated 2027)"


def ta265(ruleset=None):
    """TA265 as the published ruleset (or the ruleset given) holds it."""
    if ruleset is None:
        return GuidanceDocument.objects.get(code="TA265", ruleset__state="published")
    return GuidanceDocument.objects.get(code="TA265", ruleset=ruleset)


def draft_with_ta265(published, editor, reason="NICE retitled the appraisal", **changes):
    draft = ruleset_create_draft(source=published, by=editor)
    document = ta265(draft)
    for name, value in changes.items():
        setattr(document, name, value)
    document_save(document=document, by=editor, reason=reason)
    return draft


def test_a_consultation_stores_each_cited_document_as_shown(published_ruleset, clinician):
    consultation = consultation_create(data=calcium_assessment(2.4), channel="form",
                                       by=clinician)
    cited = {c["code"]: c for c in consultation.citations}
    assert cited["TA265"]["title"] == ta265().title and cited["TA265"]["version"] == 1
    assert set(cited["TA265"]) == {"code", "title", "url", "publisher", "published",
                                   "replaced_by", "version"}


def test_a_document_changed_in_a_draft_reaches_advice_only_when_published(
        published_ruleset, clinician, clinician_client, guidance_editor, safety_officer):
    before = consultation_create(data=calcium_assessment(2.4), channel="form", by=clinician)
    old_title, old_url = ta265().title, ta265().url
    draft = draft_with_ta265(published_ruleset, guidance_editor, title=NEW_TITLE,
                             url="https://example.org/ta")
    document = ta265(draft)
    assert document.version == 2
    record = document.history.first()
    assert (record.history_user, record.history_change_reason) == (
        guidance_editor, "NICE retitled the appraisal")
    assert GovernanceEvent.objects.filter(action="document_change", ruleset=draft).exists()

    waiting = consultation_create(data=calcium_assessment(2.4), channel="form", by=clinician)
    page = clinician_client.get(f"/consultations/{waiting.pk}/").content.decode()
    assert old_title in page and NEW_TITLE not in page and "https://example.org/ta" not in page

    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    page = clinician_client.get(f"/consultations/{before.pk}/").content.decode()
    assert old_title in page and NEW_TITLE not in page
    assert old_url in page and "https://example.org/ta" not in page
    after = consultation_create(data=calcium_assessment(2.4), channel="form", by=clinician)
    page = clinician_client.get(f"/consultations/{after.pk}/").content.decode()
    assert NEW_TITLE in page


@pytest.mark.parametrize(("changes", "reason", "field"), [
    ({"title": "x"}, "", "change_reason"),
    ({"code": "TA999"}, "rename", "code"),
    ({"url": "not a url"}, "why", "url"),
], ids=["no-reason", "code", "bad-url"])
def test_a_document_change_is_refused_naming_the_field(published_ruleset, guidance_editor,
                                                      changes, reason, field):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    document = ta265(draft)
    for name, value in changes.items():
        setattr(document, name, value)
    with pytest.raises(ValidationError) as refused:
        document_save(document=document, reason=reason, by=guidance_editor)
    assert field in refused.value.message_dict
    assert ta265(draft).version == 1


def test_a_published_rulesets_document_never_changes(published_ruleset, guidance_editor):
    document = ta265()
    document.url = "https://example.org/elsewhere"
    with pytest.raises(RuleSetReadOnly):
        document_save(document=document, reason="a quick fix", by=guidance_editor)
    assert ta265().url != "https://example.org/elsewhere"


def test_the_admin_asks_why_a_document_changes(published_ruleset, guidance_editor,
                                               guidance_editor_client):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    document = ta265(draft)
    url = f"/admin/guidance/guidancedocument/{document.pk}/change/"
    data = {"title": NEW_TITLE, "url": document.url, "publisher": document.publisher,
            "published": document.published or "", "last_reviewed": "",
            "next_review_due": "", "evidence_note": "", "replaced_by": ""}
    response = guidance_editor_client.post(url, data)
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors
    assert ta265(draft).version == 1
    response = guidance_editor_client.post(url, {**data, "change_reason": "Retitled"})
    assert response.status_code == 302
    assert (ta265(draft).title, ta265(draft).version) == (NEW_TITLE, 2)
    assert ta265().title != NEW_TITLE


def test_the_admin_shows_a_published_document_read_only(published_ruleset,
                                                        guidance_editor_client):
    document = ta265()
    url = f"/admin/guidance/guidancedocument/{document.pk}/change/"
    response = guidance_editor_client.post(url, {"title": NEW_TITLE, "url": document.url,
                                                 "publisher": "NICE", "change_reason": "x"})
    assert response.status_code == 403
    assert ta265().title != NEW_TITLE


def test_a_replacement_published_since_is_shown_beside_the_citation_as_it_was(
        published_ruleset, clinician, clinician_client, guidance_editor, safety_officer):
    consultation = consultation_create(data=calcium_assessment(2.4), channel="form",
                                       by=clinician)
    title = ta265().title
    draft = draft_with_ta265(published_ruleset, guidance_editor, replaced_by="TA999",
                             title="New", reason="Replaced by a new appraisal")
    page = clinician_client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "(since replaced by TA999)" not in page
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    page = clinician_client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert title in page and "(since replaced by TA999)" in page
