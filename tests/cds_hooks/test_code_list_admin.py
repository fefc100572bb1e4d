"""Guidance editors keep the FHIR code lists in the admin: a hospital's local code is
recognised as soon as it is saved, and nobody else may change the lists."""

from options.cds_hooks.codes import SNOMED
from options.cds_hooks.models import CodeListEntry
from options.cds_hooks.selectors import code_lists_current

ADD = "/admin/cds_hooks/codelistentry/add/"
LOCAL_CODE = "999000111000"


def _local_breast_code():
    return {"code_list": "cancer_type", "system": SNOMED, "code": LOCAL_CODE,
            "value": "breast", "display": "Local: breast cancer", "evidence": "local",
            "active": "on"}


def test_an_editor_adds_a_local_code_that_is_recognised_at_once(guidance_editor_client):
    assert code_lists_current().match("cancer_type", SNOMED, LOCAL_CODE) is None
    response = guidance_editor_client.post(ADD, _local_breast_code())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CodeListEntry.objects.filter(code=LOCAL_CODE, value="breast").exists()
    assert code_lists_current().match("cancer_type", SNOMED, LOCAL_CODE).value == "breast"


def test_an_editor_is_told_which_values_a_list_takes(guidance_editor_client):
    response = guidance_editor_client.post(ADD, {**_local_breast_code(), "value": "lymph"})
    assert response.status_code == 200
    assert "one of: breast" in response.content.decode()
    assert not CodeListEntry.objects.filter(code=LOCAL_CODE).exists()


def test_a_clinician_cannot_change_the_code_lists(clinician_client):
    response = clinician_client.post(ADD, _local_breast_code())
    assert response.status_code in (302, 403)
    assert not CodeListEntry.objects.filter(code=LOCAL_CODE).exists()
