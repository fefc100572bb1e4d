"""The admin as an account console: who holds which role, from where, and what happened."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import AbstractUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from options.admin import ReadOnlyAdminMixin
from options.identity.roles import ROLES

from .audit import user_source
from .models import AccountEvent
from .services import user_active_set

User = get_user_model()
ROLE_GROUPS = {role.group: role.key for role in ROLES.values()}


class SourceFilter(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request: HttpRequest,
                model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("local", "Local (BoneCare password)"), ("provider", "Identity provider")]

    def queryset(self, request: HttpRequest,
                 queryset: QuerySet[AbstractUser]) -> QuerySet[AbstractUser]:
        if self.value() in ("local", "provider"):
            return queryset.filter(provider_identity__isnull=self.value() == "local")
        return queryset


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Accounts with their roles and source; deactivation by an action that is audited."""

    list_display = ["username", "full_name", "roles", "source", "last_login", "is_active"]
    list_filter = [SourceFilter, "is_active", "groups", "is_staff", "is_superuser"]
    actions = ["deactivate", "reactivate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AbstractUser]:
        return (super().get_queryset(request).select_related("provider_identity")
                .prefetch_related("groups"))

    @admin.display(description="name")
    def full_name(self, user: AbstractUser) -> str:
        return user.get_full_name()

    @admin.display(description="roles")
    def roles(self, user: AbstractUser) -> str:
        held = [ROLE_GROUPS[group.name] for group in user.groups.all()
                if group.name in ROLE_GROUPS]
        return ", ".join(sorted(held)) or "none"

    @admin.display(description="source")
    def source(self, user: AbstractUser) -> str:
        return "identity provider" if user_source(user) == "provider" else "local"

    def get_readonly_fields(self, request: HttpRequest,
                            obj: AbstractUser | None = None) -> list[str]:
        """A provider account's roles come from its claims at each sign-in, never from here."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and user_source(obj) == "provider":
            fields += ["groups", "user_permissions"]
        return fields

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> HttpResponse:
        """A provider account signs in at the provider only: it is given no password here."""
        user = self.get_object(request, id)
        if user is not None and user_source(user) == "provider":
            self.message_user(request, "This account signs in through the identity provider; "
                              "it has no BoneCare password.", messages.ERROR)
            return redirect("admin:auth_user_change", user.pk)
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: AbstractUser, form: forms.ModelForm,
                   change: bool) -> None:
        """Record a (de)activation made on the change form, as the actions do."""
        if change and "is_active" in form.changed_data:
            wanted = obj.is_active
            obj.is_active = not wanted
            super().save_model(request, obj, form, change)
            user_active_set(user=obj, active=wanted, by=request.user, request=request)
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Deactivate selected accounts (they cannot sign in)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[AbstractUser]) -> None:
        self._active_set(request, queryset, active=False)

    @admin.action(description="Reactivate selected accounts")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[AbstractUser]) -> None:
        self._active_set(request, queryset, active=True)

    def _active_set(self, request: HttpRequest, queryset: QuerySet[AbstractUser], *,
                    active: bool) -> None:
        changed = [user for user in queryset
                   if user != request.user
                   and user_active_set(user=user, active=active, by=request.user,
                                       request=request)]
        verb = "Reactivated" if active else "Deactivated"
        self.message_user(request, f"{verb} {len(changed)} account(s).", messages.SUCCESS)


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every sign-in, refusal, role change and (de)activation; read only."""

    list_display = ["at", "kind", "source", "username", "role", "reason", "address", "by"]
    list_filter = ["kind", "source"]
    search_fields = ["username", "subject", "address"]
    date_hierarchy = "at"
    list_select_related = ["by"]
