from django.contrib import admin, messages

from .models import Consultation, EvaluationAudit, Lesion, PriorTreatment, TreatmentOption
from .sign_in import AdminSignInForm

admin.site.login_form = AdminSignInForm


class ReadOnlyAdminMixin:
    """Show records without allowing them to be added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ClientAdmin(admin.ModelAdmin):
    """A system that calls BoneCare (an API client, an EHR): made through its service, which
    issues its credentials, and revoked, never deleted, so that its audit rows keep pointing
    at it. A subclass says how to create and revoke one, and what it is called."""

    actions = ["revoke"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    noun = "client"

    def client_create(self, request, obj):
        """Create the client the add form describes; return it."""
        raise NotImplementedError

    def client_revoke(self, client):
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
            self.client_revoke(client)
        self.message_user(request, f"Revoked {queryset.count()} {self.noun}(s).",
                          messages.SUCCESS)


@admin.register(TreatmentOption)
class TreatmentOptionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "display_order", "summary"]


class LesionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Lesion
    extra = 0


class PriorTreatmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PriorTreatment
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "clinician",
        "api_client_name",
        "patient_ref",
        "cancer_type",
        "ruleset_version",
    ]
    list_filter = ["cancer_type", "ruleset_version"]
    search_fields = ["patient_ref"]
    date_hierarchy = "created_at"
    inlines = [LesionInline, PriorTreatmentInline]


@admin.register(EvaluationAudit)
class EvaluationAuditAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
