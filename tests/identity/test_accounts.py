"""Accounts from verified claims, accounts an administrator runs, and the audit of both."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import RequestFactory

from options.identity.config import ProviderConfig
from options.identity.models import AccountEvent, ProviderIdentity
from options.identity.roles import CLINICIAN, EDITOR, ROLES, roles_sync
from options.identity.services import provider_sign_in

ISSUER = "https://idp.example.nhs.uk"
PASSWORD = "correct-horse-battery-staple"
User = get_user_model()


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def config():
    return ProviderConfig(issuer=ISSUER, client_id="bonecare", client_secret="x",
                          role_values={"clinician": frozenset({"Clin"}),
                                       "editor": frozenset({"Edit"}),
                                       "safety_officer": frozenset({"Safety"})})


def sign_in(config, sub, roles, ip="10.1.2.3", **claims):
    request = RequestFactory().get("/accounts/oidc/callback/", REMOTE_ADDR=ip)
    return provider_sign_in(config=config, claims={"sub": sub, "roles": roles, **claims},
                            request=request)


def groups(user):
    return set(user.groups.values_list("name", flat=True))


def kinds(**filters):
    return [(event.kind, event.role or event.reason)
            for event in AccountEvent.objects.filter(**filters).order_by("id")]


def test_people_are_matched_on_their_subject_never_their_email(db, config):
    first = sign_in(config, "sub-1", ["Clin"], email="shared@trust.nhs.uk").user
    second = sign_in(config, "sub-2", ["Clin"], email="shared@trust.nhs.uk").user
    assert first != second
    renamed = sign_in(config, "sub-1", ["Clin"], email="new@trust.nhs.uk").user
    assert renamed == first
    assert renamed.email == "new@trust.nhs.uk"


def test_another_issuer_with_the_same_subject_is_another_person(db, config):
    from dataclasses import replace

    here = sign_in(config, "sub-1", ["Clin"]).user
    there = sign_in(replace(config, issuer="https://other-idp.example.nhs.uk"), "sub-1",
                    ["Clin"]).user
    assert here != there


def test_a_clash_with_a_sign_in_made_at_the_same_moment_is_retried(db, config, clinician,
                                                                    monkeypatch):
    from options.identity import services

    free = services._username_free
    clashes = iter([clinician.username])  # the first try takes a name another just took
    monkeypatch.setattr(services, "_username_free",
                        lambda base, subject: next(clashes, None) or free(base, subject))
    user = sign_in(config, "sub-1", ["Clin"], preferred_username="ada").user
    assert user.username == "ada"
    assert ProviderIdentity.objects.get(subject="sub-1").user == user
    assert kinds(user=user) == [("role_granted", "clinician")]


def test_a_provider_name_taken_by_a_local_account_gets_a_suffix(db, config, clinician):
    user = sign_in(config, "sub-1", ["Clin"], preferred_username=clinician.username).user
    assert user.username.startswith(f"{clinician.username}-")
    assert not ProviderIdentity.objects.filter(user=clinician).exists()


def test_roles_follow_the_claims_at_every_sign_in_and_each_change_is_audited(db, config):
    user = sign_in(config, "sub-1", ["Clin", "Edit"]).user
    assert groups(user) == {CLINICIAN.group, EDITOR.group} and user.is_staff
    user = sign_in(config, "sub-1", ["Clin"]).user
    assert groups(user) == {CLINICIAN.group} and not user.is_staff
    assert kinds(user=user) == [("role_granted", "clinician"), ("role_granted", "editor"),
                                ("role_removed", "editor")]
    assert {event.address for event in AccountEvent.objects.all()} == {"10.1.2.3"}


def test_the_clinical_safety_officer_role_comes_from_its_claim_value(db, config):
    officer = ROLES["safety_officer"]
    user = sign_in(config, "sub-1", ["Safety"]).user
    assert groups(user) == {officer.group}
    assert user.is_staff == officer.is_staff


def test_losing_every_role_refuses_sign_in_and_removes_the_roles(db, config):
    user = sign_in(config, "sub-1", ["Clin"]).user
    outcome = sign_in(config, "sub-1", ["Finance"])
    assert (outcome.user, outcome.refusal) == (None, "no_role")
    assert groups(user) == set()
    assert kinds(kind="sign_in_failed") == [
        ("sign_in_failed", "no_role: 'roles' held none of the values mapped to a role")]


def test_a_deactivated_account_stays_out_whatever_the_provider_says(db, config, admin_user):
    from options.identity.services import user_active_set

    user = sign_in(config, "sub-1", ["Clin"]).user
    user_active_set(user=user, active=False, by=admin_user)
    outcome = sign_in(config, "sub-1", ["Clin"])
    assert (outcome.user, outcome.refusal) == (None, "deactivated")
    assert kinds(user=user)[-2:] == [("deactivated", ""), ("sign_in_failed", "deactivated")]


def test_a_local_role_group_outside_bonecare_roles_is_left_alone(db, config):
    user = sign_in(config, "sub-1", ["Clin"]).user
    user.groups.add(Group.objects.create(name="Pharmacy"))
    user = sign_in(config, "sub-1", ["Clin"]).user
    assert groups(user) == {CLINICIAN.group, "Pharmacy"}


# --- local accounts -------------------------------------------------------------------------

def test_local_sign_ins_and_refusals_are_audited_with_the_address(client, clinician):
    clinician.set_password(PASSWORD)
    clinician.save()
    client.post("/accounts/login/", {"username": clinician.username, "password": "wrong"},
                REMOTE_ADDR="10.9.8.7")
    client.post("/accounts/login/", {"username": clinician.username, "password": PASSWORD},
                REMOTE_ADDR="10.9.8.7")
    events = list(AccountEvent.objects.filter(kind__startswith="sign_in").order_by("id"))
    assert [(e.kind, e.source, e.username, e.address, e.reason) for e in events] == [
        ("sign_in_failed", "local", clinician.username, "10.9.8.7", "password refused"),
        ("sign_in", "local", clinician.username, "10.9.8.7", ""),
    ]


def test_create_user_still_makes_local_accounts_and_its_role_is_audited(db):
    from io import StringIO

    call_command("create_user", "alice", role="clinician", stdin=StringIO(PASSWORD + "\n"),
                 stdout=StringIO())
    alice = User.objects.get(username="alice")
    assert groups(alice) == {CLINICIAN.group}
    assert kinds(user=alice) == [("role_granted", "clinician")]


# --- the admin --------------------------------------------------------------------------------

@pytest.fixture
def administrator(db, client):
    roles_sync(group_model=Group, permission_model=Permission)
    admin = User.objects.create_superuser("it-admin", password=PASSWORD)
    client.force_login(admin)
    return admin


def test_the_admin_lists_roles_source_and_last_sign_in(administrator, client, config):
    sign_in(config, "sub-1", ["Clin"], preferred_username="prov-ada")
    local = User.objects.create_user("local-bob", password=PASSWORD)
    local.groups.add(Group.objects.get(name=EDITOR.group))
    html = client.get("/admin/auth/user/").content.decode()
    assert "identity provider" in html and "local" in html
    assert "clinician" in html and "editor" in html
    only_provider = client.get("/admin/auth/user/?source=provider").content.decode()
    assert "prov-ada" in only_provider and "local-bob" not in only_provider


def test_deactivating_from_the_admin_is_audited_and_ends_the_session(administrator, client,
                                                                     clinician):
    from django.test import Client

    theirs = Client()
    theirs.force_login(clinician)
    assert theirs.get("/consultations/").status_code == 200
    response = client.post("/admin/auth/user/", {
        "action": "deactivate", "_selected_action": [clinician.pk]}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302
    clinician.refresh_from_db()
    assert not clinician.is_active
    [event] = AccountEvent.objects.filter(kind="deactivated")
    assert (event.user, event.by, event.address) == (clinician, administrator, "10.0.0.9")
    assert theirs.get("/consultations/").status_code == 302  # signed out at the next request


def test_the_admin_gives_a_provider_account_no_password(administrator, client, config):
    user = sign_in(config, "sub-1", ["Clin"]).user
    response = client.get(f"/admin/auth/user/{user.pk}/password/")
    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).has_usable_password()


def test_the_account_audit_cannot_be_edited_in_the_admin(administrator, client, config):
    sign_in(config, "sub-1", ["Clin"])
    event = AccountEvent.objects.first()
    assert client.get("/admin/identity/accountevent/").status_code == 200
    response = client.post(f"/admin/identity/accountevent/{event.pk}/change/", {"reason": "x"})
    assert response.status_code == 403


def test_without_the_roles_claim_the_audit_names_the_claims_that_came(db, config):
    request = RequestFactory().get("/accounts/oidc/callback/", REMOTE_ADDR="10.1.2.3")
    outcome = provider_sign_in(config=config, request=request, claims={
        "sub": "sub-9", "name": "Dee Jones", "email": "dee@example.nhs.uk"})
    assert outcome.refusal == "no_role"
    (reason,) = [r for _, r in kinds(kind="sign_in_failed")]
    assert reason == ("no_role: no 'roles' claim (request it from the provider); claims "
                      "present: email, name, sub")
    assert "Dee" not in reason and "example.nhs.uk" not in reason


def test_a_provider_sending_only_name_gives_the_account_its_name(db, config):
    user = sign_in(config, "sub-7", ["Clin"], name="Dee Jones").user
    assert user.get_full_name() == "Dee Jones"
    user = sign_in(config, "sub-7", ["Clin"], given_name="Dee", family_name="Jones",
                   name="Someone Else").user
    assert (user.first_name, user.last_name) == ("Dee", "Jones")
