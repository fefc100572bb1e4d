"""Roles are data: migrate makes them, and create_user gives a real account one of them."""

import importlib
import io
import types

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from options.identity.roles import CLINICIAN, EDITOR, ROLES, SAFETY_OFFICER
from options.management.commands.create_user import Command

pytestmark = pytest.mark.django_db

STRONG = "plaster-quinine-harbour-41"
roles_migration = importlib.import_module("options.migrations.0007_roles")
safety_migration = importlib.import_module("options.migrations.0010_safety_officer_role")
records_migration = importlib.import_module(
    "options.migrations.0012_roles_hold_no_patient_records")
resync_migration = importlib.import_module(
    "options.migrations.0011_roles_for_versioned_code_lists")


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """Hash test passwords cheaply; the real hasher's cost is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def group_permissions(role):
    group = Group.objects.get(name=role.group)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def create_user(*args, stdin):
    out = io.StringIO()
    stdin = stdin if isinstance(stdin, io.StringIO) else io.StringIO(stdin)
    call_command("create_user", *args, stdin=stdin, stdout=out)
    return out.getvalue()


def call_command_from_argv(*args):
    Command().run_from_argv(["manage.py", "create_user", *args])


class Terminal(io.StringIO):
    """Standard input that says it is a terminal, so the command asks with getpass."""

    def isatty(self):
        return True


@pytest.mark.parametrize("role", ROLES.values(), ids=ROLES)
def test_migrate_alone_makes_each_role_group_with_its_permissions(role):
    assert group_permissions(role) == set(role.permissions)


def test_the_editor_role_keeps_its_guidance_permissions_and_no_more():
    assert "guidance.delete_rule" in EDITOR.permissions
    assert "guidance.delete_ruleset" not in EDITOR.permissions
    assert "guidance.delete_guidancedocument" not in EDITOR.permissions
    assert not any(name.startswith("options.") for name in EDITOR.permissions)


def test_a_clinician_holds_no_model_permission_the_admin_would_honour():
    # The pages check the role and each record's owner (options/web/views/access.py).
    assert CLINICIAN.permissions == ()


def test_the_roles_migration_reverses_and_reapplies():
    editor = Group.objects.get(name=EDITOR.group)
    editor.permissions.clear()
    schema_editor = types.SimpleNamespace(connection=connection)
    roles_migration.roles_remove(django_apps, schema_editor)
    then = [ROLES[key].group for key in roles_migration.ROLES_THEN]
    assert not Group.objects.filter(name__in=then).exists()
    roles_migration.roles_create(django_apps, schema_editor)
    resync_migration.roles_resync(django_apps, schema_editor)
    assert group_permissions(EDITOR) == set(EDITOR.permissions)


def test_the_resync_migration_gives_each_role_exactly_its_permissions():
    Group.objects.get(name=EDITOR.group).permissions.clear()
    resync_migration.roles_resync(django_apps, types.SimpleNamespace(connection=connection))
    for role in ROLES.values():
        assert group_permissions(role) == set(role.permissions), role.key
    assert {"guidance.add_codelistentry", "guidance.change_codelistentry"} <= set(
        EDITOR.permissions)


def test_the_safety_officer_migration_reverses_and_reapplies():
    schema_editor = types.SimpleNamespace(connection=connection)
    safety_migration.role_remove(django_apps, schema_editor)
    assert not Group.objects.filter(name=SAFETY_OFFICER.group).exists()
    assert Group.objects.filter(name=EDITOR.group).exists()
    safety_migration.role_create(django_apps, schema_editor)
    assert group_permissions(SAFETY_OFFICER) == set(SAFETY_OFFICER.permissions)


def test_the_records_migration_reverses_and_reapplies():
    schema_editor = types.SimpleNamespace(connection=connection)
    records_migration.roles_restore(django_apps, schema_editor)
    assert group_permissions(CLINICIAN) == {"options.add_consultation",
                                            "options.view_consultation"}
    assert "guidance.view_governanceevent" not in group_permissions(SAFETY_OFFICER)
    records_migration.roles_resync(django_apps, schema_editor)
    assert group_permissions(CLINICIAN) == set()
    assert group_permissions(SAFETY_OFFICER) == set(SAFETY_OFFICER.permissions)


def test_the_safety_officer_reviews_but_edits_nothing():
    assert "guidance.review_ruleset" in SAFETY_OFFICER.permissions
    assert "guidance.view_governanceevent" in SAFETY_OFFICER.permissions
    assert "guidance.review_ruleset" not in EDITOR.permissions
    assert not any(name.split(".")[1].startswith(("add_", "change_", "delete_"))
                   for name in SAFETY_OFFICER.permissions)


def test_a_created_safety_officer_signs_in_to_the_admin(client, published_ruleset):
    output = create_user("cso_real", "--role", "safety_officer", stdin=STRONG)
    assert "Created 'cso_real' with the role safety_officer" in output
    user = get_user_model().objects.get(username="cso_real")
    assert user.is_staff and user.groups.filter(name="Clinical safety officer").exists()
    assert client.post("/admin/login/", {"username": "cso_real", "password": STRONG}
                       ).status_code == 302
    assert client.get("/admin/guidance/ruleset/").status_code == 200
    assert client.get("/consultations/new/").status_code == 403


def test_a_created_clinician_signs_in_and_opens_a_new_consultation(client):
    output = create_user("dr_real", "--role", "clinician", stdin=STRONG + "\n")
    assert "Created 'dr_real'" in output and STRONG not in output
    user = get_user_model().objects.get(username="dr_real")
    assert not user.is_staff
    signed_in = client.post("/accounts/login/", {"username": "dr_real", "password": STRONG})
    assert signed_in.status_code == 302
    assert client.get("/consultations/new/").status_code == 200


def test_a_created_editor_signs_in_to_the_admin_rules_console(client, published_ruleset):
    create_user("ed_real", "--role", "editor", stdin=STRONG)
    assert get_user_model().objects.get(username="ed_real").is_staff
    signed_in = client.post("/admin/login/", {"username": "ed_real", "password": STRONG})
    assert signed_in.status_code == 302
    assert client.get("/admin/guidance/ruleset/").status_code == 200
    assert client.get(f"/admin/guidance/ruleset/{published_ruleset.pk}/test/").status_code == 200
    assert client.get("/consultations/new/").status_code == 403


def test_create_user_recreates_a_group_that_a_flush_emptied():
    Group.objects.all().delete()
    create_user("dr_after_flush", "--role", "clinician", stdin=STRONG)
    assert group_permissions(CLINICIAN) == set(CLINICIAN.permissions)


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("taken", "--role", "clinician"), STRONG, "already exists"),
    (("newname", "--role", "surgeon"), STRONG, "Unknown role 'surgeon'"),
    (("newname", "--role", "clinician"), "", "password is empty"),
    (("newname", "--role", "clinician"), "password", "too common"),
    (("newname", "--role", "editor"), "12345678", "entirely numeric"),
    (("newname", "--role", "clinician"), "newname1", "too similar"),
    (("bad name!", "--role", "clinician"), STRONG, "username"),
], ids=["existing", "unknown-role", "empty", "common", "numeric", "like-username",
        "bad-username"])
def test_create_user_refuses_with_a_message(django_user_model, args, stdin, message):
    django_user_model.objects.create_user(username="taken", password=STRONG)
    with pytest.raises(CommandError, match=message) as refused:
        create_user(*args, stdin=stdin)
    assert refused.value.returncode != 0
    assert not django_user_model.objects.filter(username=args[0]).exclude(
        username="taken").exists()


def test_create_user_run_from_argv_exits_non_zero_on_refusal(django_user_model):
    django_user_model.objects.create_user(username="taken", password=STRONG)
    with pytest.raises(SystemExit) as stopped:
        call_command_from_argv("taken", "--role", "clinician")
    assert stopped.value.code != 0


@pytest.mark.parametrize("flag", ["--password", "-p"])
def test_create_user_takes_no_password_argument(flag):
    with pytest.raises(CommandError):
        create_user("dr_flag", "--role", "clinician", flag, STRONG, stdin=STRONG)
    assert not get_user_model().objects.filter(username="dr_flag").exists()


def test_at_a_terminal_the_password_is_asked_twice(monkeypatch):
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    create_user("dr_tty", "--role", "clinician", stdin=Terminal())
    assert get_user_model().objects.get(username="dr_tty").check_password(STRONG)


def test_at_a_terminal_two_different_passwords_are_refused(monkeypatch):
    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="differ"):
        create_user("dr_tty", "--role", "clinician", stdin=Terminal())
