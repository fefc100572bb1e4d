"""Revoke a client of either machine door: an API client's token, or an EHR's access to
the CDS Hooks service."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from options.http.clients import client_revoke

# The door named on the command line -> its client model.
DOORS = {"api": "api.ApiClient", "cds": "cds_hooks.CdsClient"}


class Command(BaseCommand):
    help = ("Revoke a client by door and name (api: an API client; cds: a CDS Hooks EHR): "
            "its calls get 401 from its next call on.")

    def add_arguments(self, parser):
        parser.add_argument("door", choices=sorted(DOORS))
        parser.add_argument("name")

    def handle(self, *args, door, name, **options):
        client = apps.get_model(DOORS[door]).objects.filter(name=name).first()
        if client is None:
            raise CommandError(f"No {door} client named {name!r}.")
        client_revoke(client=client)
        self.stdout.write(f"Revoked {door} client {client.name!r}.")
