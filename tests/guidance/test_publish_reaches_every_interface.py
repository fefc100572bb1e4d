"""An editor's publish reaches the consultation form and the REST API at once."""

from options.consultation.models import Consultation
from tests.guidance_builders import calcium_assessment, hypocalcaemia_draft, publish_reviewed
from tests.web.test_consultation_pages import form_post


def denosumab(result):
    return next(o["status"] for o in result["options"] if o["option"] == "denosumab")


def test_a_published_threshold_change_reaches_the_form_and_the_api(
        published_ruleset, guidance_editor, safety_officer, clinician_client, ehr_client):
    assessment = calcium_assessment(2.15)
    before = ehr_client.post("/api/v1/evaluate", assessment, format="json").json()
    assert (before["ruleset"]["version"], denosumab(before)) == ("2026.3", "contraindicated")

    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.1)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)

    after = ehr_client.post("/api/v1/evaluate", assessment, format="json").json()
    assert (after["ruleset"]["version"], denosumab(after)) == (draft.version, "recommended")
    response = clinician_client.post("/consultations/new/", form_post(assessment))
    assert response.status_code == 302
    stored = Consultation.objects.get()
    assert (stored.ruleset_version, denosumab(stored.result)) == (draft.version, "recommended")
