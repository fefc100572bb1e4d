from django.conf import settings
from django.db import models
from django.db.models import Q

from options.choices import choices
from options.consultation.models import Consultation

from .scopes import SCOPES

API_CALL_OUTCOMES = ("ok", "invalid", "denied", "not_found", "replayed", "conflict", "error")


class ApiClient(models.Model):
    """One EHR system (or other caller) allowed to use the API, with its token and scopes.

    Only a SHA-256 digest of the token is kept; the token itself is shown once, at creation.
    """

    name = models.CharField(max_length=100, unique=True)
    scopes = models.JSONField(default=list, blank=True, help_text=", ".join(SCOPES))
    token_prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="api_clients_created",
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    # DRF treats the authenticated caller as request.user; a client is always authenticated.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        """True when the client was granted this scope."""
        return scope in self.scopes


class ClientConsultation(models.Model):
    """One consultation stored through the API: which client owns it, and under what key.

    The idempotency key (when the client sent one) makes a retry return this consultation
    instead of storing a second one.
    """

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="consultations")
    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, related_name="api_owner"
    )
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="unique_client_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} consultation {self.consultation_id}"


class ApiCallAudit(models.Model):
    """One call to the API: who, which operation, for which patient reference, the outcome,
    and what it caused (the ruleset version that advised, the consultation stored or shown).
    The only audit row of an API call, evaluations included.

    Never clinical content beyond the caller's patient reference.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    endpoint = models.CharField(max_length=100)
    status_code = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=10, choices=choices(API_CALL_OUTCOMES))
    patient_ref = models.CharField(max_length=64, blank=True)
    ruleset_version = models.CharField(max_length=40, blank=True)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.SET_NULL, null=True, blank=True, related_name="api_calls"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API call"

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status_code} at {self.created_at:%Y-%m-%d %H:%M}"
