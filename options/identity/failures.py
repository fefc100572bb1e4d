"""A refused sign-in at the provider's round trip: a clear page and an audit row."""

import datetime
import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)

from .audit import client_address, event_record
from .client import ProviderMisconfigured
from .models import AccountEvent
from .tokens import IdentityUnproven

log = logging.getLogger(__name__)

FAILURES_PER_MINUTE = 20
PROVIDER_ERRORS = (AuthlibBaseError, JoseError, IdentityUnproven, ProviderMisconfigured,
                   requests.RequestException)

# What the person is told, by what went wrong; the audit row keeps the precise reason.
START_AGAIN = ("This sign-in could not be matched to one started in this browser. It may have "
               "been started in another tab, taken too long, or been tampered with.")
CODE_REFUSED = ("Your organisation's sign-in service refused to complete this sign-in. "
                "Its one-time code may already have been used or have expired.")
PROVIDER_REFUSED = ("Your organisation's sign-in service did not sign you in: the sign-in may "
                    "have been cancelled, or the service refused it.")
TOKEN_REFUSED = ("BoneCare could not verify the identity your organisation's sign-in service "
                 "sent, so it has not signed you in.")
TOO_MANY = ("There have been too many unfinished sign-ins from this device in the last minute. "
            "Wait a minute before you try again.")
UNREACHABLE = ("Your organisation's sign-in service could not be reached, or answered in a "
               "way BoneCare does not accept.")


def failure_reason(error: Exception) -> tuple[str, str, int]:
    """Return (audit reason, message for the person, HTTP status) for a refused sign-in."""
    if isinstance(error, MismatchingStateError):
        return "state mismatch", START_AGAIN, 400
    if isinstance(error, ExpiredTokenError):
        return "ID token expired", TOKEN_REFUSED, 400
    if isinstance(error, ClaimError):
        return f"ID token claim {error.claim}: {error.error}", TOKEN_REFUSED, 400
    if isinstance(error, (BadSignatureError, InvalidKeyIdError)):
        return f"ID token signature: {error.error}", TOKEN_REFUSED, 400
    if isinstance(error, JoseError):
        return f"ID token: {error.error}", TOKEN_REFUSED, 400
    if isinstance(error, IdentityUnproven):
        return error.reason, TOKEN_REFUSED, 400
    if isinstance(error, AuthlibBaseError):
        message = CODE_REFUSED if error.error == "invalid_grant" else PROVIDER_REFUSED
        return f"provider error: {str(error.error)[:60]}", message, 400
    return f"provider unavailable: {type(error).__name__}", UNREACHABLE, 503


def failure_response(request: HttpRequest, error: Exception, *, subject: str) -> HttpResponse:
    """Record the refusal and answer the page that explains it.

    Anybody can call the callback, so refusals are recorded at most FAILURES_PER_MINUTE times
    a minute per client address; beyond that the answer is 429 and one log line, so that a
    flood cannot grow the audit table without bound.
    """
    reason, message, status = failure_reason(error)
    address = client_address(request)
    if _flooding(address):
        log.warning("Provider sign-in refused, not audited (too many from one address): %s",
                    reason)
        return render(request, "identity/sign_in_failed.html", {"message": TOO_MANY},
                      status=429)
    log.warning("Provider sign-in refused: %s", reason)
    event_record(kind="sign_in_failed", request=request, source="provider", subject=subject,
                 reason=reason)
    return render(request, "identity/sign_in_failed.html", {"message": message}, status=status)


def _flooding(address: str | None) -> bool:
    since = timezone.now() - datetime.timedelta(minutes=1)
    recent = AccountEvent.objects.filter(kind="sign_in_failed", source="provider",
                                         address=address, at__gte=since)
    return recent.count() >= FAILURES_PER_MINUTE
