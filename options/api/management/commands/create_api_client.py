"""Create an API client and print its token, once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from options.api.scopes import SCOPES
from options.api.services import api_client_create


class Command(BaseCommand):
    help = ("Create an API client for an EHR system and print its token (shown only once; "
            "only a digest is stored).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--scopes", default="",
                            help=f"comma-separated, from: {', '.join(SCOPES)}")

    def handle(self, *args: object, name: str, scopes: str, **options: object) -> None:
        wanted = [s.strip() for s in scopes.split(",") if s.strip()]
        try:
            client, token = api_client_create(name=name, scopes=wanted)
        except ValidationError as error:
            messages = [f"{field}: {'; '.join(errs)}"
                        for field, errs in error.message_dict.items()]
            raise CommandError("; ".join(messages)) from error
        self.stderr.write(f"Created API client {client.name!r} with scopes "
                          f"{', '.join(client.scopes) or '(none)'}. The token is shown once:")
        self.stdout.write(token)
