"""Hospital sign-in configured from the environment: read once, by bonecare/settings.py.

Every variable is named in an error that stops start-up, so a mistake is found on deploy,
not at a clinician's first sign-in. Nothing here imports Django's settings.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from options.identity.roles import ROLES

from .credentials import CredentialRefused, certificate_headers, rsa_private_key

PREFIX = "BONECARE_OIDC_"
ROLE_PREFIX = PREFIX + "ROLE_"
KNOWN = {
    "ISSUER", "CLIENT_ID", "CLIENT_SECRET", "PRIVATE_KEY_FILE", "PRIVATE_KEY_ID",
    "CERTIFICATE_FILE", "SCOPES", "ROLES_CLAIM", "ORG_CODES", "USERINFO", "CLOCK_SKEW_SECONDS",
    "DISPLAY_NAME", "TIMEOUT_SECONDS", "MAX_AGE_SECONDS", "ACR_VALUES",
}
MAX_CLOCK_SKEW_SECONDS = 300
MAX_AGE_SECONDS = 12 * 3600  # no longer than BoneCare's own absolute session limit
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

Environ = Mapping[str, str]
T = TypeVar("T")


@dataclass(frozen=True)
class ProviderConfig:
    """One OpenID Connect provider BoneCare trusts, and how its claims grant roles."""

    issuer: str
    client_id: str
    client_secret: str = ""
    private_key_pem: str = ""  # private_key_jwt when set, the client secret otherwise
    private_key_id: str = ""
    # x5t and x5t#S256 of a certificate
    assertion_headers: dict[str, str] = field(default_factory=dict)
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    roles_claim: str = "roles"
    # role key -> the claim values that grant it
    role_values: dict[str, frozenset[str]] = field(default_factory=dict)
    org_codes: frozenset[str] = frozenset()  # CIS2: the selected role must be at one of these
    use_userinfo: bool = False
    clock_skew_seconds: int = 60
    display_name: str = "your organisation's account"
    timeout_seconds: int = 10
    max_age_seconds: int | None = None  # ask the provider to authenticate again after this
    acr_values: tuple[str, ...] = ()  # the assurance levels (acr) accepted, asked for in turn

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @property
    def origin(self) -> str:
        """Where the sign-in and sign-out forms lead (the CSP's form-action must allow it)."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def client_auth_method(self) -> str:
        return "private_key_jwt" if self.private_key_pem else "client_secret_basic"


def provider_from_environment(environ: Environ,
                              read_bool: Callable[[str, bool], bool]) -> ProviderConfig | None:
    """Return the provider the environment configures, or None when BONECARE_OIDC_ISSUER is unset.

    read_bool(name, default) is the settings module's strict boolean reader.
    """
    _unknown_names_check(environ)
    issuer = environ.get(PREFIX + "ISSUER", "").strip()
    if not issuer:
        return None
    if not _secure_url(issuer):
        raise ImproperlyConfigured(f"{PREFIX}ISSUER must be an https:// URL, not {issuer!r}.")
    scopes = tuple(environ.get(PREFIX + "SCOPES", "openid profile email").split())
    if "openid" not in scopes:
        raise ImproperlyConfigured(f"{PREFIX}SCOPES must include 'openid'.")
    return ProviderConfig(
        issuer=issuer,
        client_id=_required(environ, "CLIENT_ID"),
        **_client_credentials(environ),
        scopes=scopes,
        roles_claim=environ.get(PREFIX + "ROLES_CLAIM", "").strip() or "roles",
        role_values=_role_values(environ),
        org_codes=frozenset(_words(environ.get(PREFIX + "ORG_CODES", ""))),
        use_userinfo=read_bool(PREFIX + "USERINFO", False),
        clock_skew_seconds=_seconds(environ, "CLOCK_SKEW_SECONDS", 60, MAX_CLOCK_SKEW_SECONDS),
        display_name=environ.get(PREFIX + "DISPLAY_NAME", "").strip()
        or "your organisation's account",
        timeout_seconds=_seconds(environ, "TIMEOUT_SECONDS", 10, 60, least=1),
        max_age_seconds=_seconds(environ, "MAX_AGE_SECONDS", None, MAX_AGE_SECONDS),
        acr_values=tuple(environ.get(PREFIX + "ACR_VALUES", "").split()),
    )


def _secure_url(url: str) -> bool:
    """An https URL, or http on this machine only (the tests' own provider)."""
    parts = urlsplit(url)
    return bool(parts.hostname) and (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK))


def _unknown_names_check(environ: Environ) -> None:
    """Refuse a misspelt variable, which would otherwise be silently ignored."""
    roles = {ROLE_PREFIX + key.upper() for key in ROLES}
    for name in environ:
        if not name.startswith(PREFIX) or name in roles:
            continue
        if name.startswith(ROLE_PREFIX):
            raise ImproperlyConfigured(
                f"{name} names no BoneCare role: use one of {', '.join(sorted(roles))}.")
        if name.removeprefix(PREFIX) not in KNOWN:
            raise ImproperlyConfigured(f"{name} is not a setting BoneCare knows.")


def _required(environ: Environ, suffix: str) -> str:
    value = environ.get(PREFIX + suffix, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{PREFIX}{suffix} must be set when {PREFIX}ISSUER is set.")
    return value


def _client_credentials(environ: Environ) -> dict[str, str | dict[str, str]]:
    secret = environ.get(PREFIX + "CLIENT_SECRET", "")
    key_file = environ.get(PREFIX + "PRIVATE_KEY_FILE", "").strip()
    if bool(secret) == bool(key_file):
        raise ImproperlyConfigured(
            f"Set exactly one of {PREFIX}CLIENT_SECRET and {PREFIX}PRIVATE_KEY_FILE.")
    if secret:
        return {"client_secret": secret}
    pem = _file_text(environ, "PRIVATE_KEY_FILE")
    key = _credential(rsa_private_key, "PRIVATE_KEY_FILE", pem)
    headers = {}
    if environ.get(PREFIX + "CERTIFICATE_FILE", "").strip():
        headers = _credential(certificate_headers, "CERTIFICATE_FILE",
                              _file_text(environ, "CERTIFICATE_FILE"), key)
    return {"private_key_pem": pem, "assertion_headers": headers,
            "private_key_id": environ.get(PREFIX + "PRIVATE_KEY_ID", "").strip()}


def _file_text(environ: Environ, suffix: str) -> str:
    path = environ.get(PREFIX + suffix, "").strip()
    try:
        return Path(path).read_text()
    except (OSError, UnicodeDecodeError) as error:
        why = getattr(error, "strerror", None) or "not text"
        raise ImproperlyConfigured(f"{PREFIX}{suffix} cannot be read ({why}): {path}") from None


def _credential(read: Callable[..., T], suffix: str, *args: object) -> T:
    try:
        return read(*args)
    except CredentialRefused as refused:
        raise ImproperlyConfigured(f"{PREFIX}{suffix} {refused}") from None


def _role_values(environ: Environ) -> dict[str, frozenset[str]]:
    """Read BONECARE_OIDC_ROLE_<KEY> for every role in options.identity.roles.ROLES."""
    values = {}
    for key in ROLES:
        words = _words(environ.get(ROLE_PREFIX + key.upper(), ""))
        if words:
            values[key] = frozenset(words)
    if not values:
        names = ", ".join(ROLE_PREFIX + key.upper() for key in ROLES)
        raise ImproperlyConfigured(
            f"No claim value grants a BoneCare role, so nobody could use it: set one of {names}.")
    return values


def _words(raw: str) -> list[str]:
    return [word.strip() for word in raw.split(",") if word.strip()]


def _seconds(environ: Environ, suffix: str, default: int | None, most: int,
             least: int = 0) -> int | None:
    raw = environ.get(PREFIX + suffix, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not least <= int(raw) <= most:
        raise ImproperlyConfigured(f"{PREFIX}{suffix} must be a whole number of seconds from "
                                   f"{least} to {most}, not {raw!r}.")
    return int(raw)
