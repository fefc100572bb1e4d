"""API clients: created with a token shown once, stored hashed, revocable."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from options.api.models import ApiClient
from options.api.services import token_digest


def test_command_prints_the_token_once_and_stores_only_its_digest(db):
    out = StringIO()
    call_command("create_api_client", "Ward EHR", "--scopes", "evaluate,consultations:read",
                 stdout=out, stderr=StringIO())
    token = out.getvalue().strip()
    client = ApiClient.objects.get(name="Ward EHR")
    assert client.scopes == ["evaluate", "consultations:read"]
    assert client.token_sha256 == token_digest(token)
    assert token not in {client.token_prefix, client.token_sha256}


def test_command_refuses_an_unknown_scope(db):
    with pytest.raises(CommandError, match="unknown scope"):
        call_command("create_api_client", "Ward EHR", "--scopes", "everything",
                     stdout=StringIO(), stderr=StringIO())
    assert not ApiClient.objects.exists()


def test_revoke_command_makes_the_token_fail(ehr_client):
    call_command("revoke_client", "api", "Test EHR", stdout=StringIO())
    assert ehr_client.get("/api/v1/whoami").status_code == 401


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    return client


def test_admin_shows_a_new_clients_token_once(admin_client):
    response = admin_client.post("/admin/api/apiclient/add/",
                                 {"name": "Ward EHR", "scopes": ["evaluate"]}, follow=True)
    assert response.status_code == 200
    client = ApiClient.objects.get(name="Ward EHR")
    [message] = [m.message for m in response.context["messages"] if "token" in m.message]
    token = message.rsplit(" ", 1)[-1]
    assert client.token_sha256 == token_digest(token)
    page = admin_client.get(f"/admin/api/apiclient/{client.pk}/change/").content.decode()
    assert token not in page


def test_admin_revoke_action(admin_client, ehr_client):
    admin_client.post("/admin/api/apiclient/", {
        "action": "revoke", "_selected_action": [ehr_client.api_client.pk]})
    ehr_client.api_client.refresh_from_db()
    assert ehr_client.api_client.revoked_at is not None
    assert ehr_client.get("/api/v1/whoami").status_code == 401


def test_an_api_call_creates_no_session_and_sets_no_cookie(ehr_client):
    from django.contrib.sessions.models import Session

    response = ehr_client.get("/api/v1/options")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == 0
