"""Create a real account in one role, reading its password from standard input."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from options.identity.accounts import AccountRefused, user_create, username_free_check
from options.identity.roles import ROLES


class Command(BaseCommand):
    # Tests pass the password through call_command(..., stdin=...), never as an argument.
    stealth_options = ("stdin",)
    help = ("Create an account holding one role. The password is read from standard input "
            "when it is not a terminal, otherwise asked for twice; never given as an argument.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=f"one of: {', '.join(ROLES)}")

    def handle(self, *args, username, role, **options):
        if role not in ROLES:
            raise CommandError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
        try:
            username_free_check(username)  # before asking for a password in vain
            password = self._password(options.get("stdin") or sys.stdin)
            user_create(username=username, password=password, role=role)
        except AccountRefused as refused:
            raise CommandError("\n".join(refused.messages)) from None
        self.stdout.write(f"Created {username!r} with the role {role}.")

    def _password(self, stdin):
        if not stdin.isatty():
            return stdin.readline().rstrip("\r\n")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
