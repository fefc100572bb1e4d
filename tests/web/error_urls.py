"""BoneCare's own addresses and error handlers, with three that fail, for the error-page
tests (a test cannot make a real page fail on purpose)."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from bonecare.urls import handler400, handler403, handler404, handler500  # noqa: F401
from bonecare.urls import urlpatterns as bonecare_urlpatterns

SECRET = "secret-detail-7f3a: /srv/bonecare/settings.py"


def broken(request):
    raise RuntimeError(SECRET)


def suspicious(request):
    raise SuspiciousOperation(SECRET)


urlpatterns = [
    path("broken/", broken),
    path("admin/broken/", broken),
    path("api/broken", broken),
    path("suspicious/", suspicious),
    *bonecare_urlpatterns,
]
