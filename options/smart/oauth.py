"""The OAuth 2.0 / OpenID Connect side of a SMART launch, on Authlib: the EHR's SMART
configuration read (strictly), the authorisation request with PKCE S256, state and nonce,
the code exchange (a public client, or a private-key JWT with BoneCare's key) and the ID
token's signature, issuer, audience, nonce and expiry checked against the EHR's JWKS."""

from collections.abc import Mapping

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings

from options.cds_hooks.fetch import FetchFailed, json_request

from .keys import signing_key
from .models import SmartClient

NAME = "smart"
CONFIGURATION = "/.well-known/smart-configuration"
NEEDED = ("authorization_endpoint", "token_endpoint", "issuer", "jwks_uri")


class LaunchRefused(Exception):
    """The launch cannot go on; `reason` (a short code for the audit) and `words` (for the
    page) say why."""

    def __init__(self, reason: str, words: str) -> None:
        super().__init__(f"{reason}: {words}")
        self.reason = reason
        self.words = words


def configuration_read(client: SmartClient) -> dict[str, str]:
    """Read the EHR's SMART configuration from its FHIR base URL (no redirect followed, a
    deadline, a size cap) and return the endpoints BoneCare needs; raise LaunchRefused."""
    try:
        document = json_request(client.iss + CONFIGURATION)
    except FetchFailed as failed:
        raise LaunchRefused("configuration_unreadable",
                            f"BoneCare could not read the EHR's SMART configuration: "
                            f"{failed.reason}.") from None
    if not isinstance(document, dict):
        document = {}
    absent = [name for name in NEEDED if not isinstance(document.get(name), str)
              or not document[name]]
    if absent:
        raise LaunchRefused("configuration_incomplete",
                            "The EHR's SMART configuration does not give "
                            f"{', '.join(absent)}, which BoneCare needs to sign you in.")
    if "S256" not in (document.get("code_challenge_methods_supported") or []):
        raise LaunchRefused("no_pkce_s256",
                            "The EHR's SMART configuration does not offer PKCE with S256, "
                            "which BoneCare requires.")
    return {name: document[name] for name in NEEDED}


def oauth_app(client: SmartClient, metadata: Mapping[str, str]) -> DjangoOAuth2App:
    """An Authlib client for one launch of one registered EHR."""
    registry = OAuth()
    client_kwargs = {"code_challenge_method": "S256",
                     "default_timeout": settings.BONECARE_CDS_FETCH_TIMEOUT_SECONDS}
    secret, auth_methods = None, None
    if client.client_type == "confidential_asymmetric":
        secret = signing_key()
        client_kwargs["token_endpoint_auth_method"] = "private_key_jwt"
        auth_methods = [PrivateKeyJWT(alg=client.signing_alg,
                                      headers={"kid": secret.kid})]
    else:
        client_kwargs["token_endpoint_auth_method"] = "none"
    return registry.register(
        NAME, client_id=client.client_id, client_secret=secret,
        authorize_url=metadata["authorization_endpoint"],
        access_token_url=metadata["token_endpoint"],
        issuer=metadata["issuer"], jwks_uri=metadata["jwks_uri"],
        client_kwargs=client_kwargs, client_auth_methods=auth_methods)
