from django.apps import AppConfig


class SmartConfig(AppConfig):
    """SMART App Launch 2.x: BoneCare opened inside an EHR, reading the record with the
    clinician's own authority and filing the summary back."""

    name = "options.smart"
    label = "smart"
    verbose_name = "SMART on FHIR"
