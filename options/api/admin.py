from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from options.admin import ClientAdmin, PatientAuditAdminMixin

from .models import ApiCallAudit, ApiClient
from .scopes import SCOPE_CHOICES
from .services import api_client_create


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=SCOPE_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiClient
        fields = ["name", "scopes"]


@admin.register(ApiClient)
class ApiClientAdmin(ClientAdmin):
    form = ApiClientForm
    list_display = ["name", "scope_list", "token_prefix", "created_at", "last_used_at",
                    "revoked_at"]
    search_fields = ["name", "token_prefix"]
    readonly_fields = ["token_prefix", "created_at", "created_by", "last_used_at", "revoked_at"]

    @admin.display(description="Scopes")
    def scope_list(self, obj: ApiClient) -> str:
        return ", ".join(obj.scopes)

    def client_create(self, request: HttpRequest, obj: ApiClient) -> ApiClient:
        client, token = api_client_create(name=obj.name, scopes=obj.scopes, by=request.user)
        messages.warning(request, f"The token for {client.name} is shown only this once; "
                                  f"copy it now: {token}")
        return client


@admin.register(ApiCallAudit)
class ApiCallAuditAdmin(PatientAuditAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "client", "endpoint", "status_code", "outcome",
                    "ruleset_version"]
    list_filter = ["outcome", "endpoint", "client"]
    search_fields = ["patient_ref"]
    date_hierarchy = "created_at"

