"""History pages to read, never to write through, in words.

django-simple-history's page for a past version saves a POST whenever the user may view the
object ("Revert"), whether or not the button shows: a write path around two-person
governance. Every model admin in BoneCare that shows history is a HistoryAdmin: a past
version is shown, a POST is refused with 405, and an address that names no record or no
version is a 404.

Its list of changes shows each value as people read it (guidance.console.words): a state
as "Submitted for review", not `in_review`; "not set", never None; no internal counter.
"""

import re

from django.http import Http404, HttpResponseNotAllowed
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from options.admin import NotFoundPageMixin

from .words import field_value_words

_ID = re.compile(r"[0-9]{1,18}")
# Bookkeeping, not content: which edit came first (optimistic locking).
UNSHOWN_FIELDS = {"lock_version"}


class ChangesInWords(HistoricalRecordContextHelper):
    """Each change of a history entry: the field's name, then its old and new value in
    words, through the admin's `history_value_words` (a field of its own) or the field's."""

    def __init__(self, model, record, *, model_admin):
        super().__init__(model, record)
        self.model_admin = model_admin

    def context_for_delta_changes(self, delta):
        rows = []
        for change in delta.changes:
            if change.field in UNSHOWN_FIELDS:
                continue
            field = self.model._meta.get_field(change.field)
            rows.append({"field": capfirst(field.verbose_name),
                         "old": self.model_admin.history_value_words(self.record, field,
                                                                     change.old),
                         "new": self.model_admin.history_value_words(self.record, field,
                                                                     change.new)})
        return rows


class HistoryAdmin(NotFoundPageMixin, SimpleHistoryAdmin):
    """A model admin whose history is read-only, for every user and every object."""

    object_history_list_template = "admin/guidance/history_list.html"

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

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangesInWords(self.model, historical_record, model_admin=self)

    def history_value_words(self, record, field, value):
        """Return one value of a history entry in words; a subclass says a field its way."""
        return field_value_words(field, value)
