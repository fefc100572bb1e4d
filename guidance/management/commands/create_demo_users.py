"""Create the demo groups and users, printing fresh passwords each run."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

CLINICIAN_GROUP = "Clinician"
EDITOR_GROUP = "Guidance editor"
EDITOR_MODELS = ("guidancedocument", "ruleset", "rule", "scenario")
EDITOR_ACTIONS = ("add", "change", "view")

DEMO_USERS = (
    # username, group, is_staff
    ("clinician", CLINICIAN_GROUP, False),
    ("editor", EDITOR_GROUP, True),
)


def editor_permissions():
    """Return add, change and view on the guidance models, and removing a draft's rules.

    Published and retired rulesets never change, whatever the permission: the admin and
    guidance.services refuse it.
    """
    codenames = [f"{action}_{model}" for model in EDITOR_MODELS for action in EDITOR_ACTIONS]
    codenames.append("delete_rule")
    return Permission.objects.filter(content_type__app_label="guidance", codename__in=codenames)


def groups_ensure():
    """Create the demo groups if missing and set the editor group's permissions."""
    Group.objects.get_or_create(name=CLINICIAN_GROUP)
    editors, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    editors.permissions.set(editor_permissions())


def user_reset(*, username, group_name, is_staff):
    """Create or update one demo user with a new random password and return the password."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_staff = is_staff
    user.is_active = True
    user.save()
    user.groups.add(Group.objects.get(name=group_name))
    return password


class Command(BaseCommand):
    help = "Create the Clinician and Guidance editor groups and a demo user in each."

    def handle(self, *args, **options):
        with transaction.atomic():
            groups_ensure()
            passwords = [
                (username, user_reset(username=username, group_name=group, is_staff=staff))
                for username, group, staff in DEMO_USERS
            ]
        self.stdout.write("Demo users (passwords are shown once; rerun to reset):")
        for username, password in passwords:
            self.stdout.write(f"  {username}: {password}")
