"""The OpenID Connect client (Authlib), one per process and provider configuration.

Authlib does the protocol: discovery, the authorisation request with PKCE (S256), `state`
and `nonce` kept in the session and checked once, the code exchange with the client secret
or a private-key JWT, and the ID token's signature against the provider's JWKS, which it
keeps and fetches again when a token names a key it does not hold (a rotation). The
discovery document is fetched again after METADATA_SECONDS, dropping the keys with it.
"""

import threading
import time

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings
from joserfc.jwk import RSAKey

from .config import ProviderConfig

CLIENT_NAME = "provider"
METADATA_SECONDS = 24 * 3600

_lock = threading.Lock()
_clients: dict[tuple[object, ...], DjangoOAuth2App] = {}


class ProviderMisconfigured(Exception):
    """The provider's discovery document disagrees with BoneCare's configuration."""


def provider_config() -> ProviderConfig | None:
    """Return the configured provider (settings.BONECARE_OIDC), or None for local sign-in only."""
    return getattr(settings, "BONECARE_OIDC", None)


def oidc_client(config: ProviderConfig) -> DjangoOAuth2App:
    """Return this process's client for the configuration, its discovery no older than a day."""
    key = (config.issuer, config.client_id, config.client_secret, config.private_key_pem,
           config.private_key_id, tuple(sorted(config.assertion_headers.items())),
           config.scopes, config.timeout_seconds)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = _client_create(config)
        loaded = client.server_metadata.get("_loaded_at")
        if loaded is not None and time.time() - loaded > METADATA_SECONDS:
            for name in ("_loaded_at", "jwks"):
                client.server_metadata.pop(name, None)
    return client


def metadata(client: DjangoOAuth2App, config: ProviderConfig) -> dict[str, object]:
    """Return the provider's discovery document, refusing one issued for another issuer."""
    document = client.load_server_metadata()
    if document.get("issuer") != config.issuer:
        raise ProviderMisconfigured(
            f"the discovery document names the issuer {document.get('issuer')!r}")
    return document


def _client_create(config: ProviderConfig) -> DjangoOAuth2App:
    registry = OAuth()
    client_kwargs = {
        "scope": " ".join(config.scopes),
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": config.client_auth_method,
        "default_timeout": config.timeout_seconds,
    }
    credential = config.client_secret
    auth_methods = None
    if config.private_key_pem:
        credential = RSAKey.import_key(config.private_key_pem)
        kid = config.private_key_id or credential.thumbprint()
        auth_methods = [PrivateKeyJWT(headers={"kid": kid, **config.assertion_headers})]
    return registry.register(
        CLIENT_NAME, client_id=config.client_id, client_secret=credential,
        server_metadata_url=config.discovery_url, client_kwargs=client_kwargs,
        client_auth_methods=auth_methods)
