from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guidance"
    verbose_name = "Guidance and rulesets"

    def ready(self):
        from .guards import guards_connect  # models are ready only now

        guards_connect()
