"""Register an EHR that calls the CDS Hooks service, with its public keys."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from options.cds_hooks.hooks import SERVICE_IDS
from options.cds_hooks.services import cds_client_create
from options.smart.models import SmartClient


class Command(BaseCommand):
    help = ("Register an EHR for CDS Hooks: its JWT issuer (iss), its JWK Set of public keys "
            "(a file, or a URL fetched and cached), the services it may call and, optionally, the "
            "same EHR's SMART launch registration.")

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
        parser.add_argument("--smart-client", default="", metavar="NAME",
                            help="the name of the same EHR's live SMART launch registration: "
                                 "its cards then open BoneCare by a SMART launch (default: "
                                 "a plain link)")

    def handle(self, *args: object, name: str, iss: str, jwks: str | None, jwks_url: str,
               services: str, fhir_server: str, smart_client: str,
               **options: object) -> None:
        key_set = _read_jwks(jwks) if jwks else None
        smart = _smart_registration(smart_client) if smart_client else None
        wanted = [s.strip() for s in services.split(",") if s.strip()]
        try:
            client = cds_client_create(name=name, iss=iss, jwks=key_set, jwks_url=jwks_url,
                                       services=wanted, fhir_server=fhir_server,
                                       smart_client=smart)
        except ValidationError as error:
            raise CommandError("; ".join(f"{field}: {'; '.join(errors)}" for field, errors
                                         in error.message_dict.items())) from error
        kids = [k.get("kid", "?") for k in (key_set or {}).get("keys", [])]
        self.stdout.write(f"Registered CDS client {client.name!r} (iss {client.iss}) for "
                          f"{', '.join(client.services) or 'no services'}; keys: "
                          f"{', '.join(kids) or client.jwks_url}"
                          + (f"; opens BoneCare by SMART launch ({smart.name})." if smart
                             else "."))


def _read_jwks(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"--jwks: cannot read a JSON file at {path} ({error})") from error
    if any("d" in key for key in data.get("keys", []) if isinstance(key, dict)):
        raise CommandError("--jwks: the file holds a private key; give the public keys only")
    return data


def _smart_registration(name: str) -> SmartClient:
    smart = SmartClient.objects.filter(name=name).first()
    if smart is None:
        raise CommandError(f"--smart-client: no SMART registration is named {name!r} "
                           f"(create_smart_client registers one)")
    if smart.revoked_at is not None:
        raise CommandError(f"--smart-client: the SMART registration {name!r} is revoked")
    return smart
