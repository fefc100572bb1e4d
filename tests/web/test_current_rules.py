"""Old advice says when the rules have changed: the page re-evaluates the stored assessment
under the rules in force now and says whether they give the same advice, or which options
now differ and how; the advice as given stays as it was below it."""

import re

import pytest

from options.consultation.models import EvaluationAudit
from options.consultation.services import consultation_create
from tests.guidance_builders import calcium_assessment, hypocalcaemia_draft, publish_reviewed

pytestmark = pytest.mark.django_db


def _box(html):
    found = re.search(r"<div[^>]*data-current-rules.*?</div>", html, re.S)
    return re.sub(r"\s+", " ", found.group(0)) if found else ""


def _glance_status(html, slug):
    row = re.search(rf'data-option="{slug}".*?</tr>', html, re.S).group(0)
    return re.search(r'data-status="(\w+)"', row).group(1)


def test_under_the_rules_it_was_given_with_nothing_is_said(published_ruleset, clinician,
                                                          clinician_client):
    given = consultation_create(data=calcium_assessment(2.3), channel="form", by=clinician)
    html = clinician_client.get(f"/consultations/{given.pk}/").content.decode()
    assert _box(html) == ""


def test_a_threshold_published_since_names_the_option_that_now_differs(
        published_ruleset, clinician, clinician_client, guidance_editor, safety_officer):
    given = consultation_create(data=calcium_assessment(2.3), channel="form", by=clinician)
    same = consultation_create(data=calcium_assessment(2.5), channel="form", by=clinician)
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.4)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    audits = EvaluationAudit.objects.count()

    html = clinician_client.get(f"/consultations/{given.pk}/").content.decode()
    box = _box(html)
    assert f"The rules in force now ({draft.version}) would advise differently" in box
    assert "Denosumab: now contraindicated (was recommended)." in box and "2.40" in box
    assert "Bisphosphonate: now on hold. First: Corrected calcium is below 2.40" in box
    # The stored value the rules in force now compare, with their threshold, on each line.
    lines = re.findall(r"<li>(.*?)</li>", box)
    for name in ("Denosumab", "Bisphosphonate"):
        line = next(text for text in lines if text.startswith(name))
        assert "Values now deciding: Corrected calcium 2.30 mmol/L (below 2.40)." in line, line
    assert "as it was given under 2026.3" in box
    assert _glance_status(html, "denosumab") == "recommended"  # the advice as given
    assert EvaluationAudit.objects.count() == audits + 1

    html = clinician_client.get(f"/consultations/{same.pk}/").content.decode()
    assert f"Current rules ({draft.version}) give the same advice as 2026.3" in _box(html)
