"""Register an EHR that calls the CDS Hooks service, with its public keys."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from options.cds_hooks.hooks import SERVICE_IDS
from options.cds_hooks.services import cds_client_create


class Command(BaseCommand):
    help = ("Register an EHR for CDS Hooks: its JWT issuer (iss), its JWK Set of public keys "
            "(a file, or a URL fetched and cached), and the services it may call.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--iss", required=True, help="the iss claim of the EHR's JWTs")
        keys = parser.add_mutually_exclusive_group(required=True)
        keys.add_argument("--jwks", help="path of a JWK Set JSON file (public keys)")
        keys.add_argument("--jwks-url", default="", help="URL the EHR serves its JWK Set at")
        parser.add_argument("--fhir-server", default="",
                            help="the EHR's FHIR base URL: an absent prefetch is fetched only "
                                 "from there (default: never fetched)")
        parser.add_argument("--services", default=",".join(SERVICE_IDS),
                            help=f"comma-separated, from: {', '.join(SERVICE_IDS)} (default: "
                                 "all)")

    def handle(self, *args: object, name: str, iss: str, jwks: str | None, jwks_url: str,
               services: str, fhir_server: str, **options: object) -> None:
        key_set = _read_jwks(jwks) if jwks else None
        wanted = [s.strip() for s in services.split(",") if s.strip()]
        try:
            client = cds_client_create(name=name, iss=iss, jwks=key_set, jwks_url=jwks_url,
                                       services=wanted, fhir_server=fhir_server)
        except ValidationError as error:
            raise CommandError("; ".join(f"{field}: {'; '.join(errors)}" for field, errors
                                         in error.message_dict.items())) from error
        kids = [k.get("kid", "?") for k in (key_set or {}).get("keys", [])]
        self.stdout.write(f"Registered CDS client {client.name!r} (iss {client.iss}) for "
                          f"{', '.join(client.services) or 'no services'}; keys: "
                          f"{', '.join(kids) or client.jwks_url}.")


def _read_jwks(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"--jwks: cannot read a JSON file at {path} ({error})") from error
    if any("d" in key for key in data.get("keys", []) if isinstance(key, dict)):
        raise CommandError("--jwks: the file holds a private key; give the public keys only")
    return data
