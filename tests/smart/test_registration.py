"""Registering an EHR for SMART launch (admin and command), BoneCare's JWK Set, a
confidential asymmetric client's private-key JWT, and the standalone launch."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from options.smart.models import SmartClient, SmartLaunch
from options.smart.services import smart_client_create
from tests.smart.bonecare import Browser, launch_in_session, register

ISS = "https://ehr.example-trust.nhs.uk/fhir/"


@pytest.fixture
def signing_key_set(settings, smart_client_key):
    settings.BONECARE_SMART_SIGNING_KEY = smart_client_key.as_pem(private=True).decode()
    settings.BONECARE_SMART_SIGNING_KEY_ID = smart_client_key.kid
    return smart_client_key


@pytest.mark.django_db
def test_the_command_registers_an_ehr_without_the_trailing_slash(capsys):
    call_command("create_smart_client", "Trust EHR", "--iss", ISS, "--client-id", "abc",
                 "--create-accounts")
    client = SmartClient.objects.get()
    assert (client.iss, client.client_id, client.client_type, client.may_create_accounts) == (
        ISS.rstrip("/"), "abc", "public", True)
    assert "Registered SMART client 'Trust EHR'" in capsys.readouterr().out
    assert client.history.count() == 1


@pytest.mark.django_db
def test_a_confidential_client_needs_boncares_key_and_its_algorithm(settings):
    settings.BONECARE_SMART_SIGNING_KEY = ""
    with pytest.raises(CommandError, match="--client-type: .*BONECARE_SMART_SIGNING_KEY"):
        call_command("create_smart_client", "Trust EHR", "--iss", ISS, "--client-id", "abc",
                     "--client-type", "confidential_asymmetric", "--signing-alg", "ES384")
    with pytest.raises(CommandError, match="--signing-alg"):
        call_command("create_smart_client", "Trust EHR", "--iss", ISS, "--client-id", "abc",
                     "--client-type", "confidential_asymmetric")
    assert SmartClient.objects.count() == 0


@pytest.mark.django_db
def test_the_algorithm_must_be_the_one_boncares_key_signs_with(signing_key_set):
    with pytest.raises(ValidationError) as refused:
        smart_client_create(name="E", iss=ISS, client_id="c",
                            client_type="confidential_asymmetric", signing_alg_name="RS384")
    assert refused.value.message_dict == {"signing_alg": ["BoneCare's key signs with ES384."]}


@pytest.mark.django_db
def test_the_jwk_set_serves_the_public_half_only(client, signing_key_set):
    keys = client.get("/smart/jwks.json").json()["keys"]
    assert [(k["kid"], k["alg"], k["crv"]) for k in keys] == [
        (signing_key_set.kid, "ES384", "P-384")]
    assert "d" not in keys[0]


@pytest.mark.django_db
def test_without_a_key_the_jwk_set_is_empty(client, settings):
    settings.BONECARE_SMART_SIGNING_KEY = ""
    assert client.get("/smart/jwks.json").json() == {"keys": []}


@pytest.mark.django_db
def test_the_admin_registers_through_the_service_and_revokes(admin_client, admin_user):
    response = admin_client.post("/admin/smart/smartclient/add/", {
        "name": "Trust EHR", "iss": ISS, "client_id": "abc", "client_type": "public",
        "signing_alg": ""})
    assert response.status_code == 302, response.content[:500]
    client = SmartClient.objects.get()
    assert client.created_by == admin_user and client.iss == ISS.rstrip("/")
    admin_client.post("/admin/smart/smartclient/", {"action": "revoke",
                                                    "_selected_action": [client.pk]})
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert admin_client.post(f"/admin/smart/smartclient/{client.pk}/delete/",
                             {"post": "yes"}).status_code == 403


@pytest.mark.django_db
def test_nobody_but_the_administrator_opens_the_registrations(client, guidance_editor,
                                                              safety_officer, clinician):
    for user in (guidance_editor, safety_officer, clinician):
        client.force_login(user)
        assert client.get("/admin/smart/smartclient/").status_code in (302, 403)
        assert client.get("/admin/smart/smartlaunch/").status_code in (302, 403)


@pytest.mark.django_db(transaction=True)
def test_a_confidential_client_proves_itself_with_a_private_key_jwt(
        ehr, live_server, published_ruleset, treatment_options, signing_key_set):
    register(ehr, confidential=True)
    page = Browser(live_server).launch(ehr, "p-v20")
    assert page.status_code == 200 and page.url.endswith("/smart/consultation/"), \
        page.text[:300]
    assert launch_in_session()["patient"] == "p-v20"


@pytest.mark.django_db(transaction=True)
def test_a_standalone_launch_opens_the_patient_the_clinician_chose_at_the_ehr(
        ehr, live_server, published_ruleset, treatment_options):
    client = register(ehr)
    ehr.standalone_patient_set("p-v34")
    page = Browser(live_server).standalone(client)
    assert page.status_code == 200 and page.url.endswith("/smart/consultation/")
    assert launch_in_session()["patient"] == "p-v34"
    assert SmartLaunch.objects.get().kind == "standalone"
