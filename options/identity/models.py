from django.conf import settings
from django.db import models

from options.choices import choices

SOURCES = ("local", "provider", "smart")
EVENT_KINDS = ("sign_in", "sign_in_failed", "role_granted", "role_removed", "deactivated",
               "reactivated")


class ProviderIdentity(models.Model):
    """One person as the hospital's identity provider knows them, linked to their account.

    Matched on the provider's issuer and stable subject identifier alone, never on an e-mail
    address or a name, which the provider may change or reuse.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="provider_identity")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "identity at the provider"
        verbose_name_plural = "identities at the provider"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"],
                                               name="identity_one_account_per_subject")]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class AccountEvent(models.Model):
    """One sign-in, refused sign-in, role change or (de)activation, with when and from where.

    Kept when the account is deleted (the username stays in the row); never changed.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=choices(EVENT_KINDS))
    source = models.CharField(max_length=10, choices=choices(SOURCES))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="account_events")
    username = models.CharField(max_length=150, blank=True,
                                help_text="As entered or as held then; the account may be gone.")
    subject = models.CharField(max_length=255, blank=True, help_text="The provider's subject.")
    role = models.CharField(max_length=50, blank=True, help_text="For a role change.")
    reason = models.CharField(max_length=200, blank=True,
                              help_text="Why a sign-in was refused, in a word or two.")
    address = models.GenericIPAddressField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, related_name="account_events_made",
                           help_text="Who made the change, when not the person themselves.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M}"
