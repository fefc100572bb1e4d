"""The authentication backend that holds sessions begun at the identity provider."""

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

PROVIDER_BACKEND = "options.identity.backends.ProviderBackend"


class ProviderBackend(ModelBackend):
    """Keep a provider-signed-in user's session and answer permission checks; check no password.

    The sign-in itself is the callback view's, which calls login() with this backend after
    the ID token has been verified. An account deactivated here loses its session at its next
    request (ModelBackend.get_user refuses an inactive user).
    """

    def authenticate(self, request: HttpRequest | None, **credentials: object) -> None:
        return None
