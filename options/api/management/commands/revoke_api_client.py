"""Revoke an API client's token."""

from django.core.management.base import BaseCommand, CommandError

from options.api.models import ApiClient
from options.api.services import api_client_revoke


class Command(BaseCommand):
    help = "Revoke an API client's token; its calls get 401 from then on."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        client = ApiClient.objects.filter(name=name).first()
        if client is None:
            raise CommandError(f"no API client named {name!r}")
        api_client_revoke(client=client)
        self.stdout.write(f"Revoked {client.name}.")
