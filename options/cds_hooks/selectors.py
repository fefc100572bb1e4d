"""Read the CDS Hooks records: clients and their
keys (a JWK Set URL fetched with a timeout and cached)."""

import json
import logging
import threading
import time
import urllib.request
from typing import Any

from django.conf import settings

from .models import CdsClient

logger = logging.getLogger(__name__)

JWKS_URL_FRESH_SECONDS = 600
JWKS_URL_RETRY_SECONDS = 60
_lock = threading.Lock()
# A JWK Set: JSON, {"keys": [...]}.
JWKSet = dict[str, Any]
_jwks_by_url: dict[str, tuple[float, JWKSet]] = {}  # url -> (time.monotonic() fetched, JWK Set)


def client_by_issuer(iss: str) -> CdsClient | None:
    """Return the registered client for an issuer, revoked or not, with its SMART
    registration, or None; read at every call, so a revocation (of either) counts from the
    next one."""
    return CdsClient.objects.select_related("smart_client").filter(iss=iss).first()


def client_jwks(client: CdsClient, *, kid: str | None = None) -> JWKSet:
    """Return the client's JWK Set: stored, or fetched from its URL and cached.

    A cached copy is used while fresh; an unknown `kid` refetches at most once a minute
    (the EHR may have rotated its keys).
    """
    if client.jwks or not client.jwks_url:
        return client.jwks or {}
    cached = _jwks_by_url.get(client.jwks_url)
    age = time.monotonic() - cached[0] if cached else None
    known = cached and any(k.get("kid") == kid for k in cached[1].get("keys", []))
    if cached and (age < JWKS_URL_FRESH_SECONDS and (known or kid is None
                                                     or age < JWKS_URL_RETRY_SECONDS)):
        return cached[1]
    try:
        jwks = _fetch_jwks(client.jwks_url)
    except (OSError, ValueError) as exc:
        logger.warning("JWK Set of CDS client %s not fetched (%s)", client.name,
                       exc.__class__.__name__)
        return cached[1] if cached else {}
    _jwks_by_url[client.jwks_url] = (time.monotonic(), jwks)
    return jwks


def _fetch_jwks(url: str) -> JWKSet:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    timeout = settings.BONECARE_CDS_FETCH_TIMEOUT_SECONDS
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        data = json.loads(response.read(1_000_001))
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise ValueError("not a JWK Set")
    return data
