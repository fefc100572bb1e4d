"""An EHR that is also registered for SMART launch gets "Open in BoneCare" as a `smart` link:
the EHR launches BoneCare at /smart/launch and hands it `appContext` {"draft": key}, naming
the same one-hour draft a plain link would open. Without a live SMART registration the link
stays `absolute`. The admin and create_cds_client set the registration and refuse a revoked
or unknown one."""

import json

import pytest
from django.core.management import CommandError, call_command

from options.cds_hooks.models import CdsClient, ConsultationDraft
from options.http.clients import client_revoke
from options.smart.services import smart_client_create

from .helpers import (
    ORDER_SIGN,
    PATIENT_VIEW,
    bonecare,
    call,
    order_request,
    request_of,
    service_request,
)

KYPHOPLASTY = service_request("kyph", text="Balloon kyphoplasty L1")


@pytest.fixture
def smart_ehr(db):
    return smart_client_create(name="Ward EHR launch", iss="https://ehr.example/fhir",
                               client_id="x")


def _link(http, ehr, service_id, request):
    response = call(http, ehr, service_id, request)
    assert response.status_code == 200, response.content
    linked = [card for card in response.json()["cards"] if card.get("links")]
    (card,) = linked
    (link,) = card["links"]
    return card, link


def _linked(cds_ehr, smart):
    cds_ehr.client.smart_client = smart
    cds_ehr.client.save(update_fields=["smart_client"])


def _assert_smart(card, link):
    assert link.keys() == {"label", "type", "url", "appContext"}
    assert (link["label"], link["type"]) == ("Open in BoneCare", "smart")
    assert link["url"] == "http://testserver/smart/launch"
    assert isinstance(link["appContext"], str)  # CDS Hooks: a string, passed on as it is
    context = json.loads(link["appContext"])
    assert context.keys() == {"draft"} and len(context["draft"]) >= 40
    draft = ConsultationDraft.objects.get(key=context["draft"])
    assert draft.assessment == bonecare(card)["assessment"]
    assert "p-v01" not in link["appContext"]  # no patient data beyond the key


def test_patient_view_gives_a_smart_link_to_the_draft(client, cds_ehr, published_ruleset,
                                                      smart_ehr):
    _linked(cds_ehr, smart_ehr)
    _assert_smart(*_link(client, cds_ehr, PATIENT_VIEW, request_of("V01")))


def test_an_order_sign_card_with_a_link_gives_a_smart_link(client, cds_ehr, published_ruleset,
                                                           smart_ehr):
    _linked(cds_ehr, smart_ehr)
    card, link = _link(client, cds_ehr, ORDER_SIGN, order_request("V01", [KYPHOPLASTY]))
    assert card["indicator"] == "info"
    _assert_smart(card, link)


def test_without_a_smart_registration_the_link_is_absolute(client, cds_ehr, published_ruleset):
    card, link = _link(client, cds_ehr, PATIENT_VIEW, request_of("V01"))
    assert link.keys() == {"label", "type", "url"}
    assert link["type"] == "absolute"
    key = link["url"].removeprefix("http://testserver/consultations/new/?draft=")
    assert ConsultationDraft.objects.get(key=key).assessment == bonecare(card)["assessment"]


@pytest.mark.parametrize("service_id, request_", [
    (PATIENT_VIEW, request_of("V01")), (ORDER_SIGN, order_request("V01", [KYPHOPLASTY]))])
def test_a_revoked_smart_registration_gives_the_absolute_link(client, cds_ehr,
                                                              published_ruleset, smart_ehr,
                                                              service_id, request_):
    _linked(cds_ehr, smart_ehr)
    client_revoke(client=smart_ehr)  # counts from the next call
    card, link = _link(client, cds_ehr, service_id, request_)
    assert "appContext" not in link
    assert link["type"] == "absolute"
    assert link["url"].startswith("http://testserver/consultations/new/?draft=")


def _jwks_file(tmp_path, ehr_keys):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(ehr_keys.jwks()), encoding="utf-8")
    return str(path)


def test_the_command_registers_the_smart_registration(db, tmp_path, ehr_keys, smart_ehr,
                                                      capsys):
    call_command("create_cds_client", "Ward EHR", "--iss", ehr_keys.iss,
                 "--jwks", _jwks_file(tmp_path, ehr_keys), "--smart-client", smart_ehr.name)
    assert CdsClient.objects.get(name="Ward EHR").smart_client == smart_ehr
    assert "SMART launch (Ward EHR launch)" in capsys.readouterr().out


def test_the_command_without_the_option_links_to_none(db, tmp_path, ehr_keys):
    call_command("create_cds_client", "Ward EHR", "--iss", ehr_keys.iss,
                 "--jwks", _jwks_file(tmp_path, ehr_keys))
    assert CdsClient.objects.get(name="Ward EHR").smart_client is None


def test_the_command_refuses_an_unknown_smart_registration(db, tmp_path, ehr_keys):
    with pytest.raises(CommandError, match=r"^--smart-client: no SMART registration is named "
                                           r"'Nobody'"):
        call_command("create_cds_client", "Ward EHR", "--iss", ehr_keys.iss,
                     "--jwks", _jwks_file(tmp_path, ehr_keys), "--smart-client", "Nobody")
    assert not CdsClient.objects.exists()


def test_the_command_refuses_a_revoked_smart_registration(db, tmp_path, ehr_keys, smart_ehr):
    client_revoke(client=smart_ehr)
    with pytest.raises(CommandError, match=r"^--smart-client: the SMART registration "
                                           r"'Ward EHR launch' is revoked"):
        call_command("create_cds_client", "Ward EHR", "--iss", ehr_keys.iss,
                     "--jwks", _jwks_file(tmp_path, ehr_keys), "--smart-client",
                     smart_ehr.name)
    assert not CdsClient.objects.exists()


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    return client


def _add_form(ehr_keys, smart_client):
    return {"name": "Ward EHR", "iss": ehr_keys.iss, "jwks": json.dumps(ehr_keys.jwks()),
            "jwks_url": "", "services": ["bonecare-patient-view"], "fhir_server": "",
            "smart_client": smart_client}


def test_admin_registers_an_ehr_with_its_smart_registration(admin_client, ehr_keys,
                                                            smart_ehr):
    response = admin_client.post("/admin/cds_hooks/cdsclient/add/",
                                 _add_form(ehr_keys, smart_ehr.pk), follow=True)
    assert response.status_code == 200
    client = CdsClient.objects.get(name="Ward EHR")
    assert client.smart_client == smart_ehr
    assert client.created_by.username == "admin"  # through cds_client_create


def test_admin_offers_and_accepts_only_a_live_smart_registration(admin_client, ehr_keys,
                                                                 smart_ehr):
    client_revoke(client=smart_ehr)
    page = admin_client.get("/admin/cds_hooks/cdsclient/add/")
    assert "Ward EHR launch" not in page.content.decode()
    response = admin_client.post("/admin/cds_hooks/cdsclient/add/",
                                 _add_form(ehr_keys, smart_ehr.pk))
    assert response.status_code == 200  # the form again, with the error
    assert "smart_client" in response.context["adminform"].form.errors
    assert not CdsClient.objects.exists()


def test_admin_says_when_the_linked_registration_was_revoked(admin_client, cds_ehr,
                                                             smart_ehr):
    _linked(cds_ehr, smart_ehr)
    client_revoke(client=smart_ehr)
    response = admin_client.post(f"/admin/cds_hooks/cdsclient/{cds_ehr.client.pk}/change/", {
        **_add_form(cds_ehr, smart_ehr.pk), "services": cds_ehr.client.services})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["smart_client"]
    assert errors == ["The SMART registration 'Ward EHR launch' is revoked: choose a live one "
                      "or none."]
    response = admin_client.post(f"/admin/cds_hooks/cdsclient/{cds_ehr.client.pk}/change/", {
        **_add_form(cds_ehr, ""), "services": cds_ehr.client.services})
    assert response.status_code == 302
    cds_ehr.client.refresh_from_db()
    assert cds_ehr.client.smart_client is None
