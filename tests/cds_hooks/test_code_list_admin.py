"""Guidance editors keep the FHIR code lists in the admin, inside a draft ruleset: a
hospital's local code reaches EHRs only once a second person has approved the draft and it
is published; a published ruleset's lists never change, and nobody else may change them."""

from guidance.codes import SNOMED
from guidance.models import CodeListEntry, RuleSet
from guidance.selectors import code_lists_published
from guidance.services import ruleset_create_draft
from tests.guidance_builders import publish_reviewed

ADD = "/admin/guidance/codelistentry/add/"
LOCAL_CODE = "999000111000"


def _local_breast_code(ruleset, **extra):
    return {"ruleset": ruleset.pk, "code_list": "cancer_type", "system": SNOMED,
            "code": LOCAL_CODE, "value": "breast", "display": "Local: breast cancer",
            "evidence": "local", "active": "on", "change_reason": "Our lab's local code",
            **extra}


def test_a_local_code_reaches_ehrs_only_when_its_draft_is_published(
        published_ruleset, guidance_editor, guidance_editor_client, safety_officer):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    response = guidance_editor_client.post(ADD, _local_breast_code(draft))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CodeListEntry.objects.filter(ruleset=draft, code=LOCAL_CODE).exists()
    assert code_lists_published().match("cancer_type", SNOMED, LOCAL_CODE) is None
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    assert code_lists_published().match("cancer_type", SNOMED, LOCAL_CODE).value == "breast"
    review = draft.reviews.get()
    assert [item["key"] for item in review.code_lists_diff] == [
        f"cancer_type: {SNOMED}|{LOCAL_CODE}"]


def test_a_code_cannot_be_added_to_the_published_ruleset(published_ruleset,
                                                        guidance_editor_client):
    response = guidance_editor_client.post(ADD, _local_breast_code(published_ruleset))
    assert response.status_code == 200
    assert "ruleset" in response.context["adminform"].form.errors
    assert not CodeListEntry.objects.filter(code=LOCAL_CODE).exists()


def test_a_published_code_opens_read_only(published_ruleset, guidance_editor_client):
    entry = CodeListEntry.objects.get(ruleset=published_ruleset, code="71286001")
    url = f"/admin/guidance/codelistentry/{entry.pk}/change/"
    page = guidance_editor_client.get(url)
    assert page.status_code == 200 and 'name="active"' not in page.content.decode()
    response = guidance_editor_client.post(url, {"value": "true", "display": "x",
                                                 "evidence": "x", "change_reason": "x"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.active
    assert published_ruleset.state == RuleSet.PUBLISHED


def test_an_editor_is_told_which_values_a_list_takes(published_ruleset, guidance_editor,
                                                     guidance_editor_client):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    response = guidance_editor_client.post(ADD, _local_breast_code(draft, value="lymph"))
    assert response.status_code == 200
    assert "one of: breast" in response.content.decode()
    assert not CodeListEntry.objects.filter(code=LOCAL_CODE).exists()


def test_a_reason_is_asked_for(published_ruleset, guidance_editor, guidance_editor_client):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    response = guidance_editor_client.post(ADD, _local_breast_code(draft, change_reason=""))
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors
    assert not CodeListEntry.objects.filter(code=LOCAL_CODE).exists()


def test_a_clinician_cannot_change_the_code_lists(published_ruleset, guidance_editor,
                                                  clinician_client):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    response = clinician_client.post(ADD, _local_breast_code(draft))
    assert response.status_code in (302, 403)
    assert not CodeListEntry.objects.filter(code=LOCAL_CODE).exists()
