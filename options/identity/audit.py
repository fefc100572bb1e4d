"""The account audit: one AccountEvent row per sign-in, refusal, role change or (de)activation.

Role changes are recorded wherever they are made (the provider's claims at sign-in, the
admin, `create_user`, a shell) by listening to the user-group relation itself; the request
being served, if any, gives the address and who made the change.
"""

import contextlib
import contextvars
import ipaddress
from collections.abc import Iterator

from axes.helpers import get_client_ip_address
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser, Group
from django.http import HttpRequest
from simple_history.models import HistoricalRecords

from options.identity.roles import ROLES

from .models import AccountEvent

ROLE_BY_GROUP = {role.group: role.key for role in ROLES.values()}


def client_address(request: HttpRequest | None) -> str | None:
    """Return the client's address as django-axes sees it (django-ipware), or None."""
    if request is None:
        return None
    address = get_client_ip_address(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def user_source(user: AbstractBaseUser | None) -> str:
    """Return "provider" for an account the identity provider signs in, else "local"."""
    if user is None or user.pk is None:
        return "local"
    has_identity = hasattr(user, "provider_identity")
    return "provider" if has_identity else "local"


def event_record(*, kind: str, request: HttpRequest | None = None,
                 user: AbstractBaseUser | None = None, source: str | None = None,
                 username: str = "", subject: str = "", role: str = "", reason: str = "",
                 by: AbstractBaseUser | None = None) -> AccountEvent:
    """Write one audit row; the address comes from the request when there is one."""
    return AccountEvent.objects.create(
        kind=kind, source=source or user_source(user), user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        subject=subject[:255], role=role, reason=reason[:200],
        address=client_address(request), by=by)


_acting_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "identity_acting_request", default=None)


@contextlib.contextmanager
def acting_for(request: HttpRequest | None) -> Iterator[None]:
    """Attribute the role changes made inside the block to this request (address, who)."""
    token = _acting_request.set(request)
    try:
        yield
    finally:
        _acting_request.reset(token)


def current_request() -> HttpRequest | None:
    """The request a change is made for: a service's own, or the one being served.

    simple_history's middleware keeps the request being served (the admin's, for example).
    """
    return _acting_request.get() or getattr(HistoricalRecords.context, "request", None)


def role_changes_record(sender: type, instance: AbstractUser | Group, action: str,
                        reverse: bool, pk_set: set[int] | None, **kwargs: object) -> None:
    """Record role groups added to or removed from users, however the change was made."""
    kind = {"post_add": "role_granted", "post_remove": "role_removed",
            "pre_clear": "role_removed"}.get(action)
    if kind is None:
        return
    pairs = _user_group_pairs(instance, reverse, pk_set, action)
    if not pairs:
        return
    request = current_request()
    actor = getattr(request, "user", None)
    for user, group_name in pairs:
        by = actor if actor is not None and actor.is_authenticated and actor != user else None
        event_record(kind=kind, request=request, user=user, role=ROLE_BY_GROUP[group_name],
                     by=by)


def _user_group_pairs(instance: AbstractUser | Group, reverse: bool, pk_set: set[int] | None,
                      action: str) -> list[tuple[AbstractUser, str]]:
    """Return (user, role group name) for each pair the change touches."""
    if reverse:  # group.user_set.add(...): instance is the group
        if instance.name not in ROLE_BY_GROUP:
            return []
        users = get_user_model().objects.filter(pk__in=pk_set) if pk_set is not None else (
            instance.user_set.all())
        return [(user, instance.name) for user in users]
    groups = (Group.objects.filter(pk__in=pk_set) if action != "pre_clear"
              else instance.groups.all())
    return [(instance, name) for name in groups.values_list("name", flat=True)
            if name in ROLE_BY_GROUP]
