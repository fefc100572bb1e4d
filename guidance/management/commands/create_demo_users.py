"""Create the demo users, one in each role, printing fresh passwords each run."""

import secrets

from django.core.management.base import BaseCommand
from django.db import transaction

from options.identity.accounts import user_create
from options.identity.roles import CLINICIAN, EDITOR, SAFETY_OFFICER

DEMO_USERS = (
    # username, role
    ("clinician", CLINICIAN),
    ("editor", EDITOR),
    ("safety", SAFETY_OFFICER),  # the second person who approves an editor's change
)


class Command(BaseCommand):
    help = ("Create or reset a demo user in each role (the Clinician, Guidance editor and "
            "Clinical safety officer groups).")

    def handle(self, *args, **options):
        with transaction.atomic():
            passwords = []
            for username, role in DEMO_USERS:
                password = secrets.token_urlsafe(12)
                user = user_create(username=username, password=password, role=role.key,
                                   reset=True)
                # An address that never delivers: `make run` prints governance e-mail to it.
                user.email = f"{username}@example.invalid"
                user.save(update_fields=["email"])
                passwords.append((username, password))
        self.stdout.write("Demo users (passwords are shown once; rerun to reset):")
        for username, password in passwords:
            self.stdout.write(f"  {username}: {password}")
