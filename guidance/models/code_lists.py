"""The FHIR code lists, versioned with the ruleset whose advice they feed."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from options.choices import choices

from ..codes import CODE_LISTS, SYSTEMS, system_normal
from .core import RuleSet


class CodeListEntry(models.Model):
    """One code BoneCare recognises in FHIR data under one ruleset, and what it means for the
    assessment: for example SNOMED CT 254837009 in a Condition means cancer type "breast".

    A code list decides what EHR users are told (switch off the cord-compression code and the
    critical card disappears), so it changes only in a draft ruleset and reaches EHRs when a
    second person has reviewed that draft and it is published. Shipped defaults come from
    guidance/data/code_lists.json; a hospital adds its local codes in a draft.
    """

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="code_entries")
    code_list = models.CharField(max_length=40, choices=[(k, v.label)
                                                         for k, v in CODE_LISTS.items()])
    system = models.CharField(max_length=100, choices=choices(SYSTEMS))
    code = models.CharField(max_length=64, help_text="For ICD-10 and ATC a code also matches "
                                                     "every code it begins (C50 matches C50.9).")
    value = models.CharField(max_length=40, blank=True,
                             help_text="What the code means in this list (see its help).")
    display = models.CharField(max_length=200, blank=True)
    evidence = models.CharField(max_length=200, blank=True,
                                help_text="Where the code was seen (HL7, NHS, NICE, local).")
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code_list", "system", "code"]
        verbose_name = "FHIR code"
        verbose_name_plural = "FHIR code lists"
        constraints = [models.UniqueConstraint(fields=["ruleset", "code_list", "system", "code"],
                                               name="unique_code_in_ruleset_list")]

    def __str__(self):
        return f"{self.get_code_list_display()}: {self.system} {self.code}"

    def clean(self):
        """Normalise the system and code, and check the value against its list."""
        self.system = system_normal(self.system)
        self.code = (self.code or "").strip()
        spec = CODE_LISTS.get(self.code_list)
        if spec is not None and spec.values and self.value not in spec.values:
            raise ValidationError({"value": f"one of: {', '.join(spec.values)}"})
