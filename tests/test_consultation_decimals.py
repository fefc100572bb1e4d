"""A consultation stores the numbers it was given, whatever their float form."""

from decimal import Decimal

import pytest

from options.services import consultation_create
from tests.guidance_builders import calcium_assessment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("calcium", "stored"),
                         [(2.15, "2.15"), (2.4, "2.40"), (2, "2.00"), (2.155, "2.16")],
                         ids=["two-places", "one-place", "integer", "rounded-to-column"])
def test_calcium_is_stored_at_the_column_precision(published_ruleset, calcium, stored):
    data = {**calcium_assessment(calcium), "creatinine_clearance_ml_min": 54.5}
    consultation = consultation_create(data=data, channel="form")
    consultation.refresh_from_db()
    assert consultation.corrected_calcium_mmol_l == Decimal(stored)
    assert consultation.creatinine_clearance_ml_min == Decimal("54.5")
