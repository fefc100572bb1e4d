"""The EHR's access token, kept for its lifetime only, where neither a stolen database nor a
stolen cookie gives it away.

The session (server side, in the database) holds the token encrypted with AES-256-GCM; the
key is a random one per launch, held only in the browser, in an HttpOnly cookie that expires
with the token. Neither half alone is the token; the token itself is never in a cookie, the
database, a URL or a log. When it has expired the session forgets it.
"""

import base64
import os
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "bonecare_smart_key"
SESSION_KEY = "smart_token"
PATH = "/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def token_keep(request: HttpRequest, response: HttpResponse, token: str,
               expires_in: int) -> None:
    """Keep the token for `expires_in` seconds: ciphertext in the session, key in a cookie."""
    key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, token.encode(), _bound(request))
    request.session[SESSION_KEY] = {"nonce": _b64(nonce), "sealed": _b64(sealed),
                                    "expires_at": time.time() + expires_in}
    response.set_cookie(COOKIE, _b64(key), max_age=max(expires_in, 0), path=PATH,
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")


def _bound(request: HttpRequest) -> bytes:
    """The session's key, bound into the ciphertext: a sealed token copied into another
    session (or kept across a later sign-in, which changes the key) does not open."""
    return (request.session.session_key or "").encode()


def token_get(request: HttpRequest) -> str | None:
    """The token while it lives; None when it has expired, was never given or cannot be
    opened (then the session forgets it)."""
    kept = request.session.get(SESSION_KEY)
    if not kept:
        return None
    key = request.COOKIES.get(COOKIE, "")
    if time.time() >= kept["expires_at"] or not key:
        token_forget(request)
        return None
    try:
        return AESGCM(base64.urlsafe_b64decode(key)).decrypt(
            base64.urlsafe_b64decode(kept["nonce"]), base64.urlsafe_b64decode(kept["sealed"]),
            _bound(request)).decode()
    except (InvalidTag, ValueError, TypeError):
        token_forget(request)
        return None


def token_forget(request: HttpRequest, response: HttpResponse | None = None) -> None:
    request.session.pop(SESSION_KEY, None)
    if response is not None:
        response.delete_cookie(COOKIE, path=PATH)
