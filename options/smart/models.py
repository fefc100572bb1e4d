"""The SMART on FHIR door's records: the EHRs registered to launch BoneCare, the people an
EHR's user is linked to, every launch (the audit) and every summary filed back."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from options.choices import choices

CLIENT_TYPES = ("public", "confidential_asymmetric")
SIGNING_ALGS = ("ES384", "RS384")
LAUNCH_OUTCOMES = ("signed_in", "refused")
FILING_OUTCOMES = ("filed", "not_filed")


def iss_normal(iss: str) -> str:
    """The FHIR base URL as registered and as compared: without a trailing slash."""
    return iss.strip().rstrip("/")


class SmartClient(models.Model):
    """One EHR that may launch BoneCare: its FHIR base URL (`iss`), the client id it gave
    BoneCare, and how BoneCare proves itself at its token endpoint (a public client with PKCE
    only, or a confidential asymmetric client signing a private-key JWT with BoneCare's key,
    whose public half is served at /smart/jwks.json). Revoked, never deleted."""

    name = models.CharField(max_length=100, unique=True)
    iss = models.URLField("FHIR base URL (iss)", max_length=500, unique=True,
                          help_text="The iss the EHR sends at launch: its FHIR server's base "
                                    "URL. Only this server is ever read or written.")
    client_id = models.CharField(max_length=255, help_text="The client id the EHR issued.")
    client_type = models.CharField(
        max_length=30, choices=choices(CLIENT_TYPES), default="public",
        help_text="public: PKCE only. confidential_asymmetric: also a private-key JWT signed "
                  "with BoneCare's key (BONECARE_SMART_SIGNING_KEY).")
    signing_alg = models.CharField(max_length=5, choices=choices(SIGNING_ALGS), blank=True,
                                   help_text="For a confidential client: ES384 or RS384, as "
                                             "BoneCare's key is.")
    may_create_accounts = models.BooleanField(
        default=False,
        help_text="Whether a launch by a user BoneCare does not know yet makes them a "
                  "clinician account. Otherwise the user must already be linked.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "SMART launch registration"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.iss = iss_normal(self.iss or "")
        if self.client_type == "confidential_asymmetric" and not self.signing_alg:
            raise ValidationError({"signing_alg": "A confidential asymmetric client signs "
                                                  "with ES384 or RS384: choose one."})
        if self.client_type == "public" and self.signing_alg:
            raise ValidationError({"signing_alg": "A public client signs nothing: leave it "
                                                  "blank."})


class EhrIdentity(models.Model):
    """One EHR user (its FHIR `fhirUser` at one `iss`) linked to a BoneCare account: made at
    the first launch when the registration allows it, or by an administrator beforehand."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="ehr_identities")
    iss = models.URLField("FHIR base URL (iss)", max_length=500)
    fhir_user = models.CharField("fhirUser", max_length=500,
                                 help_text="As the EHR names them, e.g. Practitioner/123.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_launch_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "EHR user link"
        constraints = [models.UniqueConstraint(fields=["iss", "fhir_user"],
                                               name="smart_one_account_per_ehr_user")]

    def __str__(self) -> str:
        return f"{self.fhir_user} at {self.iss}"

    def clean(self) -> None:
        self.iss = iss_normal(self.iss or "")


class SmartLaunch(models.Model):
    """One launch, signed in or refused (the audit row of this door): which EHR, which of its
    users and patients, the scopes granted and, for a refusal, why. Never a token."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    client = models.ForeignKey(SmartClient, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="launches")
    iss = models.CharField(max_length=500, blank=True, help_text="As the request gave it.")
    kind = models.CharField(max_length=10, choices=choices(("ehr", "standalone")))
    outcome = models.CharField(max_length=10, choices=choices(LAUNCH_OUTCOMES))
    reason = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    fhir_user = models.CharField(max_length=500, blank=True)
    fhir_patient_id = models.CharField(max_length=100, blank=True)
    scopes = models.TextField(blank=True, help_text="The scopes the EHR granted.")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "SMART launch"

    def __str__(self) -> str:
        return f"{self.kind} launch {self.outcome} at {self.at:%Y-%m-%d %H:%M}"


class SummaryFiling(models.Model):
    """The clinician summary of a consultation filed back to the EHR as a DocumentReference,
    or why it could not be: the consultation is kept either way."""

    consultation = models.OneToOneField("options.Consultation", on_delete=models.CASCADE,
                                        related_name="ehr_filing")
    client = models.ForeignKey(SmartClient, on_delete=models.PROTECT, related_name="+")
    fhir_patient_id = models.CharField(max_length=100)
    outcome = models.CharField(max_length=10, choices=choices(FILING_OUTCOMES))
    document_id = models.CharField("DocumentReference id", max_length=200, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "summary filed to the EHR"
        verbose_name_plural = "summaries filed to the EHR"

    def __str__(self) -> str:
        return f"{self.outcome} {self.document_id}".strip()
