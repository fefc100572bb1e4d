"""Stored consultations read back in bulk are the assessments they were stored from."""

import pytest

from options.consultation.models import Consultation
from options.consultation.services import consultation_create
from options.consultation.stored import stored_assessments
from tests.builders import scenario_files
from tests.guidance_builders import shared_assessment

pytestmark = pytest.mark.django_db


def test_bulk_reading_gives_each_consultations_own_assessment(published_ruleset):
    codes = sorted(path.stem for path in scenario_files())
    for code in codes:
        consultation_create(data={**shared_assessment(code), "patient_ref": f"REF-{code}"},
                            channel="form")
    consultation_create(data={**shared_assessment("V01"), "lesions": [],
                              "prior_treatments": []}, channel="form")
    found = stored_assessments()
    expected = [(c.pk, c.cancer_type, {k: v for k, v in c.to_assessment().items()
                                       if k != "patient_ref"})
                for c in Consultation.objects.order_by("-created_at", "-id")]
    assert found == expected
    assert all("patient_ref" not in data for _, _, data in found)
    assert found[0][2]["lesions"] == [] and found[0][2]["prior_treatments"] == []


def test_the_limit_keeps_the_most_recent(published_ruleset):
    for calcium in (2.3, 2.4, 2.5):
        consultation_create(data={**shared_assessment("V01"),
                                  "corrected_calcium_mmol_l": calcium}, channel="form")
    assert [data["corrected_calcium_mmol_l"] for _, _, data in stored_assessments(limit=2)] == [
        2.5, 2.4]
