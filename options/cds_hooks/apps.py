from django.apps import AppConfig


class CdsHooksConfig(AppConfig):
    """The CDS Hooks 2.0 service as its own app, so that its tables migrate on their own."""

    name = "options.cds_hooks"
    label = "cds_hooks"
    verbose_name = "CDS Hooks"
