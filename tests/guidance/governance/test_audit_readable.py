"""The governance audit is read by guidance editors and safety officers, and written by nobody
through the admin, a superuser included: every add, change or delete is refused and changes
nothing."""

import importlib
import types

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client

from guidance.governance import ruleset_submit
from guidance.models import GovernanceEvent
from guidance.services import ruleset_create_draft
from options.identity.roles import EDITOR

pytestmark = pytest.mark.django_db
AUDIT = "/admin/guidance/governanceevent/"
SUMMARY = "Wording of BP-SAFE-02 only"
audit_migration = importlib.import_module(
    "options.migrations.0014_editors_read_the_governance_audit")


@pytest.fixture
def event(published_ruleset, guidance_editor):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    return GovernanceEvent.objects.get(action="submit")


@pytest.fixture(params=["editor", "safety_officer", "superuser"])
def reader(request, guidance_editor, safety_officer, django_user_model):
    """Each who reads the audit; a superuser, who holds every permission, writes it no more."""
    browser = Client()
    browser.force_login({"editor": guidance_editor, "safety_officer": safety_officer}.get(
        request.param) or django_user_model.objects.create_superuser("root", password="x"))
    return browser


def test_editors_and_safety_officers_read_the_audit(event, reader):
    listing = reader.get(AUDIT)
    assert listing.status_code == 200 and SUMMARY in listing.content.decode()
    page = reader.get(f"{AUDIT}{event.pk}/change/")
    assert page.status_code == 200 and SUMMARY in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # shown, not a form to save
    assert reader.get(f"{AUDIT}{event.pk}/history/").status_code == 200


def test_nobody_in_either_role_writes_the_audit(event, reader):
    before = {row["id"]: row for row in GovernanceEvent.objects.values()}
    forged = {**model_to_dict(event), "detail": "nothing was submitted", "outcome": "refused"}
    forged = {k: v for k, v in forged.items() if v is not None}
    attempts = [
        reader.post(f"{AUDIT}{event.pk}/change/", forged),
        reader.post(f"{AUDIT}{event.pk}/delete/", {"post": "yes"}),
        reader.get(f"{AUDIT}{event.pk}/delete/"),
        reader.post(f"{AUDIT}add/", forged),
        reader.get(f"{AUDIT}add/"),
    ]
    assert [response.status_code for response in attempts] == [403] * 5
    # The changelist offers no bulk delete; asking for it anyway removes nothing.
    reader.post(AUDIT, {"action": "delete_selected", "_selected_action": [event.pk],
                        "post": "yes"})
    assert {row["id"]: row for row in GovernanceEvent.objects.values()} == before


def test_a_clinician_cannot_read_the_audit(event, clinician_client):
    assert clinician_client.get(AUDIT).status_code != 200


def test_the_editors_audit_migration_reverses_and_reapplies():
    schema_editor = types.SimpleNamespace(connection=connection)
    group = Group.objects.get(name=EDITOR.group)
    audit_migration.audit_unread(django_apps, schema_editor)
    assert not group.permissions.filter(codename="view_governanceevent").exists()
    audit_migration.roles_resync(django_apps, schema_editor)
    assert group.permissions.filter(codename="view_governanceevent").exists()
