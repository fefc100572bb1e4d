"""Verify an EHR's JWT as CDS Hooks 2.0 asks, with PyJWT. No Django.

Asymmetric algorithms only (ES256, ES384, RS256, RS384: never `none`, never HMAC); the `kid`
names a key in the client's JWK Set; `aud` is the exact URL called; `exp` in the future and
`iat` not in it, with 60 s of skew; `exp` - `iat` at most 5 minutes; `iss`, `iat`, `jti`
required. The token is never logged.
"""

import base64
import json
from collections.abc import Hashable, Mapping
from typing import Any

import jwt
from jwt.exceptions import InvalidKeyError, InvalidTokenError, PyJWKError

ALGORITHMS = ("ES256", "ES384", "RS256", "RS384")
LEEWAY_SECONDS = 60
# The bound SMART Backend Services sets for its signed assertions: a token that lives longer
# is a replay waiting to happen (CDS Hooks leaves the lifetime to the service).
MAX_LIFETIME_SECONDS = 300
KEY_TYPES = {"ES": "EC", "RS": "RSA"}
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "jti"]


class TokenRejected(Exception):
    """The JWT cannot be trusted; the message says why without repeating the token."""


def _segment(text: str) -> dict[str, object]:
    data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def token_issuer(token: str) -> tuple[dict[str, object], str]:
    """Return the unverified header and `iss` of a JWT, to find the client that signed it.

    Read directly (base64 and JSON): token_verify checks everything with PyJWT afterwards,
    and PyJWT's own unverified read costs as much as the verification.
    """
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three segments")
        header, claims = _segment(parts[0]), _segment(parts[1])
    except (ValueError, UnicodeDecodeError):  # binascii.Error and JSONDecodeError included
        raise TokenRejected("The bearer token is not a JWT.") from None
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise TokenRejected("The JWT has no iss claim.")
    return header, issuer


# {kid: (the key, its declared alg or None)}
Keys = dict[str, tuple[jwt.PyJWK, str | None]]
# {key of the JWK Set's owner: (the JWK Set as last seen, its keys)}; a changed set is
# parsed again, so a key rotation in the admin counts from the next call.
_parsed: dict[Hashable, tuple[object, Keys]] = {}


def _keys(jwks: object) -> Keys:
    keys = {}
    for data in jwks.get("keys", []) if isinstance(jwks, dict) else []:
        if isinstance(data, dict) and data.get("kid"):
            try:
                keys[data["kid"]] = (jwt.PyJWK(data), data.get("alg"))
            except (PyJWKError, InvalidTokenError, ValueError, TypeError, KeyError):
                continue  # a key BoneCare cannot use is as good as absent
    return keys


def jwks_keys(jwks: object, *, owner: Hashable | None = None) -> Keys:
    """Return {kid: (PyJWK, its declared alg or None)} for a JWK Set, parsed once per owner
    and version of the set."""
    cached = _parsed.get(owner) if owner is not None else None
    if cached is not None and cached[0] == jwks:
        return cached[1]
    keys = _keys(jwks)
    if owner is not None:
        _parsed[owner] = (jwks, keys)
    return keys


def token_verify(token: str, *, header: Mapping[str, object], jwks: object, audience: str,
                 issuer: str, owner: Hashable | None = None) -> dict[str, Any]:
    """Return the verified claims of a JWT from `issuer`, or raise TokenRejected."""
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise TokenRejected(f"alg must be one of {', '.join(ALGORITHMS)}.")
    kid = header.get("kid")
    key, declared = jwks_keys(jwks, owner=owner).get(kid, (None, None)) \
        if isinstance(kid, str) else (None, None)
    if key is None:
        raise TokenRejected("kid names no key registered for this client.")
    if (declared or algorithm) != algorithm or KEY_TYPES[algorithm[:2]] != key.key_type:
        raise TokenRejected("The key named by kid is not for this alg.")
    try:
        claims = jwt.decode(token, key.key, algorithms=[algorithm], audience=audience,
                            issuer=issuer, leeway=LEEWAY_SECONDS,
                            options={"require": REQUIRED_CLAIMS})
    except jwt.ExpiredSignatureError:
        raise TokenRejected("The JWT has expired.") from None
    except jwt.ImmatureSignatureError:
        raise TokenRejected("The JWT was issued in the future (iat).") from None
    except jwt.InvalidAudienceError:
        raise TokenRejected("aud must be the exact URL called.") from None
    except InvalidKeyError:
        raise TokenRejected("The key named by kid is not for this alg.") from None
    except InvalidTokenError as error:
        raise TokenRejected(f"The JWT is not valid ({error.__class__.__name__}).") from None
    _lifetime_check(claims["exp"], claims["iat"])
    if not isinstance(claims.get("jti"), str) or not claims["jti"] or len(claims["jti"]) > 255:
        raise TokenRejected("jti must be a string of at most 255 characters.")
    return claims


def _lifetime_check(exp: object, iat: object) -> None:
    # PyJWT accepts "exp": "1700000000" (it calls int()); BoneCare wants the numbers.
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (exp, iat)):
        raise TokenRejected("exp and iat must be numbers (seconds since the epoch).")
    if exp - iat > MAX_LIFETIME_SECONDS:
        raise TokenRejected(f"The JWT must live at most {MAX_LIFETIME_SECONDS // 60} minutes "
                            "(exp - iat).")
