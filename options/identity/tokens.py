"""The provider's answer at the callback: the code exchanged, the ID token verified."""

from .client import metadata


class IdentityUnproven(Exception):
    """The provider's answer proves nobody's identity; `reason` says why in a few words."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def verified_claims(client, config, request):
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
    return token, claims
