"""Accounts from the identity provider's verified claims, and accounts an administrator runs."""

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from options.identity.roles import ROLES, roles_sync

from .audit import acting_for, event_record
from .claims import roles_from_claims
from .config import ProviderConfig
from .models import ProviderIdentity

USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


@dataclass(frozen=True)
class SignInOutcome:
    """What a provider sign-in came to: an account to sign in, or why there is none."""

    user: AbstractUser | None = None
    refusal: str = ""  # "no_role" or "deactivated" when user is None


def provider_sign_in(*, config: ProviderConfig, claims: Mapping[str, object],
                     request: HttpRequest) -> SignInOutcome:
    """Find or create the account for the verified claims and give it the roles they grant.

    Roles are set to exactly what the claims grant at every sign-in, so a role removed at the
    provider is removed here. A person whose claims grant no role gets no account (and loses
    the roles of one they had); a deactivated account stays deactivated.
    """
    try:
        return _sign_in_once(config, claims, request)
    except IntegrityError:
        # Two first sign-ins of one person (or of two people wanting one username) at once:
        # this one's transaction was rolled back, and the second try finds what the other made.
        return _sign_in_once(config, claims, request)


def _sign_in_once(config: ProviderConfig, claims: Mapping[str, object],
                  request: HttpRequest) -> SignInOutcome:
    subject = str(claims["sub"])
    roles = roles_from_claims(claims, config)
    with transaction.atomic(), acting_for(request):
        identity = (ProviderIdentity.objects.select_for_update().select_related("user")
                    .filter(issuer=config.issuer, subject=subject).first())
        if identity is not None and not identity.user.is_active:
            return _refused(request, identity.user, subject, "deactivated")
        if not roles:
            if identity is not None:
                user_roles_set(identity.user, set())
            return _refused(request, identity.user if identity else None, subject, "no_role",
                            username=_username_claim(claims),
                            detail=_no_role_detail(claims, config))
        user = identity.user if identity else _account_create(config, claims)
        _profile_update(user, claims, roles)
        user_roles_set(user, roles)
        ProviderIdentity.objects.filter(user=user).update(last_sign_in_at=timezone.now())
    return SignInOutcome(user=user)


def _refused(request: HttpRequest, user: AbstractUser | None, subject: str, reason: str,
             username: str = "", detail: str = "") -> SignInOutcome:
    event_record(kind="sign_in_failed", request=request, user=user, source="provider",
                 subject=subject, reason=f"{reason}: {detail}" if detail else reason,
                 username=username)
    return SignInOutcome(refusal=reason)


def _no_role_detail(claims: Mapping[str, object], config: ProviderConfig) -> str:
    """Say why no role was found, naming the claims that came (never their values)."""
    if config.roles_claim not in claims:
        return (f"no {config.roles_claim!r} claim (request it from the provider); claims "
                f"present: {', '.join(sorted(map(str, claims)))}")
    return f"{config.roles_claim!r} held none of the values mapped to a role"


def user_roles_set(user: AbstractUser, role_keys: Iterable[str]) -> None:
    """Give the user exactly these roles' groups; other groups are left as they are."""
    wanted = {ROLES[key].group for key in role_keys}
    held = set(user.groups.filter(name__in=[role.group for role in ROLES.values()])
               .values_list("name", flat=True))
    if wanted - held:
        user.groups.add(*_groups(wanted - held))
    if held - wanted:
        user.groups.remove(*Group.objects.filter(name__in=held - wanted))


def _groups(names: Collection[str]) -> list[Group]:
    groups = list(Group.objects.filter(name__in=names))
    if len(groups) < len(names):  # the roles' migration made them, but a flush empties tables
        roles_sync(group_model=Group, permission_model=Permission)
        groups = list(Group.objects.filter(name__in=names))
    return groups


def _account_create(config: ProviderConfig, claims: Mapping[str, object]) -> AbstractUser:
    user = get_user_model()(username=_username_free(_username_claim(claims), str(claims["sub"])))
    user.set_unusable_password()  # never signs in with a password here
    user.save()
    ProviderIdentity.objects.create(user=user, issuer=config.issuer, subject=str(claims["sub"]))
    return user


def _username_claim(claims: Mapping[str, object]) -> str:
    for name in ("preferred_username", "email", "sub"):
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return USERNAME_UNSAFE.sub("", value.strip())[:120] or "user"
    return "user"


def _username_free(base: str, subject: str) -> str:
    """Return the base name, or with a suffix from the subject when another account holds it."""
    User = get_user_model()
    if not User.objects.filter(username=base).exists():
        return base
    return f"{base}-{hashlib.sha256(subject.encode()).hexdigest()[:8]}"


def _profile_update(user: AbstractUser, claims: Mapping[str, object],
                    role_keys: Iterable[str]) -> None:
    """Refresh name and e-mail from the claims (shown, never matched on) and admin access."""
    user.first_name = str(claims.get("given_name") or "")[:150]
    user.last_name = str(claims.get("family_name") or "")[:150]
    if not (user.first_name or user.last_name):  # Entra ID sends `name` alone by default
        user.first_name = str(claims.get("name") or "")[:150]
    user.email = str(claims.get("email") or "")[:254]
    user.is_staff = user.is_superuser or any(ROLES[key].is_staff for key in role_keys)
    user.save(update_fields=["first_name", "last_name", "email", "is_staff"])


@transaction.atomic
def user_active_set(*, user: AbstractUser, active: bool, by: AbstractBaseUser | None,
                    request: HttpRequest | None = None) -> bool:
    """Deactivate (or reactivate) an account, audited; a deactivated one cannot sign in."""
    if user.is_active == active:
        return False
    user.is_active = active
    user.save(update_fields=["is_active"])
    event_record(kind="reactivated" if active else "deactivated", request=request, user=user,
                 by=by)
    return True
