from django.apps import AppConfig


class HttpConfig(AppConfig):
    """The base of the machine doors as an app, for the call counts both doors keep."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "options.http"
    label = "http"
    verbose_name = "Machine doors"
