import json

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.http import HttpRequest

from options.admin import ClientAdmin, PatientAuditAdminMixin
from options.smart.models import SmartClient

from .hooks import SERVICE_IDS
from .models import CdsCallAudit, CdsClient
from .services import cds_client_create


class CdsClientForm(forms.ModelForm):
    services = forms.MultipleChoiceField(choices=[(s, s) for s in SERVICE_IDS], required=False,
                                         widget=forms.CheckboxSelectMultiple)
    jwks_url = forms.URLField(label="JWK Set URL", required=False, assume_scheme="https",
                              help_text=CdsClient._meta.get_field("jwks_url").help_text)
    fhir_server = forms.URLField(label="FHIR server", required=False, assume_scheme="https",
                                 help_text=CdsClient._meta.get_field("fhir_server").help_text)

    class Meta:
        model = CdsClient
        fields = ["name", "iss", "jwks", "jwks_url", "services", "fhir_server", "smart_client"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Live registrations to choose from; the one already linked stays listed even when
        # revoked, so that the model's check says so rather than the link vanishing unsaid.
        linked = self.instance.smart_client_id if self.instance.pk else None
        self.fields["smart_client"].queryset = SmartClient.objects.filter(
            Q(revoked_at__isnull=True) | Q(pk=linked))


@admin.register(CdsClient)
class CdsClientAdmin(ClientAdmin):
    form = CdsClientForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "iss", "service_list", "key_ids", "smart_client", "created_at",
                    "revoked_at"]
    search_fields = ["name", "iss"]
    readonly_fields = ["created_at", "created_by", "revoked_at"]
    noun = "CDS client"

    @admin.display(description="Services")
    def service_list(self, obj: CdsClient) -> str:
        return ", ".join(obj.services)

    @admin.display(description="Key ids (kid)")
    def key_ids(self, obj: CdsClient) -> str:
        keys = (obj.jwks or {}).get("keys", []) if isinstance(obj.jwks, dict) else []
        return ", ".join(str(k.get("kid", "?")) for k in keys) or (obj.jwks_url and "from URL")

    def client_create(self, request: HttpRequest, obj: CdsClient) -> CdsClient:
        return cds_client_create(name=obj.name, iss=obj.iss, jwks=obj.jwks,
                                 jwks_url=obj.jwks_url, services=obj.services,
                                 fhir_server=obj.fhir_server, smart_client=obj.smart_client,
                                 by=request.user)


@admin.register(CdsCallAudit)
class CdsCallAuditAdmin(PatientAuditAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "client", "service", "hook_instance", "status_code",
                    "outcome", "ruleset_version", "summary"]
    list_filter = ["outcome", "service", "client"]
    search_fields = ["patient_ref", "fhir_patient_id", "hook_instance"]
    date_hierarchy = "created_at"

    @admin.display(description="Result")
    def summary(self, obj: CdsCallAudit) -> str:
        return json.dumps(obj.result_summary)[:120]
