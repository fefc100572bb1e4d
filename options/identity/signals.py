"""Audit every sign-in and failed local sign-in, whichever page it came through."""

from collections.abc import Mapping

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import AbstractUser
from django.http import HttpRequest

from .audit import event_record
from .backends import PROVIDER_BACKEND
from .models import ProviderIdentity


def sign_in_record(sender: type[AbstractUser], request: HttpRequest, user: AbstractUser,
                   **kwargs: object) -> None:
    """Record a successful sign-in, local or through the provider."""
    provider = request.session.get(BACKEND_SESSION_KEY) == PROVIDER_BACKEND
    identity = ProviderIdentity.objects.filter(user=user).first() if provider else None
    subject = identity.subject if identity else ""
    event_record(kind="sign_in", request=request, user=user,
                 source="provider" if provider else "local", subject=subject)


def sign_in_failure_record(sender: str, credentials: Mapping[str, object],
                           request: HttpRequest | None = None, **kwargs: object) -> None:
    """Record a refused password (or a locked-out username); never the password."""
    locked = getattr(request, "axes_locked_out", False)
    event_record(kind="sign_in_failed", request=request, source="local",
                 username=str(credentials.get("username", "")),
                 reason="locked out" if locked else "password refused")
