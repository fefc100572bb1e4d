"""The provider's answer at the callback: the code exchanged, the ID token verified."""

import time
from collections.abc import Mapping

from authlib.integrations.django_client import DjangoOAuth2App
from django.http import HttpRequest

from .client import metadata
from .config import ProviderConfig


class IdentityUnproven(Exception):
    """The provider's answer proves nobody's identity; `reason` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def verified_claims(client: DjangoOAuth2App, config: ProviderConfig,
                    request: HttpRequest) -> tuple[dict[str, object], dict[str, object]]:
    """Exchange the code and return (token, claims) from a verified ID token.

    Authlib checks the state against the session (once), sends the PKCE verifier, and checks
    the ID token's signature, nonce, expiry and issue time (within the clock skew); the
    issuer and the audience are named here so that both are required, not just compared
    when present. With BONECARE_OIDC_USERINFO the userinfo endpoint's claims are added
    (CIS2 gives roles there), only when they are about the same subject.
    """
    metadata(client, config)
    token = client.authorize_access_token(
        request, leeway=config.clock_skew_seconds,
        claims_options={"iss": {"essential": True, "value": config.issuer},
                        "aud": {"essential": True, "value": config.client_id}})
    if not token.get("userinfo"):
        raise IdentityUnproven("no ID token")
    claims = dict(token["userinfo"])
    if config.use_userinfo:
        extra = dict(client.userinfo(token=token))
        if extra.get("sub") != claims["sub"]:
            raise IdentityUnproven("userinfo about another subject")
        claims = {**extra, **claims}
    _assurance_check(claims, config)
    return token, claims


def assurance_asked(config: ProviderConfig) -> dict[str, int | str]:
    """Return the authorisation request's max_age and acr_values, where configured."""
    asked = {}
    if config.max_age_seconds is not None:
        asked["max_age"] = config.max_age_seconds
    if config.acr_values:
        asked["acr_values"] = " ".join(config.acr_values)
    return asked


def _assurance_check(claims: Mapping[str, object], config: ProviderConfig) -> None:
    """Refuse an authentication weaker or older than the configuration accepts."""
    if config.acr_values and claims.get("acr") not in config.acr_values:
        raise IdentityUnproven("authentication assurance (acr) not accepted")
    if config.max_age_seconds is None:
        return
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int | float) or (
            time.time() - auth_time > config.max_age_seconds + config.clock_skew_seconds):
        raise IdentityUnproven("authentication older than max_age")
