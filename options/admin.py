from django.contrib import admin

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
