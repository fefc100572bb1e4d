"""The private-key credential for private_key_jwt: the key, and its certificate's thumbprints.

CIS2 finds the client's public key by `kid`; Entra ID finds a certificate credential by its
thumbprint, so with a certificate the client assertion also carries `x5t` (SHA-1, which Entra
reads) and `x5t#S256`.
"""

import base64
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class CredentialRefused(ValueError):
    """The key or certificate cannot be used; the message says why."""


def rsa_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Return the RSA private key a PEM text holds, refusing anything else."""
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as error:
        raise CredentialRefused(
            f"holds no readable unencrypted PEM private key ({error})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CredentialRefused("holds a key that is not RSA (RS256 client assertions need RSA)")
    return key


def certificate_headers(certificate_pem: str, key: rsa.RSAPrivateKey) -> dict[str, str]:
    """Return the JWS headers naming the certificate, refusing one for another key."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError as error:
        raise CredentialRefused(f"holds no readable PEM certificate ({error})") from None
    if certificate.public_key().public_numbers() != key.public_key().public_numbers():
        raise CredentialRefused("is for another key than BONECARE_OIDC_PRIVATE_KEY_FILE")
    der = certificate.public_bytes(serialization.Encoding.DER)
    return {"x5t": _b64url(hashlib.sha1(der).digest()),  # a name, not a safeguard
            "x5t#S256": _b64url(hashlib.sha256(der).digest())}


def _b64url(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
