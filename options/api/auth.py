"""Who is calling: token authentication, scope permission and per-client throttling."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from options.http import throttles

from .models import ApiClient
from .selectors import api_client_by_token
from .services import api_client_touch

KEYWORD = "Token"
_BAD_TOKEN = "Invalid or revoked token."


class ApiClientAuthentication(BaseAuthentication):
    """Authenticate `Authorization: Token <prefix>.<secret>` against a live client's digest
    (api.selectors.api_client_by_token): a revoked client is refused at its next call."""

    def authenticate(self, request: Request) -> tuple[ApiClient, ApiClient] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give the token as 'Token <token>'.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_BAD_TOKEN) from None
        client = api_client_by_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed(_BAD_TOKEN)
        api_client_touch(client=client)
        return client, client

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class HasScope(BasePermission):
    """Allow a client only when it holds the view's `required_scope` (deny anyone else)."""

    message = "This client does not have the scope this operation needs."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.auth is None:
            return False
        scope = getattr(view, "required_scope", None)
        if scope and not request.auth.has_scope(scope):
            self.message = f"This client lacks the '{scope}' scope."
            return False
        return True


class ClientRateThrottle(throttles.ClientRateThrottle):
    """Allow each client BONECARE_API_THROTTLE_RATE calls per window."""

    door = "api"
    rate_setting = "BONECARE_API_THROTTLE_RATE"
