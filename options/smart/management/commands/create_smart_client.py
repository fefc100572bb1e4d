"""Register an EHR that may launch BoneCare as a SMART on FHIR app."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from options.smart.models import CLIENT_TYPES, SIGNING_ALGS
from options.smart.services import smart_client_create


class Command(BaseCommand):
    help = ("Register an EHR for SMART App Launch: its FHIR base URL (the iss it sends), the "
            "client id it issued BoneCare, and public (PKCE) or confidential asymmetric "
            "(private-key JWT with BONECARE_SMART_SIGNING_KEY).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--iss", required=True, help="the EHR's FHIR base URL")
        parser.add_argument("--client-id", required=True, help="the client id the EHR issued")
        parser.add_argument("--client-type", default="public", choices=CLIENT_TYPES)
        parser.add_argument("--signing-alg", default="", choices=("", *SIGNING_ALGS),
                            help="for a confidential asymmetric client")
        parser.add_argument("--create-accounts", action="store_true",
                            help="make a clinician account at an unknown user's first launch "
                                 "(otherwise the user must already be linked)")

    def handle(self, *args: object, name: str, iss: str, client_id: str, client_type: str,
               signing_alg: str, create_accounts: bool, **options: object) -> None:
        try:
            client = smart_client_create(name=name, iss=iss, client_id=client_id,
                                         client_type=client_type,
                                         signing_alg_name=signing_alg,
                                         may_create_accounts=create_accounts)
        except ValidationError as error:
            raise CommandError("; ".join(f"--{field.replace('_', '-')}: {'; '.join(errors)}"
                                         for field, errors in error.message_dict.items())) \
                from error
        accounts = ("made at first launch" if client.may_create_accounts
                    else "linked beforehand")
        self.stdout.write(f"Registered SMART client {client.name!r} (iss {client.iss}, client "
                          f"id {client.client_id}, {client.client_type}); accounts "
                          f"{accounts}.")
