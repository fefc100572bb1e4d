"""Guidance cited lists every document that a shown rule, condition, caution, hold or alert
cites, and the score's own paper wherever a score is shown; each condition, caution and note
carries its source."""

import re

import pytest

from options.consultation.services import consultation_create
from tests.guidance_builders import calcium_assessment, spinal_assessment

pytestmark = pytest.mark.django_db


def _cited(html):
    block = html[html.index("Guidance cited"):]
    return set(re.findall(r'data-document="([^"]+)"', block))



def test_a_spinal_case_cites_ipg12_ipg166_and_sins(published_ruleset, clinician,
                                                  clinician_client):
    given = consultation_create(data=spinal_assessment(), channel="form", by=clinician)
    statuses = {o["option"]: o["status"] for o in given.result["options"]}
    assert statuses["vertebroplasty"] in ("recommended", "consider"), statuses
    html = clinician_client.get(f"/consultations/{given.pk}/").content.decode()
    assert {"IPG12", "IPG166", "SINS-2010"} <= _cited(html)


def test_each_condition_names_its_source(published_ruleset, clinician, clinician_client):
    given = consultation_create(data=spinal_assessment(), channel="form", by=clinician)
    html = clinician_client.get(f"/consultations/{given.pk}/").content.decode()
    section = re.search(r'data-option-detail="vertebroplasty".*?</section>', html, re.S)
    conditions = re.search(r"Conditions, each with its source</h3>\s*<ul>(.*?)</ul>",
                           section.group(0), re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", conditions, re.S)
    assert items and all('class="bc-source"' in item for item in items), items


def test_the_denosumab_calcium_stop_cites_the_mhra_september_2014_update(
        published_ruleset, clinician, clinician_client):
    given = consultation_create(data=calcium_assessment(1.98), channel="form", by=clinician)
    denosumab = next(o for o in given.result["options"] if o["option"] == "denosumab")
    assert denosumab["decided_by"] == "DMAB-SAFE-02"
    html = clinician_client.get(f"/consultations/{given.pk}/").content.decode()
    assert {"XGEVA-SMPC", "MHRA-DSU-2014"} <= _cited(html)
