"""Every word from the decision: a published threshold change reaches every text that names it."""

from options.consultation.models import Consultation
from tests.guidance_builders import calcium_assessment, hypocalcaemia_draft, publish_reviewed
from tests.web.test_consultation_pages import form_post


def test_a_published_calcium_threshold_is_what_every_page_and_the_api_say(
        published_ruleset, guidance_editor, safety_officer, clinician_client, ehr_client):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.4)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    assessment = calcium_assessment(2.3)  # low under 2.40, not under the old 2.20

    api = ehr_client.post("/api/v1/evaluate", assessment, format="json").content.decode()
    assert "2.40 mmol/L" in api and "2.20" not in api

    response = clinician_client.post("/consultations/new/", form_post(assessment))
    assert response.status_code == 302, response.content.decode()[:1000]
    pk = Consultation.objects.get().pk
    for page in (f"/consultations/{pk}/", f"/consultations/{pk}/print/clinician/",
                 f"/consultations/{pk}/print/patient/"):
        text = clinician_client.get(page).content.decode()
        assert "2.40" in text, page
        assert "2.20" not in text and "2.2 " not in text, page
