"""Shared personas: a clinician, a guidance editor, a clinical safety officer and an anonymous
visitor."""

import os

# Set before Django reads its settings. DJANGO_SETTINGS_MODULE lives here, not in
# pyproject.toml: from there pytest-django would load settings before this file runs.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bonecare.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Hashing a password as production does (PBKDF2, a million rounds) is slow by design, and the
# suite creates a user for most tests: here a fast hasher comes first. Passwords set by a
# test still check as they would in production; servers started as separate processes keep
# production's hashers and only ever see users they create themselves.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                             *settings.PASSWORD_HASHERS]

import pytest  # noqa: E402
from django.contrib.auth.models import Group, Permission  # noqa: E402

from options.identity.roles import CLINICIAN, EDITOR, SAFETY_OFFICER, roles_sync  # noqa: E402


def user_in_role(django_user_model, *, username, role):
    """Create a user who holds the role, with its permissions and admin access."""
    # The roles' migration made the groups, but live_server tests flush every table.
    roles_sync(group_model=Group, permission_model=Permission)
    user = django_user_model.objects.create_user(
        username=username, password="not-used", is_staff=role.is_staff
    )
    user.groups.add(Group.objects.get(name=role.group))
    return user


@pytest.fixture
def clinician(db, django_user_model):
    """A clinician who runs consultations."""
    return user_in_role(django_user_model, username="dr_test", role=CLINICIAN)


@pytest.fixture
def guidance_editor(db, django_user_model):
    """A guidance editor who maintains rulesets through the admin."""
    return user_in_role(django_user_model, username="editor_test", role=EDITOR)


@pytest.fixture
def safety_officer(db, django_user_model):
    """A clinical safety officer: the second person who approves a guidance change."""
    return user_in_role(django_user_model, username="cso_test", role=SAFETY_OFFICER)


@pytest.fixture
def clinician_client(clinician, client):
    """A browser logged in as the clinician."""
    client.force_login(clinician)
    return client


@pytest.fixture
def guidance_editor_client(guidance_editor, client):
    """A browser logged in as the guidance editor."""
    client.force_login(guidance_editor)
    return client


@pytest.fixture
def anonymous_client(client):
    """A browser with no session."""
    return client


@pytest.fixture
def published_ruleset(db):
    """The shipped default ruleset, published."""
    from guidance.services import default_ruleset_data, ruleset_import

    return ruleset_import(data=default_ruleset_data(), publish_if_none=True)


@pytest.fixture
def ehr_client(db):
    """An EHR system calling the REST API with a token holding every scope."""
    from rest_framework.test import APIClient

    from options.api.scopes import SCOPES
    from options.api.services import api_client_create

    client_row, token = api_client_create(name="Test EHR", scopes=SCOPES)
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    http.api_client = client_row
    http.token = token
    return http


# The browser tests' fixtures (one Chromium per module, a signed-in page, the five options),
# for every module that sets pytestmark = tests.browser.BROWSER_TESTS.
from tests.browser import browser, page, treatment_options  # noqa: E402, F401
