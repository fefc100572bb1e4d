from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .consultation.models import EvaluationAudit, TreatmentOption
from .http.clients import client_revoke
from .identity.sign_in import AdminSignInForm

admin.site.login_form = AdminSignInForm
# Named for what people use it for, in every page's header and title.
admin.site.site_header = admin.site.site_title = "BoneCare rules console"
admin.site.index_title = "Rules console"


class ReadOnlyAdminMixin:
    """Show records without allowing them to be added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NotFoundPageMixin:
    """A record that does not exist (or an address that names none) is the console's 404
    page, saying so in words, rather than a redirect to the index with a message; to
    someone who may not see these records at all, the 403 page, as for one that exists."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            raise Http404("No such record.")
        return obj


class PatientAuditAdminMixin(ReadOnlyAdminMixin):
    """An audit whose rows name a patient: read by a superuser only, whatever permissions a
    group holds, so that being staff (an editor, a safety officer) never opens it.

    Consultations, their decisions and prints have no admin at all: they are their
    clinician's, on the consultation pages, and an API client's, through the API.
    """

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class ClientAdmin(admin.ModelAdmin):
    """A system that calls BoneCare (an API client, an EHR): made through its service, which
    issues its credentials, and revoked, never deleted, so that its audit rows keep pointing
    at it (options.http.clients.client_revoke, for either door). A subclass says how to
    create one, and what it is called."""

    actions = ["revoke"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    noun = "client"

    def client_create(self, request, obj):
        """Create the client the add form describes; return it."""
        raise NotImplementedError

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit keeps pointing at the client

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        client = self.client_create(request, obj)
        form.instance = client
        obj.pk = client.pk

    @admin.action(description="Revoke the selected clients")
    def revoke(self, request, queryset):
        for client in queryset:
            client_revoke(client=client)
        self.message_user(request, f"Revoked {queryset.count()} {self.noun}(s).",
                          messages.SUCCESS)


@admin.register(TreatmentOption)
class TreatmentOptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The five options and the words patients read about them: shown here, changed only by a
    reviewed data migration, never through a page (a superuser's edit would reach every
    patient sheet without a second person)."""

    list_display = ["name", "slug", "display_order", "summary"]


@admin.register(EvaluationAudit)
class EvaluationAuditAdmin(PatientAuditAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "outcome",
        "user",
        "api_client_name",
        "endpoint",
        "ruleset_version",
    ]
    list_filter = ["channel", "outcome"]
    search_fields = ["patient_ref", "api_client_name"]
    date_hierarchy = "created_at"
