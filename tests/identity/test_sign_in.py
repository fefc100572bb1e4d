"""Signing in: lockout by username and IP together, session limits, CSRF."""

import datetime

import pytest
import time_machine
from django.test import Client

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """Hash test passwords cheaply; the real hasher's cost is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def doctor(clinician):
    clinician.set_password(PASSWORD)
    clinician.save()
    return clinician


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def test_sign_in_page_is_public_and_signs_a_clinician_in(client, doctor):
    assert client.get("/accounts/login/").status_code == 200
    response = sign_in(client, doctor.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"  # the role's home, which sends a clinician on
    assert client.get("/")["Location"] == "/consultations/"
    assert client.get("/consultations/").status_code == 200


def test_wrong_password_shows_the_error_summary(client, doctor):
    response = sign_in(client, doctor.username, "wrong")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_username"' in html


def test_five_failures_lock_that_username_from_that_address(client, doctor):
    for _ in range(5):
        sign_in(client, doctor.username, "wrong")
    locked = sign_in(client, doctor.username, PASSWORD)
    assert locked.status_code == 429
    assert "Sign-in is locked" in locked.content.decode()


def test_an_attacker_cannot_lock_out_the_same_user_elsewhere(doctor):
    attacker = Client()
    for _ in range(6):
        sign_in(attacker, doctor.username, "wrong", ip="203.0.113.9")
    assert sign_in(Client(), doctor.username, PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, doctor):
    with time_machine.travel(datetime.datetime(2030, 1, 1, 9, 0, tzinfo=datetime.UTC),
                             tick=False) as traveller:
        for _ in range(5):
            sign_in(client, doctor.username, "wrong")
        assert sign_in(client, doctor.username, PASSWORD).status_code == 429
        traveller.shift(datetime.timedelta(minutes=16))
        assert sign_in(client, doctor.username, PASSWORD).status_code == 302


def test_the_session_ends_after_thirty_minutes_idle(client, doctor):
    with time_machine.travel(datetime.datetime(2030, 1, 1, 9, 0, tzinfo=datetime.UTC),
                             tick=False) as traveller:
        sign_in(client, doctor.username, PASSWORD)
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get("/consultations/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get("/consultations/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get("/consultations/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_session_ends_after_twelve_hours_however_active(client, doctor):
    with time_machine.travel(datetime.datetime(2030, 1, 1, 8, 0, tzinfo=datetime.UTC),
                             tick=False) as traveller:
        sign_in(client, doctor.username, PASSWORD)
        for _ in range(12 * 60 // 20 - 1):
            traveller.shift(datetime.timedelta(minutes=20))
            assert client.get("/consultations/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=21))
        assert client.get("/consultations/").status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(clinician_client):
    assert clinician_client.get("/accounts/logout/").status_code == 405
    assert clinician_client.post("/accounts/logout/").status_code == 302
    assert clinician_client.get("/consultations/").status_code == 302


@pytest.mark.parametrize("path", ["/accounts/login/", "/consultations/new/", "/consultations/"])
def test_posts_without_a_csrf_token_are_refused(clinician, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician)
    assert client.post(path, {"q": "x"}).status_code == 403


def test_the_admin_sign_in_has_the_same_lockout(client, guidance_editor):
    guidance_editor.set_password(PASSWORD)
    guidance_editor.save()

    def admin_sign_in(password):
        return client.post("/admin/login/?next=/admin/",
                           {"username": guidance_editor.username, "password": password},
                           REMOTE_ADDR="10.0.0.7")

    for _ in range(4):
        assert admin_sign_in("wrong").status_code == 200
    assert admin_sign_in("wrong").status_code == 429  # the fifth failure locks
    assert admin_sign_in(PASSWORD).status_code == 429
    assert client.get("/admin/guidance/rule/").status_code == 302  # still signed out
    site = sign_in(Client(), guidance_editor.username, PASSWORD, ip="10.0.0.7")
    assert site.status_code == 429  # the same lock holds on the site sign-in
