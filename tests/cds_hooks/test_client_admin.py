"""An administrator registers and revokes EHRs in the admin; a client is never deleted."""

import json

import pytest

from options.cds_hooks.models import CdsClient


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    return client


def test_admin_registers_an_ehr_through_the_service(admin_client, ehr_keys):
    response = admin_client.post("/admin/cds_hooks/cdsclient/add/", {
        "name": "Ward EHR", "iss": ehr_keys.iss, "jwks": json.dumps(ehr_keys.jwks()),
        "jwks_url": "", "services": ["bonecare-patient-view"], "fhir_server": "",
    }, follow=True)
    assert response.status_code == 200
    client = CdsClient.objects.get(name="Ward EHR")
    assert client.services == ["bonecare-patient-view"]
    assert client.created_by.username == "admin"  # made by cds_client_create, who is recorded


def test_admin_revokes_and_never_deletes(admin_client, cds_ehr):
    response = admin_client.post("/admin/cds_hooks/cdsclient/", {
        "action": "revoke", "_selected_action": [cds_ehr.client.pk]}, follow=True)
    cds_ehr.client.refresh_from_db()
    assert cds_ehr.client.revoked_at is not None
    assert "Revoked 1 CDS client(s)." in [m.message for m in response.context["messages"]]
    page = admin_client.get(f"/admin/cds_hooks/cdsclient/{cds_ehr.client.pk}/delete/")
    assert page.status_code == 403
