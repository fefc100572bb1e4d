"""A home per role after signing in, and no redirect loop for anyone: a clinician lands on
their consultations, a guidance editor or clinical safety officer on the rules console, and a
clinician who opens the admin is told it is not theirs."""

import pytest
from django.test import Client

from options.identity.roles import CLINICIAN, EDITOR, SAFETY_OFFICER
from tests.conftest import user_in_role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _signed_in(django_user_model, role, name):
    user = user_in_role(django_user_model, username=name, role=role)
    user.set_password(PASSWORD)
    user.save()
    browser = Client()
    response = browser.post("/accounts/login/", {"username": name, "password": PASSWORD},
                            REMOTE_ADDR="10.0.0.9", follow=True)
    return browser, response


@pytest.mark.parametrize(("role", "home"), [
    (CLINICIAN, "/consultations/"),
    (EDITOR, "/admin/guidance/ruleset/"),
    (SAFETY_OFFICER, "/admin/guidance/ruleset/"),
], ids=lambda v: getattr(v, "key", v))
def test_each_role_lands_on_its_own_page(db, django_user_model, published_ruleset, role,
                                         home):
    _, response = _signed_in(django_user_model, role, f"user_{role.key}")
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == home


def test_a_clinician_opening_the_admin_is_told_it_is_not_theirs(db, django_user_model):
    browser, _ = _signed_in(django_user_model, CLINICIAN, "doc")
    response = browser.get("/admin/", follow=True)
    assert response.status_code == 403 and len(response.redirect_chain) <= 2
    assert "The rules console is for guidance editors" in response.content.decode()


def test_someone_without_a_role_is_told_so(db, django_user_model, client):
    user = django_user_model.objects.create_user("nobody", password=PASSWORD)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert "You do not have access to BoneCare" in response.content.decode()
