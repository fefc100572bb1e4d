from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API as its own app, so that its tables migrate on their own."""

    name = "options.api"
    label = "api"
    verbose_name = "REST API"
