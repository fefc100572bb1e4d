"""The sign-in forms for the clinician pages and the admin."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class _UsernameLengthChecked:
    """Refuse a username longer than any account's before anything looks it up.

    Django sets the field's max_length without its validator, so an over-long name reached
    authentication, and django-axes's record of the failure (255 characters) failed on
    PostgreSQL with a 500.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class SignInForm(_UsernameLengthChecked, AuthenticationForm):
    """Sign a clinician in at /accounts/login/."""


class AdminSignInForm(_UsernameLengthChecked, AdminAuthenticationForm):
    """Sign a member of staff in at /admin/login/."""
