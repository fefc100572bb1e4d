"""Who is calling: an EHR's JWT (trust.py) checked against its registration, the services it
may call, and its call rate."""

import datetime

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from options.http import throttles

from .hooks import SERVICES
from .models import CdsClient
from .replay import jti_record
from .selectors import client_by_issuer, client_jwks
from .trust import LEEWAY_SECONDS, TokenRejected, token_issuer, token_verify

KEYWORD = "Bearer"


class Replayed(exceptions.AuthenticationFailed):
    default_detail = "This JWT (its jti) was used before."


def _token(request: Request) -> str | None:
    parts = get_authorization_header(request).split()
    if not parts or parts[0].lower() != KEYWORD.lower().encode():
        return None
    if len(parts) != 2:
        raise exceptions.AuthenticationFailed("Give the JWT as 'Bearer <JWT>'.")
    try:
        return parts[1].decode("ascii")
    except UnicodeDecodeError:
        raise exceptions.AuthenticationFailed("The bearer token is not a JWT.") from None


class CdsJwtAuthentication(BaseAuthentication):
    """Authenticate `Authorization: Bearer <JWT>` signed by a registered EHR's key.

    The client found by the token's `iss` is kept on the request even when the token then
    fails, so that the call's one audit row names it (a replay, an expired token)."""

    def authenticate(self, request: Request) -> tuple[CdsClient, CdsClient] | None:
        token = _token(request)
        if token is None:
            return None
        try:
            header, issuer = token_issuer(token)
        except TokenRejected as rejected:
            raise exceptions.AuthenticationFailed(str(rejected)) from None
        client = client_by_issuer(issuer)
        if client is None:
            raise exceptions.AuthenticationFailed("iss is not a registered CDS client.")
        request._request.cds_client = client
        if client.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This CDS client has been revoked.")
        try:
            claims = token_verify(token, header=header, audience=_audience(request),
                                  jwks=client_jwks(client, kid=str(header.get("kid"))),
                                  issuer=client.iss, owner=client.pk)
        except TokenRejected as rejected:
            raise exceptions.AuthenticationFailed(str(rejected)) from None
        expires = datetime.datetime.fromtimestamp(claims["exp"] + LEEWAY_SECONDS,
                                                  tz=datetime.UTC)
        if not jti_record(client=client, jti=claims["jti"], expires_at=expires):
            request._request.cds_replayed = True
            raise Replayed()
        return client, client

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


def _audience(request: Request) -> str:
    """The exact URL called, as the EHR must have put it in `aud` (no query string)."""
    return request.build_absolute_uri(request.path)


class IsCdsClient(BasePermission):
    """Deny anyone without a verified JWT."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, CdsClient)


class ServiceAllowed(IsCdsClient):
    """Allow a client only the services it was registered for (discovery: any client)."""

    message = "This CDS client may not call this service."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not super().has_permission(request, view):
            return False
        service_id = view.kwargs.get("service_id")
        # Discovery is for any client; an unknown service is the view's 404.
        return service_id not in SERVICES or service_id in request.auth.services


class CdsClientThrottle(throttles.ClientRateThrottle):
    """Allow each EHR BONECARE_CDS_THROTTLE_RATE calls per window, counted once its JWT is
    verified and its jti found new."""

    door = "cds_hooks"
    rate_setting = "BONECARE_CDS_THROTTLE_RATE"
