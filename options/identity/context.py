"""What every page may ask of the person signed in, asked only when a page does."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .roles import CLINICIAN, role_held


def roles(request: HttpRequest) -> dict[str, object]:
    """`clinician`: whether the person holds the clinician role (the site's menu offers
    consultations to clinicians alone; a guidance editor is offered the rules console)."""
    return {"clinician": SimpleLazyObject(lambda: role_held(request.user, CLINICIAN))}
