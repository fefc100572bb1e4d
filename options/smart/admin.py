from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from options.admin import ClientAdmin, PatientAuditAdminMixin

from .models import EhrIdentity, SmartClient, SmartLaunch, SummaryFiling
from .services import smart_client_create


class SmartClientForm(forms.ModelForm):
    iss = forms.URLField(label="FHIR base URL (iss)", assume_scheme="https",
                         help_text=SmartClient._meta.get_field("iss").help_text)

    class Meta:
        model = SmartClient
        fields = ["name", "iss", "client_id", "client_type", "signing_alg",
                  "may_create_accounts"]


@admin.register(SmartClient)
class SmartClientAdmin(ClientAdmin):
    """EHRs that may launch BoneCare: registered through smart_client_create (which checks
    BoneCare's key for a confidential client), revoked, never deleted; every change is kept
    in the registration's history."""

    form = SmartClientForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "iss", "client_id", "client_type", "may_create_accounts",
                    "created_at", "revoked_at"]
    search_fields = ["name", "iss", "client_id"]
    readonly_fields = ["created_at", "created_by", "revoked_at"]
    noun = "SMART registration"

    def get_readonly_fields(self, request, obj=None):
        # Once registered, what identifies the EHR stays: register it again instead.
        fixed = ["iss", "client_id", "client_type", "signing_alg"] if obj else []
        return [*self.readonly_fields, *fixed]

    def client_create(self, request: HttpRequest, obj: SmartClient) -> SmartClient:
        return smart_client_create(name=obj.name, iss=obj.iss, client_id=obj.client_id,
                                   client_type=obj.client_type,
                                   signing_alg_name=obj.signing_alg,
                                   may_create_accounts=obj.may_create_accounts,
                                   by=request.user)


@admin.register(EhrIdentity)
class EhrIdentityAdmin(admin.ModelAdmin):
    """Link an EHR user (fhirUser at an iss) to an existing BoneCare account, for an EHR whose
    registration does not create accounts."""

    list_display = ["fhir_user", "iss", "user", "created_at", "last_launch_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ["fhir_user", "user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "last_launch_at"]


@admin.register(SmartLaunch)
class SmartLaunchAdmin(PatientAuditAdminMixin, admin.ModelAdmin):
    list_display = ["at", "client", "kind", "outcome", "reason", "user", "fhir_user"]
    list_filter = ["outcome", "kind", "client"]
    search_fields = ["fhir_patient_id", "fhir_user", "reason"]
    date_hierarchy = "at"


@admin.register(SummaryFiling)
class SummaryFilingAdmin(PatientAuditAdminMixin, admin.ModelAdmin):
    """Each clinician summary filed to an EHR, or why it was not: read by the administrator
    only, as every audit naming a patient."""

    list_display = ["at", "client", "outcome", "document_id", "reason"]
    list_filter = ["outcome", "client"]
    search_fields = ["fhir_patient_id", "document_id"]
    date_hierarchy = "at"
