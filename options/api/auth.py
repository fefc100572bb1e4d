"""Who is calling: token authentication, scope permission and per-client throttling."""

import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from .models import ApiClient
from .services import api_client_touch, token_digest, token_prefix
from .throttling import anonymous_calls_in_window, client_authenticate_counted

KEYWORD = "Token"
_BAD_TOKEN = "Invalid or revoked token."


class ApiClientAuthentication(BaseAuthentication):
    """Authenticate `Authorization: Token <prefix>.<secret>` against a client's digest, and
    count the call in the client's throttle window in the same statement
    (throttling.client_authenticate_counted); ClientRateThrottle then reads the count."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give the token as 'Token <token>'.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_BAD_TOKEN) from None
        _, period = parse_rate(settings.BONECARE_API_THROTTLE_RATE)
        client = client_authenticate_counted(prefix=token_prefix(token),
                                             digest=token_digest(token), period=period,
                                             window_index=int(time.time() // period))
        if client is None:
            raise exceptions.AuthenticationFailed(_BAD_TOKEN)
        api_client_touch(client=client)
        return client, client

    def authenticate_header(self, request):
        return KEYWORD


class IsApiClient(BasePermission):
    """Deny anyone without a valid client token."""

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiClient)


class HasScope(IsApiClient):
    """Allow a client only when it holds the view's `required_scope`."""

    message = "This client does not have the scope this operation needs."

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        scope = getattr(view, "required_scope", None)
        if scope and not request.auth.has_scope(scope):
            self.message = f"This client lacks the '{scope}' scope."
            return False
        return True


def parse_rate(rate):
    """Turn '600/min' into (600, 60)."""
    count, _, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[:1]]
    return int(count), seconds


class _WindowThrottle(BaseThrottle):
    """Allow `rate` calls per fixed window of a counter that every worker shares."""

    rate_setting = ""

    def allow_request(self, request, view):
        limit, period = parse_rate(getattr(settings, self.rate_setting))
        now = time.time()
        window_index = int(now // period)
        self.wait_seconds = period - (now - window_index * period)
        return self.count(request, period, window_index) <= limit

    def count(self, request, period, window_index):
        raise NotImplementedError

    def wait(self):
        return self.wait_seconds


class ClientRateThrottle(BaseThrottle):
    """Allow each client BONECARE_API_THROTTLE_RATE calls per fixed window, counted by
    ApiClientAuthentication in storage every worker shares (see throttling)."""

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiClient):
            return True
        limit, period = parse_rate(settings.BONECARE_API_THROTTLE_RATE)
        self.wait_seconds = period - time.time() % period
        return request.auth.calls_in_window <= limit

    def wait(self):
        return self.wait_seconds


class AnonymousRateThrottle(_WindowThrottle):
    """Count calls without a valid token per client address (the address django-axes uses,
    behind DJANGO_TRUSTED_PROXY_COUNT proxies), and refuse beyond
    BONECARE_API_ANONYMOUS_RATE."""

    rate_setting = "BONECARE_API_ANONYMOUS_RATE"

    def count(self, request, period, window_index):
        address = get_client_ip_address(request) or "unknown"
        return anonymous_calls_in_window(address=address[:64], period=period,
                                         window_index=window_index)
