"""The CDS Hooks service's records: trusted EHRs, seen JWT ids, the call
audit, the cards issued (for feedback) and the drafts behind "Open in BoneCare"."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from options.choices import choices

from .hooks import SERVICE_IDS

CALL_OUTCOMES = ("ok", "invalid", "denied", "replayed", "not_found", "precondition",
                 "unavailable", "error")


class CdsClient(models.Model):
    """One EHR allowed to call the CDS Hooks service: its JWT issuer, its public keys (a JWK
    Set stored here, or the URL it is fetched from), the services it may call and, when the
    same EHR may also launch BoneCare, its SMART registration (its cards then open BoneCare
    by a SMART launch instead of a plain link)."""

    name = models.CharField(max_length=100, unique=True)
    iss = models.CharField("issuer (iss)", max_length=255, unique=True)
    jwks = models.JSONField("JWK Set", null=True, blank=True,
                            help_text='The EHR\'s public keys: {"keys": [...]}.')
    jwks_url = models.URLField("JWK Set URL", max_length=500, blank=True,
                               help_text="Instead of a stored JWK Set: fetched with a timeout "
                                         "and cached.")
    services = models.JSONField(default=list, blank=True, help_text=", ".join(SERVICE_IDS))
    fhir_server = models.URLField(
        "FHIR server", max_length=500, blank=True,
        help_text="The EHR's FHIR base URL. An absent prefetch is fetched only from a fhirServer "
                  "starting with it (with the EHR's token); blank: never fetched (412).")
    smart_client = models.ForeignKey(
        "smart.SmartClient", on_delete=models.PROTECT, null=True, blank=True,
        related_name="cds_clients", verbose_name="SMART registration",
        help_text="The same EHR's SMART launch registration, if it has one: while it is not "
                  "revoked, \"Open in BoneCare\" is a SMART link (the EHR launches BoneCare "
                  "with the draft in appContext); otherwise a plain link.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="cds_clients_created")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "CDS Hooks client"

    def __str__(self) -> str:
        return self.name

    # DRF treats the authenticated caller as request.user; a client is always authenticated.
    is_authenticated = True
    is_anonymous = False

    def clean(self) -> None:
        if not self.jwks and not self.jwks_url:
            raise ValidationError({"jwks": "Give the EHR's JWK Set or the URL it is served at."})
        if self.jwks and not (isinstance(self.jwks, dict)
                              and isinstance(self.jwks.get("keys"), list)):
            raise ValidationError({"jwks": 'A JWK Set is a JSON object {"keys": [...]}.'})
        unknown = sorted(set(self.services or []) - set(SERVICE_IDS))
        if unknown:
            raise ValidationError({"services": f"unknown service(s): {', '.join(unknown)}; "
                                               f"allowed: {', '.join(SERVICE_IDS)}"})
        if self.smart_client_id is not None and self.smart_client.revoked_at is not None:
            raise ValidationError({"smart_client": f"The SMART registration "
                                                   f"{self.smart_client.name!r} is revoked: "
                                                   f"choose a live one or none."})

    def smart_launch(self) -> bool:
        """Whether "Open in BoneCare" is a SMART launch: a live SMART registration."""
        return self.smart_client_id is not None and self.smart_client.revoked_at is None


class SeenJti(models.Model):
    """One JWT id (jti) already used by an EHR; a second use before it expires is a replay.

    Shared by every worker, always in the database (never only in Redis, whose outage or
    restart would reopen live tokens); expired rows are deleted once a minute."""

    iss = models.CharField(max_length=255)
    jti = models.CharField(max_length=255)
    seen_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["iss", "jti"], name="unique_iss_jti")]
        verbose_name = "seen JWT id"

    def __str__(self) -> str:
        return f"jti seen at {self.seen_at:%Y-%m-%d %H:%M}"


class CdsCallAudit(models.Model):
    """One call to the CDS Hooks service: which EHR, which hook and hookInstance, which
    patient (the EHR's id and the NHS number, as the API audit keeps its patient reference),
    the outcome, and what the evaluation gave (ruleset version, statuses, alerts, cards).
    The only audit row of a CDS Hooks call; never logged, never the FHIR data itself."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    client = models.ForeignKey(CdsClient, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="calls")
    service = models.CharField(max_length=40, blank=True)
    hook = models.CharField(max_length=40, blank=True)
    hook_instance = models.CharField(max_length=100, blank=True)
    fhir_patient_id = models.CharField(max_length=100, blank=True)
    patient_ref = models.CharField(max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=12, choices=choices(CALL_OUTCOMES))
    ruleset_version = models.CharField(max_length=40, blank=True)
    result_summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "CDS Hooks call"

    def __str__(self) -> str:
        return f"{self.service or '-'} {self.status_code} at {self.created_at:%Y-%m-%d %H:%M}"


class IssuedCard(models.Model):
    """One card BoneCare sent, remembered for a week so that feedback on it can be stored
    against the rules it cited, the option and the ruleset version. Each entry of `options`
    also names the rule that decided the option (`decided_by`, blank when none did)."""

    uuid = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(CdsClient, on_delete=models.CASCADE, related_name="+")
    service = models.CharField(max_length=40)
    options = models.JSONField(default=list, help_text='[{"option", "status", "rule_codes"}]: '
                                                       'what the card advised on.')
    ruleset_version = models.CharField(max_length=40)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.uuid


class ConsultationDraft(models.Model):
    """An assessment mapped from an EHR's FHIR data, waiting for an hour for a clinician to
    open it in the consultation form ("Open in BoneCare"); the URL carries only its key.
    The first clinician to open it holds it: for anyone else it has expired."""

    key = models.CharField(max_length=64, unique=True)
    assessment = models.JSONField()
    fhir_patient_id = models.CharField(
        max_length=100, blank=True, default="",
        help_text="The EHR's id of the patient the draft was mapped for (the hook's "
                  "context.patientId), so that a SMART launch from its card can tell it is "
                  "the same patient.")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  null=True, blank=True, related_name="+",
                                  help_text="The clinician who opened it first; only they "
                                            "can open it again.")
    opened_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"draft until {self.expires_at:%H:%M}"


class FeedbackReceived(models.Model):
    """One feedback item an EHR sent on a card: what the clinician did (accepted or
    overridden) and when (`outcomeTimestamp`). Kept once per client, card and time, so that
    an EHR retrying after a network error adds nothing; the decisions it caused are
    options.Decision rows carrying the card's uuid."""

    client = models.ForeignKey(CdsClient, on_delete=models.PROTECT, related_name="+")
    card_uuid = models.CharField(max_length=64)
    outcome_at = models.DateTimeField(help_text="The item's outcomeTimestamp.")
    outcome = models.CharField(max_length=12)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "card_uuid", "outcome_at"],
                                               name="cds_feedback_once")]
        verbose_name = "CDS Hooks feedback"
        verbose_name_plural = "CDS Hooks feedback"

    def __str__(self) -> str:
        return f"{self.outcome} on {self.card_uuid} at {self.outcome_at:%Y-%m-%d %H:%M}"
