"""Who may use the consultation pages, and which consultations they see."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from ...consultation.models import Consultation
from ...identity.roles import CLINICIAN, role_held


def is_clinician(user):
    """Tell whether the user holds the clinician role."""
    return role_held(user, CLINICIAN)


def clinician_required(view):
    """Ask anonymous visitors to sign in; refuse signed-in users who are not clinicians
    with a page of our own (with DEBUG off Django's is a bare "403 Forbidden")."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_clinician(request.user):
            return render(request, "options/clinicians_only.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def own_consultation(request, pk):
    """Return the signed-in clinician's consultation, or 404 for anyone else's."""
    return get_object_or_404(
        Consultation.objects.select_related("ruleset"), pk=pk, clinician=request.user)
