"""History pages to read, never to write through.

django-simple-history's page for a past version saves a POST whenever the user may view the
object ("Revert"), whether or not the button shows: a write path around two-person
governance. Every model admin in BoneCare that shows history is a HistoryAdmin: a past
version is shown, a POST is refused with 405, and an address that names no version is a 404.
"""

import re

from django.http import Http404, HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin

from options.admin import NotFoundPageMixin

_ID = re.compile(r"[0-9]{1,18}")


class HistoryAdmin(NotFoundPageMixin, SimpleHistoryAdmin):
    """A model admin whose history is read-only, for every user and every object."""

    def history_view(self, request, object_id, extra_context=None):
        if not _ID.fullmatch(str(object_id)):
            raise Http404("No such record.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not (_ID.fullmatch(str(object_id)) and _ID.fullmatch(str(version_id))):
            raise Http404("No such version.")
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True
