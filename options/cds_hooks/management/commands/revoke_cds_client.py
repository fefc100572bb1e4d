"""Revoke an EHR's access to the CDS Hooks service."""

from django.core.management.base import BaseCommand, CommandError

from options.cds_hooks.models import CdsClient
from options.cds_hooks.services import cds_client_revoke


class Command(BaseCommand):
    help = "Revoke a CDS Hooks client by name: its calls get 401 from the next one on."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        client = CdsClient.objects.filter(name=name).first()
        if client is None:
            raise CommandError(f"No CDS client named {name!r}.")
        cds_client_revoke(client=client)
        self.stdout.write(f"Revoked CDS client {client.name!r}.")
