"""People's accounts: one service creates an account holding a role (options.identity.roles)."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .roles import ROLES, Role, roles_sync


class AccountRefused(Exception):
    """The account cannot be created as asked; `messages` says why, one line each."""

    def __init__(self, messages: Iterable[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


@transaction.atomic
def user_create(*, username: str, password: str, role: str,
                reset: bool = False) -> AbstractUser:
    """Create an account in the role's group; with reset, renew an existing one instead.

    The password must pass Django's password validators. Without reset an existing
    username is refused; with it (the demo accounts) the account gets the new password and
    is added to the role's group.
    """
    role = _role(role)
    if not reset:
        username_free_check(username)
    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username)
    user.is_staff = role.is_staff
    user.is_active = True
    _password_check(user, password)
    user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as invalid:
        raise AccountRefused(
            [f"{field}: {message}" for field, messages in invalid.message_dict.items()
             for message in messages]) from None
    user.save()
    user.groups.add(role_group(role))
    return user


def role_group(role: Role) -> Group:
    """The role's group, made again if a flush emptied the table."""
    group = Group.objects.filter(name=role.group).first()
    if group is None:  # the migration made it, but a flush empties the table
        roles_sync(group_model=Group, permission_model=Permission)
        group = Group.objects.get(name=role.group)
    return group


def username_free_check(username: str) -> None:
    """Refuse a username that an account already holds."""
    if get_user_model().objects.filter(username=username).exists():
        raise AccountRefused([f"A user named {username!r} already exists."])


def _role(key: str) -> Role:
    try:
        return ROLES[key]
    except KeyError:
        raise AccountRefused(
            [f"Unknown role {key!r}: choose one of {', '.join(ROLES)}."]) from None


def _password_check(user: AbstractUser, password: str) -> None:
    if not password:
        raise AccountRefused(["The password is empty."])
    try:
        validate_password(password, user)
    except ValidationError as invalid:
        raise AccountRefused(invalid.messages) from None
