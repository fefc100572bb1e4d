"""Who may use the consultation pages, and which consultations they see."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ...consultation.models import Consultation
from ...identity.roles import CLINICIAN, role_held

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def is_clinician(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Tell whether the user holds the clinician role."""
    return role_held(user, CLINICIAN)


def clinician_required(view: View[P]) -> View[P]:
    """Ask anonymous visitors to sign in; refuse signed-in users who are not clinicians
    with a page of our own (with DEBUG off Django's is a bare "403 Forbidden")."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not is_clinician(request.user):
            return render(request, "options/clinicians_only.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def own_consultation(request: HttpRequest, pk: int) -> Consultation:
    """Return the signed-in clinician's consultation, or 404 for anyone else's."""
    return get_object_or_404(
        Consultation.objects.select_related("ruleset"), pk=pk, clinician=request.user)
