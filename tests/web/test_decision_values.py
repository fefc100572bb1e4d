"""The values behind each decision are on the result page and the clinician print: the
calcium that held a bisphosphonate, the creatinine clearance that stopped it and how it was
calculated, with the threshold each met, read from the rules of the ruleset that decided."""

import re

import pytest

from options.consultation.services import consultation_create
from tests.guidance_builders import calcium_assessment

pytestmark = pytest.mark.django_db


def _values(html, slug):
    section = re.search(rf'data-option-detail="{slug}".*?</section>', html, re.S).group(0)
    found = re.search(r"<p class=\"bc-values\" data-values><strong>Values used:</strong>"
                      r"(.*?)</p>", section, re.S)
    return re.sub(r"\s+", " ", found.group(1)).strip() if found else ""


def test_a_held_bisphosphonate_shows_the_calcium_that_held_it(published_ruleset, clinician,
                                                             clinician_client):
    given = consultation_create(data=calcium_assessment(1.98), channel="form", by=clinician)
    html = clinician_client.get(f"/consultations/{given.pk}/").content.decode()
    assert "Corrected calcium 1.98 mmol/L (below 2.20)" in _values(html, "bisphosphonate")
    assert "Corrected calcium 1.98 mmol/L (below 2.20)" in _values(html, "denosumab")
    printed = clinician_client.get(f"/consultations/{given.pk}/print/clinician/")
    assert "1.98 mmol/L" in printed.content.decode()  # among its inputs: one A4 page


def test_the_lung_case_shows_its_calculated_clearance_and_its_inputs(
        published_ruleset, clinician, clinician_client):
    lung = {"cancer_type": "lung", "bone_metastases": True, "mscc_signs": False,
            "age_years": 70, "sex": "male", "weight_kg": 60, "serum_creatinine_umol_l": 180,
            "lesions": [], "prior_treatments": []}
    given = consultation_create(data=lung, channel="form", by=clinician)
    assert given.result["options"][0]["status"] == "contraindicated"
    html = clinician_client.get(f"/consultations/{given.pk}/").content.decode()
    shown = _values(html, "bisphosphonate")
    assert shown.startswith("Creatinine clearance 28.7 mL/min (below 30; calculated, "
                            "Cockcroft–Gault from "), shown
    for part in ("age 70 years", "sex male", "weight 60 kg", "serum creatinine 180 µmol/L"):
        assert part in shown, (part, shown)


def test_an_option_decided_without_a_number_shows_none(published_ruleset, clinician,
                                                       clinician_client):
    given = consultation_create(data=calcium_assessment(2.5), channel="form", by=clinician)
    html = clinician_client.get(f"/consultations/{given.pk}/").content.decode()
    assert _values(html, "denosumab") == ""
