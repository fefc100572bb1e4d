"""create_demo_users sets up the two personas and can be run again safely."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from options.identity.roles import CLINICIAN, EDITOR, SAFETY_OFFICER

pytestmark = pytest.mark.django_db


def create_demo_users():
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    return out.getvalue()


def printed_password(output, username):
    for line in output.splitlines():
        if line.strip().startswith(f"{username}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no password printed for {username}")


def test_creates_clinician_and_editor_in_their_groups():
    output = create_demo_users()
    User = get_user_model()
    clinician = User.objects.get(username="clinician")
    editor = User.objects.get(username="editor")
    assert list(clinician.groups.values_list("name", flat=True)) == [CLINICIAN.group]
    assert list(editor.groups.values_list("name", flat=True)) == [EDITOR.group]
    assert editor.is_staff and not clinician.is_staff
    assert clinician.check_password(printed_password(output, "clinician"))
    assert editor.check_password(printed_password(output, "editor"))


def test_creates_a_safety_officer_to_approve_the_editors_changes():
    output = create_demo_users()
    officer = get_user_model().objects.get(username="safety")
    assert list(officer.groups.values_list("name", flat=True)) == [SAFETY_OFFICER.group]
    assert officer.is_staff and officer.has_perm("guidance.review_ruleset")
    assert not officer.has_perm("guidance.change_rule")
    assert officer.check_password(printed_password(output, "safety"))


def test_guidance_editor_may_edit_rules_but_not_delete_rulesets_or_documents():
    create_demo_users()
    editor = get_user_model().objects.get(username="editor")
    for perm in ("add_rule", "change_rule", "view_rule", "change_ruleset", "view_scenario"):
        assert editor.has_perm(f"guidance.{perm}")
    assert editor.has_perm("guidance.delete_rule")
    assert not editor.has_perm("guidance.delete_ruleset")
    assert not editor.has_perm("guidance.delete_guidancedocument")
    assert not editor.has_perm("options.view_consultation")


def test_clinician_has_no_guidance_permissions():
    create_demo_users()
    clinician = get_user_model().objects.get(username="clinician")
    assert not clinician.has_perm("guidance.change_rule")


def test_running_again_resets_passwords_without_duplicates():
    first = create_demo_users()
    second = create_demo_users()
    User = get_user_model()
    assert User.objects.filter(username__in=["clinician", "editor"]).count() == 2
    assert Group.objects.filter(name__in=[CLINICIAN.group, EDITOR.group]).count() == 2
    assert printed_password(first, "editor") != printed_password(second, "editor")
    editor = User.objects.get(username="editor")
    assert editor.check_password(printed_password(second, "editor"))
    assert editor.groups.count() == 1
