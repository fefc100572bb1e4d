"""BoneCare's own signing key, with which a confidential asymmetric SMART client proves
itself at an EHR's token endpoint (a private-key JWT, RFC 7523), and its public JWK Set.

The private key comes from the environment alone (BONECARE_SMART_SIGNING_KEY: a PEM, an EC
P-384 key for ES384 or an RSA key of 2048 bits or more for RS384); it is never stored, logged
or served. Without it BoneCare serves an empty key set and registers public clients only.
"""

import functools

from django.conf import settings
from joserfc.jwk import ECKey, RSAKey

ALGS = {"EC": "ES384", "RSA": "RS384"}


class SigningKeyMissing(Exception):
    """BoneCare has no usable signing key, so it cannot be a confidential client."""


@functools.cache
def _key(pem: str, kid: str) -> ECKey | RSAKey:
    try:
        key = ECKey.import_key(pem)
        if key.curve_name != "P-384":
            raise SigningKeyMissing("BONECARE_SMART_SIGNING_KEY is an EC key on "
                                    f"{key.curve_name}; ES384 needs P-384")
    except SigningKeyMissing:
        raise
    except Exception:  # noqa: BLE001 - not an EC key: try RSA, or say what is wrong below
        try:
            key = RSAKey.import_key(pem)
        except Exception as error:  # noqa: BLE001
            raise SigningKeyMissing("BONECARE_SMART_SIGNING_KEY is not a PEM EC P-384 or "
                                    "RSA private key") from error
    if not key.is_private:
        raise SigningKeyMissing("BONECARE_SMART_SIGNING_KEY holds a public key only")
    kid = kid or key.thumbprint()
    return key.__class__.import_key(key.as_dict(private=True),
                                    parameters={"kid": kid, "use": "sig",
                                                "alg": ALGS[key.key_type]})


def signing_key() -> ECKey | RSAKey:
    """BoneCare's private signing key; raises SigningKeyMissing."""
    pem = settings.BONECARE_SMART_SIGNING_KEY
    if not pem:
        raise SigningKeyMissing("BONECARE_SMART_SIGNING_KEY is not set")
    return _key(pem, settings.BONECARE_SMART_SIGNING_KEY_ID)


def signing_alg() -> str:
    """The algorithm BoneCare's key signs with (ES384 or RS384); raises SigningKeyMissing."""
    return ALGS[signing_key().key_type]


def public_key_set() -> dict[str, list[dict[str, object]]]:
    """The public JWK Set served at /smart/jwks.json (empty without a key)."""
    try:
        key = signing_key()
    except SigningKeyMissing:
        return {"keys": []}
    return {"keys": [key.as_dict(private=False)]}
